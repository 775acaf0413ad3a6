import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../rollup/db.js';
import { query } from '../testing/process-requests.js';
import { killQuietly, runCli, startCollector, type CollectorProcess } from '../testing/index.js';
import { PART_VERSIONS, VERSION_FILE } from './versions.js';

// The previous release's data dir (fixtures/README.md says how it was made) opened by this collector.
const FIXTURE = fileURLToPath(new URL('./fixtures/release-2e8cba9', import.meta.url));
const EXPECTED = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/release-2e8cba9.expected.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
const KEY = 'fixture-dash-key-0123456789';

let running: CollectorProcess | undefined;
const dirs: string[] = [];
const copyOfFixture = () => {
  const d = mkdtempSync(join(tmpdir(), 'tally-upgrade-'));
  dirs.push(d);
  cpSync(FIXTURE, d, { recursive: true });
  return d;
};
afterEach(() => {
  killQuietly(running);
  running = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const env = (dataDir: string) => ({ TALLY_DATA_DIR: dataDir, TALLY_DASH_KEY: KEY, TALLY_BOT_FILTER: 'off', TALLY_PORT: '0' });

describe('upgrade from the previous release (2e8cba9)', () => {
  it('opens its data dir, records the versions and answers every query as it did', async () => {
    const dir = copyOfFixture();
    expect(() => readFileSync(join(dir, VERSION_FILE))).toThrow(/ENOENT/);
    running = await startCollector({ dataDir: dir, env: { TALLY_DASH_KEY: KEY } });
    const paths = Object.keys(EXPECTED).filter((k) => k.startsWith('/'));
    expect(paths.length).toBe(5);
    // toMatchObject: a field a later version adds to an answer is fine; a number that changed is not.
    for (const path of paths) expect(await query(running.url, path, KEY), path).toMatchObject(EXPECTED[path] as object);
    // The open day of the fixture (not rolled up then) is read from the log.
    const events = EXPECTED[paths[0]!] as { points: { period: string; value: number }[] };
    expect(events.points.find((p) => p.period === EXPECTED.today)?.value).toBe(12);

    expect(JSON.parse(readFileSync(join(dir, VERSION_FILE), 'utf8'))).toEqual({ format: 'tally-data-dir', parts: PART_VERSIONS });
    running.proc.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
    const db = new Database(join(dir, 'tally.db'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  }, 60_000);
});

describe('a data dir written by a newer collector', () => {
  it('is refused with a clear message by serve, rollup and backup, and left as it was', async () => {
    const dir = copyOfFixture();
    const newer = `${JSON.stringify({ format: 'tally-data-dir', parts: { ...PART_VERSIONS, events: PART_VERSIONS.events + 1, rollup_worker: 3 } })}\n`;
    writeFileSync(join(dir, VERSION_FILE), newer);
    const message = `the data directory ${dir} was written by a newer Tally collector (events format ${PART_VERSIONS.events + 1}, this collector reads up to ${PART_VERSIONS.events}); this collector would misread it: upgrade the collector, or restore a backup made by this version into an empty directory`;
    for (const args of [['serve'], ['rollup'], ['backup', '--to', join(dir, '..', `${dir.split('/').pop()}-backup`)]]) {
      const r = await runCli(args, env(dir));
      expect(r.code, args[0]).toBe(1);
      expect(JSON.parse(r.stderr.trim().split('\n').pop()!), args[0]).toEqual({ ok: false, error: message });
    }
    expect(readFileSync(join(dir, VERSION_FILE), 'utf8')).toBe(newer);
    expect(readFileSync(join(dir, 'events', '2026-11-02.ndjson'))).toEqual(readFileSync(join(FIXTURE, 'events', '2026-11-02.ndjson')));
  }, 60_000);

  it('with a newer tally.db schema is refused too', async () => {
    const dir = copyOfFixture();
    const db = new Database(join(dir, 'tally.db'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const r = await runCli(['serve'], env(dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`tally.db has schema version ${SCHEMA_VERSION + 1}, newer than this collector knows (${SCHEMA_VERSION}): it was written by a newer Tally collector`);
  }, 30_000);

  it('a backup of a newer one is not restored', async () => {
    const dir = copyOfFixture();
    const backup = join(dir, '..', `${dir.split('/').pop()}-b`);
    dirs.push(backup);
    expect((await runCli(['backup', '--to', backup], env(dir))).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8')) as { parts: Record<string, number> };
    manifest.parts.audit = PART_VERSIONS.audit + 1;
    writeFileSync(join(backup, 'manifest.json'), JSON.stringify(manifest));
    const target = join(dir, '..', `${dir.split('/').pop()}-r`);
    const r = await runCli(['restore', '--from', backup], env(target));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr).error).toBe(
      `the backup in ${backup} was made by a newer Tally collector (audit format ${PART_VERSIONS.audit + 1}, this collector reads up to ${PART_VERSIONS.audit}): restore it with that version or newer`,
    );
  }, 30_000);
});
