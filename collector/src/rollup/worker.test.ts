import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isStorageFault } from '../deps.js';
import { appFor } from '../testing/query-app.js';
import { createCubeBuilder } from './cube.js';
import { openDb, type Db } from './db.js';
import { stageDays, type StageJob } from './stage.js';
import { createStepLog, segmentId, segmentTriples } from './steps.js';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { createRollupWorker, type RollupWorker } from './worker.js';

// Generous timeouts: the worker loads TypeScript through tsx on first use, seconds on a loaded machine.
describe('rollup staging in a worker thread', { timeout: 60_000 }, () => {
  let worker: RollupWorker | undefined;
  let h: Harness | undefined;
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(async () => {
    await worker?.close();
    h?.close();
    h = undefined;
    for (const db of dbs.splice(0)) db.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDb = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-worker-'));
    dirs.push(dir);
    const db = openDb(dir);
    dbs.push(db);
    return db;
  };

  it('runs in the worker (no fallback) and writes exactly what staging in-process writes', async () => {
    const fallbacks: string[] = [];
    worker = createRollupWorker((e) => fallbacks.push(e));
    const b = createCubeBuilder();
    const steps = createStepLog();
    const d = new Uint32Array(9);
    // More rows than one chunk (16,384), so the day is written in several.
    for (let i = 0; i < 150_000; i++) {
      d[2] = 1 + (i % 3);
      d[3] = i % 7;
      d[5] = i % 50;
      b.add(i % 12_000, d, 1_000_000 + i);
      steps.add(i % 12_000, d[2]!, d[3]!, 1_000_000 + i, segmentId(1, 2, i % 4));
    }
    const v = b.view();
    const job: StageJob = { day: '2026-11-18', mode: 'whole', indexed: true, rows: v.rows, users: v.users, steps: steps.data(), segments: segmentTriples() };
    const [inWorker, inProcess] = [tempDb(), tempDb()];
    const got = await worker.stage(inWorker, [job]);
    const want = stageDays(inProcess, [job]);
    expect(fallbacks).toEqual([]);
    expect(got[0]!.head.hi - got[0]!.head.lo + 1).toBe(Math.ceil(v.rows.n / 16_384));
    expect(v.rows.n).toBeGreaterThan(16_384);
    expect([...got[0]!.users]).toEqual([...want[0]!.users]);
    // Keys are random per staging: compared by (type, feature).
    const content = (db: Db) => ({
      rows: db.prepare('SELECT hex(rows) FROM day_parts ORDER BY rowid').pluck().all(),
      steps: db.prepare('SELECT type, feature, hex(data) d FROM day_steps ORDER BY type, feature').all(),
    });
    expect(content(inWorker)).toEqual(content(inProcess));
  });

  it('keeps the error code of a storage fault in the worker (a 503, not a 500)', async () => {
    worker = createRollupWorker();
    const dir = mkdtempSync(join(tmpdir(), 'tally-worker-'));
    dirs.push(dir);
    // A directory where the database file should be: SQLite cannot open it.
    mkdirSync(join(dir, 'tally.db'));
    const b = createCubeBuilder();
    b.add(1, new Uint32Array(9), 1);
    const v = b.view();
    const job: StageJob = { day: '2026-11-18', mode: 'whole', indexed: true, rows: v.rows, users: v.users, steps: createStepLog().data(), segments: [] };
    const err = await worker.stage({ name: join(dir, 'tally.db') } as Db, [job]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isStorageFault(err)).toBe(true);
  });

  it('keeps every event that arrives while a rollup is staged, exactly once', async () => {
    h = await harness();
    const at = (i: number) => `2026-11-20T${String(8 + (i % 3)).padStart(2, '0')}:00:00Z`;
    await h.log.append(Array.from({ length: 30_000 }, (_, i) => ev(at(i), { user_id: `u${i % 4000}`, feature: `f${i % 9}` })));
    let during = 0;
    let sent = 30_000;
    let done = false;
    const rollup = h.rollups.rollup!().finally(() => (done = true));
    while (!done) {
      await h.log.append(Array.from({ length: 10 }, (_, k) => ev(at(k), { user_id: `late${sent + k}` })));
      sent += 10;
      during++;
      await new Promise((r) => setImmediate(r));
    }
    await rollup;
    expect(during).toBeGreaterThan(0);
    const total = async () => (await appFor(h!).json('/api/analytics/usage?days=1')).body.total_events as number;
    expect(await total()).toBe(sent);
    await h.rollups.rollup!();
    expect(await total()).toBe(sent);
    await h.reopen();
    expect(await total()).toBe(sent);
    const mau = (await appFor(h).json('/api/analytics/usage?days=1')).body.mau as number;
    expect(mau).toBe(4000 + (sent - 30_000));
  });

  it('ignores what a rollup stopped half-way left behind, and the next rollup deletes it', async () => {
    h = await harness();
    await h.log.append(Array.from({ length: 40 }, (_, i) => ev('2026-11-18T10:00:00Z', { user_id: `u${i % 10}`, event_type: i % 2 ? 'action' : 'page_view', feature: 'cta' })));
    await h.rollups.rollup!();
    const ask = async () => {
      const t = appFor(h!);
      return {
        usage: (await t.json('/api/analytics/usage?days=7')).body,
        funnel: (await t.json('/api/analytics/funnel?steps=page_view,action:cta&within=1d&from=2026-11-18&to=2026-11-18')).body,
      };
    };
    const before = await ask();
    // What a rollup killed after staging leaves: rows and index lists that no head names.
    const db = new Database(join(h.dir, 'tally.db'));
    db.exec(`INSERT INTO day_parts (day, rows) SELECT day, rows FROM day_parts WHERE day = '2026-11-18';
             INSERT INTO day_steps (day, type, feature, data) SELECT '2026-11-18~killed', type, feature, data FROM day_steps;`);
    const count = () => db.prepare("SELECT (SELECT COUNT(*) FROM day_parts) p, (SELECT COUNT(DISTINCT day) FROM day_steps) k").get();
    expect(count()).toEqual({ p: 2, k: 2 });
    await h.reopen();
    expect(await ask()).toEqual(before);
    await h.log.append([ev('2026-11-18T11:00:00Z', { user_id: 'late', received_at: '2026-11-20T09:00:00Z' })]);
    await h.rollups.rollup!();
    // The leftovers are gone; the day is its chunk plus the new part, with one index key each.
    expect(count()).toEqual({ p: 2, k: 2 });
    expect(db.prepare("SELECT COUNT(*) FROM day_steps WHERE day = '2026-11-18~killed'").pluck().get()).toBe(0);
    db.close();
    const after = await ask();
    expect(after.usage.total_events).toBe(before.usage.total_events + 1);
    const users = (f: typeof before.funnel) => f.steps.map((s: { users: number }) => s.users);
    // The late page view is one more user at the first step, counted once.
    expect(users(after.funnel)).toEqual([users(before.funnel)[0] + 1, users(before.funnel)[1]]);
  });
});
