import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killQuietly, runCli, startCollector, type CollectorProcess } from '../testing/index.js';

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, env, 20_000);

let running: CollectorProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  killQuietly(running);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('collector CLI', async () => {
  it('unknown subcommand or flag: a JSON error naming it on stderr, exit 2', async () => {
    const a = await cli(['bogus']);
    expect(a.code).toBe(2);
    expect(JSON.parse(a.stderr)).toEqual({ ok: false, error: 'unknown subcommand: bogus (see pnpm collector --help)' });
    const b = await cli(['serve', '--nope']);
    expect(b.code).toBe(2);
    expect(JSON.parse(b.stderr)).toEqual({ ok: false, error: 'serve: unknown argument --nope (see pnpm collector serve --help)' });
  }, 30_000);

  it('a bad variable names the variable and why, exit 2', async () => {
    const r = await cli(['serve'], { TALLY_PORT: '99999', TALLY_FSYNC: 'sometimes' });
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stderr) as { ok: boolean; problems: string[] };
    expect(body.ok).toBe(false);
    expect(body.problems).toEqual([
      'TALLY_PORT: TALLY_PORT must be at most 65535',
      'TALLY_FSYNC: TALLY_FSYNC must be always, interval or off',
    ]);
  }, 30_000);

  it('keeps a generated dash key across restarts (0600) and refuses a second collector on the same data dir', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-cli-'));
    running = await startCollector({ dataDir: dir, env: { TALLY_DASH_KEY: '' } });
    const key = readFileSync(join(dir, 'dash-key'), 'utf8').trim();
    expect(key.length).toBeGreaterThanOrEqual(16);
    expect(statSync(join(dir, 'dash-key')).mode & 0o777).toBe(0o600);
    expect(running.output()).toContain(key);
    running.proc.kill('SIGINT');
    expect((await running.exited).code).toBe(0);

    running = await startCollector({ dataDir: dir, env: { TALLY_DASH_KEY: '' } });
    expect(running.output()).toContain(key);
    expect(readFileSync(join(dir, 'dash-key'), 'utf8').trim()).toBe(key);
    const r = await fetch(`${running.url}/healthz`);
    expect(r.status).toBe(200);
    // A second collector on the same data dir refuses to start instead of corrupting the log.
    const second = await cli(['serve'], { TALLY_DATA_DIR: dir, TALLY_PORT: '0' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by process ${running.proc.pid}`);
    running.proc.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  }, 30_000);
});
