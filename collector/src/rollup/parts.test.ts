import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { appFor } from '../testing/query-app.js';
import { MAX_PARTS } from './jobs.js';
import { ev, harness, type Harness } from '../testing/rollup.js';

/**
 * A rollup of a day that is already rolled up (late events, a second rollup of today) appends the
 * new events as a part instead of rewriting the day: the day's rows stay as written, the part holds
 * only the new rows, and every answer is the same as from a day written whole.
 */
// Generous timeout: the first rollup of a test file starts the encoding worker (tsx), seconds on a loaded machine.
describe('rollups of an already rolled-up day', { timeout: 60_000 }, () => {
  let h: Harness;
  afterEach(() => h.close());
  const sql = (q: string, ...a: unknown[]) => {
    const db = new Database(join(h.dir, 'tally.db'), { readonly: true });
    try {
      return db.prepare(q).all(...a) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };
  const answers = async () => {
    const t = appFor(h);
    const q = async (p: string) => (await t.json(p)).body;
    return {
      usage: await q('/api/analytics/usage?days=7'),
      breakdown: await q('/api/analytics/breakdown?by=url&from=2026-11-18&to=2026-11-20'),
      filtered: await q('/api/analytics/usage?days=7&feature=cta'),
      funnel: await q('/api/analytics/funnel?steps=page_view,action:cta&within=1d&from=2026-11-18&to=2026-11-20'),
      series: await q('/api/analytics/timeseries?metric=active_users&from=2026-11-18&to=2026-11-20'),
    };
  };

  it('appends a part holding only the new rows, keeps the funnel index, and answers as a whole day would', async () => {
    h = await harness();
    await h.log.append(Array.from({ length: 50 }, (_, i) => ev('2026-11-18T10:00:00Z', { user_id: `u${i % 20}`, url: `/p${i % 5}` })));
    await h.rollups.rollup!();
    // The day's rows sit in day_parts under its head (stage.ts); `days.rows` is left empty.
    const chunks = () => sql("SELECT rowid id, rows FROM day_parts WHERE day = '2026-11-18' ORDER BY rowid");
    const base = chunks();
    expect(base).toHaveLength(1);
    expect(sql("SELECT length(rows) n FROM days WHERE day = '2026-11-18'")).toEqual([{ n: 0 }]);

    const late = (i: number) => [
      ev('2026-11-18T12:00:00Z', { user_id: `late${i}`, url: '/late', received_at: '2026-11-20T09:00:00Z' }),
      ev('2026-11-18T12:30:00Z', { user_id: `late${i}`, event_type: 'action', feature: 'cta', received_at: '2026-11-20T09:00:00Z' }),
      ev('2026-11-18T13:00:00Z', { user_id: 'u1', event_type: 'action', feature: 'cta', received_at: '2026-11-20T09:00:00Z' }),
    ];
    await h.log.append(late(0));
    const live = await answers();
    await h.rollups.rollup!();
    const after = chunks();
    expect(after[0]).toEqual(base[0]);
    // Three new (user, dimensions) rows of 52 bytes: f64 first time, u32 user, 9 dimensions, count.
    expect(after.slice(1).map((c) => (c.rows as Buffer).length)).toEqual([3 * 52]);
    // The part's funnel lists sit under a key of their own, merged on read.
    expect(sql('SELECT COUNT(DISTINCT day) n FROM day_steps')).toEqual([{ n: 2 }]);
    // The user id lists likewise: the day's 20 users as written, then only the one new user (4
    // bytes), not the day's list again; nothing of the list is left in `days.user_ids`.
    expect(sql('SELECT length(data) n FROM day_users ORDER BY rowid').map((r) => r.n)).toEqual([20 * 4, 4]);
    expect(sql("SELECT length(user_ids) n, users FROM days WHERE day = '2026-11-18'")).toEqual([{ n: 0, users: 21 }]);
    expect(sql("SELECT steps FROM days WHERE day = '2026-11-18'")).toEqual([{ steps: 1 }]);
    expect(await answers()).toEqual(live);
    expect(live.funnel.steps.map((s: { users: number }) => s.users)).toEqual([21, 2]);
    await h.reopen();
    expect(await answers()).toEqual(live);

    // A rebuild from the log writes the day whole, with the same answers.
    await h.rollups.rebuildDays(['2026-11-18']);
    expect(sql('SELECT COUNT(*) n FROM day_parts')).toEqual([{ n: 1 }]);
    expect(sql('SELECT length(data) n FROM day_users')).toEqual([{ n: 21 * 4 }]);
    expect(sql('SELECT COUNT(DISTINCT day) n FROM day_steps')).toEqual([{ n: 1 }]);
    expect(await answers()).toEqual(live);
  });

  it(`writes the day whole again once it has ${MAX_PARTS} parts`, async () => {
    h = await harness();
    await h.log.append([ev('2026-11-18T10:00:00Z', { user_id: 'a' })]);
    await h.rollups.rollup!();
    for (let i = 0; i < MAX_PARTS + 1; i++) {
      await h.log.append([ev('2026-11-18T11:00:00Z', { user_id: `late${i}`, received_at: '2026-11-20T09:00:00Z' })]);
      await h.rollups.rollup!();
    }
    // One chunk and one index key again: what the parts were named by is deleted.
    expect(sql('SELECT COUNT(*) n FROM day_parts')).toEqual([{ n: 1 }]);
    expect(sql('SELECT COUNT(DISTINCT day) n FROM day_steps')).toEqual([{ n: 1 }]);
    expect(sql('SELECT length(data) n FROM day_users')).toEqual([{ n: (MAX_PARTS + 2) * 4 }]);
    const { body } = await appFor(h).json('/api/analytics/timeseries?metric=active_users&from=2026-11-18&to=2026-11-18');
    expect(body.points).toEqual([{ period: '2026-11-18', value: MAX_PARTS + 2 }]);
  });
});
