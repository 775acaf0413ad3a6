import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForEvents } from './support/event-log.js';
import { setupE2E } from './support/harness.js';
import { installPackedSdk, type NpmConsumer } from './support/npm-consumer.js';

const e2e = setupE2E();
let npm: NpmConsumer;

beforeAll(async () => {
  npm = await installPackedSdk();
}, 120_000);
afterAll(() => npm?.remove());

/** "The same SDK is importable from npm": what `npm install @tally/browser` gives an app. */
describe('the SDK as an npm package', () => {
  it('packs only built files, with versions instead of workspace links and no source paths', () => {
    for (const [name, { files, manifest }] of Object.entries(npm.packed)) {
      expect(files.filter((f) => f !== 'package/package.json' && !f.startsWith('package/dist/')), name).toEqual([]);
      const text = JSON.stringify(manifest);
      expect(text, name).not.toContain('workspace:');
      expect(text, name).not.toContain('tally-source');
      expect(text, name).not.toContain('./src/');
    }
    expect(npm.packed.browser.manifest.dependencies).toEqual({ '@tally/core': '0.1.0' });
  });

  it('loads as ESM and as CommonJS in Node (no browser globals touched at import)', async () => {
    const esm = await npm.node('esm.mjs', "const m = await import('@tally/browser'); console.log(typeof m.init, m.SDK.name);");
    const cjs = await npm.node('cjs.cjs', "const m = require('@tally/browser'); console.log(typeof m.init, m.SDK.name);");
    expect(esm.trim()).toBe('function tally-browser');
    expect(cjs.trim()).toBe('function tally-browser');
  });

  it('type-checks an app with bundler and NodeNext resolution, and its types are not `any`', async () => {
    const app = `import { init, type Client } from '@tally/browser';
const tally: Client = init({ endpoint: 'https://collector.example', app: 'web', consent: 'pending', auto: { vitals: false } });
tally.track('action', 'button_click', { button_id: 'submit-btn' });
tally.consent({ analytics: true });
const done: Promise<void> = tally.flush();
// @ts-expect-error endpoint is required
init({ app: 'web' });
// @ts-expect-error consent takes a state or flags, not a number
tally.consent(1);
void done;
`;
    await npm.typecheck(app, 'bundler');
    await npm.typecheck(app, 'nodenext');
  }, 60_000);

  it("an app's bundle of the package delivers to the collector from Chromium, without zod", async () => {
    const app = e2e.useApp('npm');
    const bundle = await npm.bundle(`import { init } from '@tally/browser';
const tally = init({ endpoint: ${JSON.stringify(e2e.collector.url)}, app: ${JSON.stringify(app)} });
tally.track('action', 'from_npm', { via: 'esm bundle' });
(window as unknown as { npmTally: unknown }).npmTally = tally;
`);
    expect(bundle).not.toMatch(/\bzod\b/);
    e2e.demo.serve('/__npm', '<!doctype html><title>npm</title><h1>Bundled from npm</h1><script type="module" src="/__npm/main.js"></script>', 'text/html; charset=utf-8');
    e2e.demo.serve('/__npm/main.js', bundle, 'application/javascript; charset=utf-8');

    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(`${e2e.demo.url}/__npm`);
    const [action] = await waitForEvents(e2e.collector.dataDir, app, 'the npm action', (e) => e.feature === 'from_npm');
    expect(action!.metadata).toEqual({ via: 'esm bundle' });
    expect(action!.context).toMatchObject({ platform: 'web', sdk: { name: 'tally-browser', version: '0.1.0' } });
    await waitForEvents(e2e.collector.dataDir, app, 'its page view', (e) => e.event_type === 'page_view' && e.url === `${e2e.demo.url}/__npm`);
  });
});
