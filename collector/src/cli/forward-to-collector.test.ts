import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../app.js';
import { run as erase } from './erase.js';
import { run as exportCmd } from './export.js';
import { run as purge } from './purge.js';
import { makeTestDeps, TEST_DASH_KEY } from '../testing/index.js';
import { createPrivacyStub, ev } from '../testing/privacy.js';
import { captureStdio, type CapturedStdio } from '../testing/stdio.js';

/**
 * With a collector running, `erase`/`export` must go through its API (only one process may write the
 * log). A real loopback server on an ephemeral port plays the running collector.
 */

let dataDir: string;
let server: ServerType;
let io: CapturedStdio;
const saved = { ...process.env };

function setup() {
  const deps = makeTestDeps({ rollups: createPrivacyStub(), config: { dataDir } });
  return deps;
}

async function listen(deps: ReturnType<typeof setup>): Promise<number> {
  return new Promise((resolve) => {
    server = serve({ fetch: createApp(deps).fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-cli-forward-'));
  io = captureStdio();
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.env = { ...saved };
  await new Promise((r) => server.close(r));
  await rm(dataDir, { recursive: true, force: true });
});

describe('CLI next to a running collector', () => {
  it('erase asks the running collector and prints its answer', async () => {
    const deps = setup();
    await deps.log.append([ev({ user_id: 'kim' }), ev({ user_id: 'lee' })]);
    const port = await listen(deps);
    Object.assign(process.env, { TALLY_HOST: '127.0.0.1', TALLY_PORT: String(port), TALLY_DASH_KEY: TEST_DASH_KEY, TALLY_DATA_DIR: dataDir });
    expect(await erase(['--user', 'kim'])).toBe(0);
    expect(JSON.parse(io.out)).toEqual({ ok: true, removed: 1, days: ['2026-11-20'], rollup_days: ['2026-11-20'] });
    expect(deps.log.events.map((e) => e.user_id)).toEqual(['lee']);
  });

  it('export streams the answer of the running collector', async () => {
    const deps = setup();
    await deps.log.append([ev({ user_id: 'kim' }), ev({ user_id: 'lee' })]);
    const port = await listen(deps);
    Object.assign(process.env, { TALLY_HOST: '127.0.0.1', TALLY_PORT: String(port), TALLY_DASH_KEY: TEST_DASH_KEY, TALLY_DATA_DIR: dataDir });
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (c) => (text += String(c)));
    expect(await exportCmd(['--user', 'kim'], sink)).toBe(0);
    expect(text.trim().split('\n').map((l) => JSON.parse(l).user_id)).toEqual(['kim']);
  });

  it('purge refuses, exit 1, while a collector runs (it owns the log and applies retention itself)', async () => {
    const deps = setup();
    const port = await listen(deps);
    Object.assign(process.env, { TALLY_HOST: '127.0.0.1', TALLY_PORT: String(port), TALLY_DATA_DIR: dataDir });
    expect(await purge(['--dry-run'])).toBe(1);
    expect(JSON.parse(io.err).error).toMatch(/a collector is running at http:\/\/127\.0\.0\.1:\d+/);
  });

  it('uses the key serve generated in $TALLY_DATA_DIR/dash-key when TALLY_DASH_KEY is unset', async () => {
    const deps = setup();
    await deps.log.append([ev({ user_id: 'kim' })]);
    const port = await listen(deps);
    await writeFile(join(dataDir, 'dash-key'), `${TEST_DASH_KEY}\n`);
    delete process.env.TALLY_DASH_KEY;
    Object.assign(process.env, { TALLY_HOST: '127.0.0.1', TALLY_PORT: String(port), TALLY_DATA_DIR: dataDir });
    expect(await erase(['--user', 'kim'])).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ ok: true, removed: 1 });
  });

  it('refuses, exit 1, when a collector runs but no key is known is not set', async () => {
    const deps = setup();
    await deps.log.append([ev({ user_id: 'kim' })]);
    const port = await listen(deps);
    delete process.env.TALLY_DASH_KEY;
    Object.assign(process.env, { TALLY_HOST: '127.0.0.1', TALLY_PORT: String(port), TALLY_DATA_DIR: dataDir });
    expect(await erase(['--user', 'kim'])).toBe(1);
    expect(JSON.parse(io.err).error).toMatch(/a collector is running at http:\/\/127\.0\.0\.1:\d+; set TALLY_DASH_KEY/);
    expect(deps.log.events).toHaveLength(1);
  });
});
