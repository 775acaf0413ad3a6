import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSegment } from '../query/segment.js';
import { timeseries } from '../query/series.js';
import { usage } from '../query/usage.js';
import { SCHEMA_VERSION } from './db.js';
import { ev, harness, type Harness } from '../testing/rollup.js';

let h: Harness;
afterEach(() => h?.close());

const events = (from: string, to: string) =>
  timeseries(h.rollups.engine!, 'events', 'day', from, to, resolveSegment(h.rollups.engine!, {})).map((p) => `${p.period}=${p.value}`);
const usage30 = () => usage(h.rollups.engine!, h.rollups.today!(), 30, resolveSegment(h.rollups.engine!, {}), 'x');

function dump(dir: string): string {
  const db = new Database(join(dir, 'tally.db'), { readonly: true });
  try {
    const out: unknown[] = [];
    for (const t of ['days', 'coverage', 'receipts', 'users', 'dict']) out.push(db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all());
    return JSON.stringify(out, (k, v) => (k === 'rolled_at' ? undefined : v?.type === 'Buffer' ? v.data.join('.') : v));
  } finally {
    db.close();
  }
}

describe('rollups', () => {
  it('migrates a fresh database to the current schema version', async () => {
    h = await harness();
    const db = new Database(join(h.dir, 'tally.db'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('is idempotent: a second run writes nothing and changes nothing', async () => {
    h = await harness();
    await h.log.append([ev('2026-11-18T10:00:00Z', { user_id: 'a' }), ev('2026-11-19T10:00:00Z', { user_id: 'b', feature: 'f' })]);
    const first = await h.rollups.rollup!();
    expect(first.days).toEqual(['2026-11-18', '2026-11-19']);
    const before = dump(h.dir);
    const second = await h.rollups.rollup!();
    expect(second).toMatchObject({ days: [], events: 0 });
    expect(dump(h.dir)).toBe(before);
    // A restart re-reads only what is not rolled up, and a rollup after it still changes nothing.
    await h.reopen();
    expect((await h.rollups.rollup!()).days).toEqual([]);
    expect(dump(h.dir)).toBe(before);
    expect(events('2026-11-18', '2026-11-19')).toEqual(['2026-11-18=1', '2026-11-19=1']);
  });

  it('rolls up only the days that received late events since the last run', async () => {
    h = await harness();
    await h.log.append([ev('2026-11-17T10:00:00Z', { user_id: 'a' }), ev('2026-11-19T10:00:00Z', { user_id: 'b' })]);
    await h.rollups.rollup!();
    await h.log.append([ev('2026-11-17T23:00:00Z', { user_id: 'c', received_at: '2026-11-20T11:00:00.000Z' })]);
    expect(events('2026-11-17', '2026-11-17')).toEqual(['2026-11-17=2']);
    expect((await h.rollups.rollup!()).days).toEqual(['2026-11-17']);
    await h.reopen();
    expect(events('2026-11-17', '2026-11-19')).toEqual(['2026-11-17=2', '2026-11-18=0', '2026-11-19=1']);
  });

  it('counts an event_id once even when the log stored it twice (first stored wins)', async () => {
    h = await harness();
    const e = ev('2026-11-20T10:00:00Z', { user_id: 'a', feature: 'first' });
    await h.log.append([e]);
    h.clock.advance(49 * 3600_000); // past the log store's 48 h dedup window
    await h.log.append([{ ...e, feature: 'second', received_at: '2026-11-22T13:00:00.000Z' }]);
    expect(h.log.events).toHaveLength(2);
    const u = usage(h.rollups.engine!, '2026-11-22', 7, resolveSegment(h.rollups.engine!, {}), 'x');
    expect(u.total_events).toBe(1);
    expect(u.feature_usage).toEqual([{ feature: 'first', events: 1 }]);
    await h.reopen();
    expect(usage(h.rollups.engine!, '2026-11-22', 7, resolveSegment(h.rollups.engine!, {}), 'x').total_events).toBe(1);
  });

  it('puts events on the calendar day of TALLY_TZ, and `rebuildAll` moves them after a TZ change', async () => {
    h = await harness({ tz: 'America/Los_Angeles' });
    // 05:00Z is 21:00 the day before in Los Angeles and 14:00 the same day in Tokyo.
    await h.log.append([ev('2026-11-20T05:00:00Z', { user_id: 'a' }), ev('2026-11-19T20:00:00Z', { user_id: 'b' })]);
    expect(events('2026-11-18', '2026-11-20')).toEqual(['2026-11-18=0', '2026-11-19=2', '2026-11-20=0']);
    await h.rollups.rollup!();
    await h.reopen({ timeZone: 'Asia/Tokyo' });
    const report = await h.rollups.rebuildAll!();
    expect(report.days).toEqual(['2026-11-20']);
    expect(events('2026-11-19', '2026-11-20')).toEqual(['2026-11-19=0', '2026-11-20=2']);
    await h.reopen();
    expect(events('2026-11-19', '2026-11-20')).toEqual(['2026-11-19=0', '2026-11-20=2']);
  });

  it('rebuildDays recomputes days whose events vanished from the log, and forgetUsers leaves no trace on disk', async () => {
    h = await harness();
    const secret = 'zz-secret-person-42';
    await h.log.append([
      ev('2026-11-18T10:00:00Z', { user_id: secret, feature: 'f' }),
      ev('2026-11-18T11:00:00Z', { user_id: 'other' }),
      ev('2026-11-20T09:00:00Z', { user_id: secret }),
    ]);
    await h.rollups.rollup!();
    expect(usage30().mau).toBe(2);
    for (const day of await h.log.days()) await h.log.rewriteDay(day, (e) => e.user_id !== secret);
    await h.rollups.rebuildDays(['2026-11-18', '2026-11-20']);
    await h.rollups.forgetUsers!([secret]);
    expect(usage30()).toMatchObject({ mau: 1, total_events: 1, unique_days: 1, feature_usage: [] });
    for (const f of readdirSync(h.dir)) expect(readFileSync(join(h.dir, f)).includes(secret), f).toBe(false);
    await h.reopen();
    expect(usage30()).toMatchObject({ mau: 1, total_events: 1, unique_days: 1 });
  });

  it('rebuildDays reads only the log files that hold the day (its coverage and live files), and counts exactly', async () => {
    h = await harness();
    await h.log.append([ev('2026-11-17T10:00:00Z', { user_id: 'a' }), ev('2026-11-18T10:00:00Z', { user_id: 'a' }), ev('2026-11-18T12:00:00Z', { user_id: 'b' })]);
    await h.log.append([ev('2026-11-19T10:00:00Z', { user_id: 'c' })]);
    // A late event of the 18th, received on the 20th: rolled up, so its file is in the 18th's coverage.
    await h.log.append([ev('2026-11-18T23:00:00Z', { user_id: 'd', received_at: '2026-11-20T08:00:00Z' })]);
    await h.rollups.rollup!();
    // And one more, live only.
    await h.log.append([ev('2026-11-18T23:30:00Z', { user_id: 'e', received_at: '2026-11-21T08:00:00Z' })]);
    const read: string[] = [];
    const readDay = h.log.readDay.bind(h.log);
    h.log.readDay = (r) => {
      read.push(r);
      return readDay(r);
    };
    await h.rollups.rebuildDays(['2026-11-18']);
    expect(read.sort()).toEqual(['2026-11-18', '2026-11-20', '2026-11-21']);
    expect(events('2026-11-17', '2026-11-19')).toEqual(['2026-11-17=1', '2026-11-18=4', '2026-11-19=1']);
    // A day nothing is known of: its neighbours may hold it (time zones), so they are read.
    read.length = 0;
    await h.rollups.rebuildDays(['2026-11-16']);
    expect(read.sort()).toEqual(['2026-11-17']);
  });

  it('rebuildDays keeps events appended while it reads the log exactly once', async () => {
    h = await harness();
    await h.log.append([ev('2026-11-20T09:00:00Z', { user_id: 'a' })]);
    const rebuilding = h.rollups.rebuildDays(['2026-11-20']);
    await h.log.append([ev('2026-11-20T10:00:00Z', { user_id: 'b' })]);
    await rebuilding;
    expect(events('2026-11-20', '2026-11-20')).toEqual(['2026-11-20=2']);
    await h.rollups.rollup!();
    await h.reopen();
    expect(events('2026-11-20', '2026-11-20')).toEqual(['2026-11-20=2']);
  });

  it('says which log files are fully rolled up and purges old rollup rows', async () => {
    h = await harness();
    await h.log.append([
      ev('2026-11-10T10:00:00Z', { user_id: 'old', url: '/gone-with-the-day' }),
      ev('2026-11-19T10:00:00Z', { user_id: 'a', url: '/kept' }),
      ev('2026-11-20T10:00:00Z', { user_id: 'a' }),
    ]);
    expect(h.rollups.isRolledUp!('2026-11-19')).toBe(false);
    await h.rollups.rollup!();
    expect(h.rollups.isRolledUp!('2026-11-19')).toBe(true);
    expect(h.rollups.isRolledUp!('2026-11-20')).toBe(false); // still being appended to
    expect(h.rollups.purgeRollupsBefore!('2026-11-15', { dryRun: true })).toEqual({ days: ['2026-11-10'], rows: 1 });
    expect(events('2026-11-10', '2026-11-10')).toEqual(['2026-11-10=1']);
    expect(h.rollups.purgeRollupsBefore!('2026-11-15')).toEqual({ days: ['2026-11-10'], rows: 1 });
    expect(events('2026-11-10', '2026-11-10')).toEqual(['2026-11-10=0']);
    // The user and the url seen only on the purged day are gone from the users and dict tables too.
    const db = readFileSync(join(h.dir, 'tally.db'));
    expect(db.includes('old')).toBe(false);
    expect(db.includes('/gone-with-the-day')).toBe(false);
    const wal = join(h.dir, 'tally.db-wal');
    expect(Buffer.concat([db, existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)]).includes('/kept')).toBe(true);
  });

  it('records the completeness ledger durably', async () => {
    h = await harness();
    await h.ledger.record({ day: '2026-11-20', app: 'web', accepted: 5, duplicates: 1, rejected: { invalid_ts: 2 }, dropped: 3, bots: 1 });
    await h.ledger.record({ day: '2026-11-20', app: 'web', accepted: 2, duplicates: 0, rejected: { invalid_ts: 1, too_old: 1 }, dropped: 0, bots: 0 });
    await h.ledger.record({ day: '2026-11-19', app: 'ios', accepted: 1, duplicates: 0, rejected: {}, dropped: 0, bots: 0 });
    await h.reopen();
    expect(h.rollups.completeness!('2026-11-19', '2026-11-20')).toEqual([
      { day: '2026-11-19', accepted: 1, duplicates: 0, rejected: {}, rejected_total: 0, bots: 0, dropped: 0, other: {} },
      { day: '2026-11-20', accepted: 7, duplicates: 1, rejected: { invalid_ts: 3, too_old: 1 }, rejected_total: 4, bots: 1, dropped: 3, other: {} },
    ]);
    expect(h.rollups.completeness!('2026-11-19', '2026-11-20', 'ios')[1]).toMatchObject({ accepted: 0 });
  });
});
