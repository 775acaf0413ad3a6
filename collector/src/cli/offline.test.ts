import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as erase } from './erase.js';
import { run as exportCmd } from './export.js';
import { run as generate } from './generate.js';
import { run as purge } from './purge.js';
import { openOffline } from './offline-deps.js';
import { addDays } from '../shared/index.js';
import { freePort } from '../testing/index.js';
import { captureStdio, type CapturedStdio } from '../testing/stdio.js';

/** The commands on a temp data dir with no collector running: generate → purge → rollup → purge → erase. */

let dataDir: string;
let io: CapturedStdio;
const saved = { ...process.env };

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-cli-offline-'));
  Object.assign(process.env, {
    TALLY_DATA_DIR: dataDir,
    TALLY_HOST: '127.0.0.1',
    TALLY_PORT: String(await freePort()),
    TALLY_RAW_RETENTION_DAYS: '3',
    TALLY_LOG_LEVEL: 'silent',
  });
  io = captureStdio();
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.env = { ...saved };
  await rm(dataDir, { recursive: true, force: true });
});

const take = () => {
  const v = JSON.parse(io.out);
  io.out = '';
  return v;
};

async function grepAll(needle: string): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const p = join(dir, name);
      if ((await stat(p)).isDirectory()) await walk(p);
      else if ((await readFile(p)).includes(Buffer.from(needle))) hits.push(p);
    }
  };
  await walk(dataDir);
  return hits;
}

describe('privacy commands without a running collector', () => {
  it('purge waits for rollups, then deletes; erase leaves no trace anywhere', async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect(await generate(['--days', '5', '--events-per-day', '300', '--users', '100', '--end', today, '--seed', 'cli'])).toBe(0);
    take();
    const expired = [addDays(today, -4), addDays(today, -3)];

    expect(await purge(['--dry-run'])).toBe(0);
    expect(take().raw).toEqual({ retention_days: 3, keep_from: addDays(today, -2), deleted: [], waiting_for_rollup: expired, waiting_for_forwarder: [] });

    const deps = await openOffline();
    await deps.rollups.rollup!();
    await deps.close();

    expect(await purge(['--dry-run'])).toBe(0);
    expect(take().raw.deleted).toEqual(expired);
    expect((await readdir(join(dataDir, 'events'))).length).toBe(5);
    expect(await purge([])).toBe(0);
    expect(take().raw.deleted).toEqual(expired);
    expect((await readdir(join(dataDir, 'events'))).sort()).toEqual([-2, -1, 0].map((d) => `${addDays(today, d)}.ndjson`));

    const someone = /"user_id":"([^"]+)"/.exec(await readFile(join(dataDir, 'events', `${today}.ndjson`), 'utf8'))![1]!;
    const sink = new PassThrough();
    let exported = '';
    sink.on('data', (c) => (exported += String(c)));
    expect(await exportCmd(['--user', someone], sink)).toBe(0);
    const mine = exported.trim().split('\n').map((l) => JSON.parse(l) as { user_id?: string; anonymous_id?: string });
    const linked = new Set(mine.filter((e) => e.user_id === someone).map((e) => e.anonymous_id));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.user_id === someone || linked.has(e.anonymous_id))).toBe(true);

    expect(await erase(['--user', someone])).toBe(0);
    const result = take();
    expect(result).toMatchObject({ ok: true });
    expect(result.removed).toBe(mine.length);
    expect(await grepAll(someone)).toEqual([]);

    const audit = (await readFile(join(dataDir, 'audit.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(audit.map((a) => a.action)).toEqual(['purge', 'export', 'erase']);
    expect(audit.every((a) => String(a.actor).startsWith('cli:'))).toBe(true);
    expect(io.err).toBe('');
  }, 60_000);
});
