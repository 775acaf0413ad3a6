import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium } from './browser.js';
import { startCollector, type CollectorProcess } from './collector-process.js';
import { sdkLoaded } from './page-probes.js';
import { freePort } from './ports.js';
import { startDemoServer, type DemoServer } from './static-server.js';

export interface E2E {
  collector: CollectorProcess;
  demo: DemoServer;
  browser: Browser;
  /** A fresh browser context (own IndexedDB, localStorage), closed after the test. */
  newContext(): Promise<BrowserContext>;
  /** A page in a fresh context, at `path` of the demo origin, once the SDK has loaded there. */
  openPage(path: string): Promise<Page>;
  /** Makes the demo tag its events with a fresh app name and returns it. */
  useApp(name: string): string;
}

/**
 * Per test file: a real collector on a free port with a temp data dir, the demo on another origin,
 * and one Chromium. Everything is stopped and removed in afterAll, also when a test fails.
 */
export function setupE2E(): E2E {
  const env = {} as E2E;
  let dataDir: string | undefined;
  const contexts: BrowserContext[] = [];
  let n = 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tally-e2e-'));
    env.collector = await startCollector({ port: await freePort(), dataDir });
    env.demo = await startDemoServer(env.collector.url);
    env.browser = await launchChromium();
    env.newContext = async () => {
      const context = await env.browser.newContext();
      contexts.push(context);
      return context;
    };
    env.openPage = async (path) => {
      const page = await (await env.newContext()).newPage();
      await page.goto(`${env.demo.url}${path}`);
      await sdkLoaded(page);
      return page;
    };
    env.useApp = (name) => {
      const app = `${name}-${++n}`;
      env.demo.setApp(app);
      return app;
    };
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => {})));
  });

  afterAll(async () => {
    await env.browser?.close().catch(() => {});
    await env.demo?.close();
    await env.collector?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  return env;
}
