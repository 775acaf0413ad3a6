import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chQuery, startClickHouse, type RunningServer } from './testing/servers.js';

/** `pnpm collector clickhouse-schema [--apply]` and `forward --replay --from` against ClickHouse 18.16. */

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
let ch: RunningServer;
let dataDir: string;
beforeAll(async () => {
  ch = await startClickHouse();
  dataDir = await mkdtemp(join(tmpdir(), 'tally-fwd-cli-'));
}, 120_000);
afterAll(async () => {
  await ch?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=tally-source', 'collector/src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TALLY_DATA_DIR: dataDir, TALLY_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const chEnv = (table: string) => ({ TALLY_CLICKHOUSE_URL: ch.address, TALLY_CLICKHOUSE_DATABASE: 'tally_cli', TALLY_CLICKHOUSE_TABLE: table });
const count = async (sql: string) => Number((await chQuery(ch.address, sql)).trim());

describe('forwarder CLI', () => {
  it('clickhouse-schema prints the DDL; --apply creates it on 18.16 without the TTL it lacks', async () => {
    const printed = cli(['clickhouse-schema'], { TALLY_RAW_RETENTION_DAYS: '30' });
    expect(printed.code).toBe(0);
    expect(printed.out).toMatch(/^CREATE TABLE IF NOT EXISTS default\.events/);
    expect(printed.out).toContain('ENGINE = ReplacingMergeTree');
    expect(printed.out).toContain('TTL time + INTERVAL 30 DAY;');

    const applied = cli(['clickhouse-schema', '--apply'], chEnv('replayed'));
    expect(applied.code, applied.err).toBe(0);
    expect(JSON.parse(applied.out)).toMatchObject({ ok: true, table: 'tally_cli.replayed', ttl: false, server_version: expect.stringMatching(/^18\.16\./) });
    expect(await count(`SELECT count() FROM system.tables WHERE database = 'tally_cli' AND name = 'replayed'`)).toBe(1);
    // Idempotent.
    expect(cli(['clickhouse-schema', '--apply'], chEnv('replayed')).code).toBe(0);
  }, 180_000);

  it('forward --replay --from sends history from that day on; a second replay collapses in ClickHouse', async () => {
    const gen = cli(['generate', '--days', '3', '--events-per-day', '200', '--users', '20', '--data-dir', dataDir, '--end', '2026-11-20']);
    expect(gen.code, gen.err).toBe(0);
    const files = (await readdir(join(dataDir, 'events'))).filter((n) => n.endsWith('.ndjson')).sort();
    const lines = async (names: string[]) => (await Promise.all(names.map((n) => readFile(join(dataDir, 'events', n), 'utf8')))).join('').split('\n').filter(Boolean).length;
    const fromSecond = files.slice(1);
    const r1 = cli(['forward', '--replay', '--from', fromSecond[0]!.slice(0, 10)], chEnv('replayed'));
    expect(r1.code, r1.err).toBe(0);
    const n = await lines(fromSecond);
    expect(JSON.parse(r1.out)).toEqual({ ok: true, from: fromSecond[0]!.slice(0, 10), forwarded: { clickhouse: n } });
    expect(await count('SELECT count() FROM tally_cli.replayed')).toBe(n);

    const all = cli(['forward', '--replay', '--from', files[0]!.slice(0, 10)], chEnv('replayed'));
    expect(JSON.parse(all.out).forwarded.clickhouse).toBe(await lines(files));
    await chQuery(ch.address, 'OPTIMIZE TABLE tally_cli.replayed FINAL');
    expect(await count('SELECT count() FROM tally_cli.replayed')).toBe(await lines(files));
    // A replay does not touch the collector's checkpoints.
    await expect(readdir(join(dataDir, 'forward'))).rejects.toThrow();
  }, 240_000);

  it('a replay to a sink that is down fails after a few attempts instead of hanging', () => {
    const r = cli(['forward', '--replay', '--from', '2026-11-18'], { ...chEnv('replayed'), TALLY_CLICKHOUSE_URL: 'http://127.0.0.1:9' });
    expect(r.code, r.err).toBe(1);
    expect(JSON.parse(r.err.trim().split('\n').pop()!)).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
  }, 120_000);

  it('bad input: a clear error and exit 2', () => {
    for (const [args, env, msg] of [
      [['forward', '--from', '2026-11-20'], chEnv('x'), /only --replay/],
      [['forward', '--replay'], chEnv('x'), /--from is required/],
      [['forward', '--replay', '--from', '2026-13-01'], chEnv('x'), /from/],
      [['forward', '--replay', '--from', '2026-11-20', '--sink', 'kafka'], chEnv('x'), /no sink configured for --sink kafka/],
      [['forward', '--replay', '--from', '2026-11-20'], {}, /TALLY_KAFKA_BROKERS and\/or TALLY_CLICKHOUSE_URL/],
      [['clickhouse-schema', '--apply'], {}, /set TALLY_CLICKHOUSE_URL/],
      [['clickhouse-schema'], { TALLY_CLICKHOUSE_URL: 'ftp://x' }, /TALLY_CLICKHOUSE_URL/],
      [['clickhouse-schema'], { TALLY_KAFKA_BROKERS: 'nohostport' }, /TALLY_KAFKA_BROKERS/],
    ] as const) {
      const r = cli([...args], env);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(JSON.parse(r.err.trim().split('\n').pop()!).error).toMatch(msg);
    }
  }, 240_000);
});
