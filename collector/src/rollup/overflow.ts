import { DIMS } from './cube.js';
import type { Db } from './db.js';

/**
 * Events whose value of a dimension was counted under `(other)` because the day already had its
 * cap of distinct values (dims.ts), per UTC receipt day (as completeness reports), event day (as
 * rollups are rebuilt) and app (as completeness filters). Live counts sit in memory until the
 * rollup of their day persists them, in the same transaction as the day's rows.
 */
export interface OverflowSink {
  /** An event of log file `receiptDay`, day `day`, app `app` went to `(other)` in the dims of `mask`. */
  note(receiptDay: string, day: string, app: string, mask: number): void;
}

/** Counts noted by a rebuild, written with its days. */
export interface OverflowCounts extends OverflowSink {
  readonly counts: Map<string, Float64Array>;
}

export interface Overflow extends OverflowSink {
  /** A copy of the live counts of `day` (when a rollup seals its rows). */
  snapshot(day: string): Map<string, Float64Array>;
  /** Persists a snapshot (inside the rollup's transaction) and takes it off the live counts. */
  commit(day: string, snapshot: Map<string, Float64Array>): void;
  /** Drops the live counts of `day` (its live events are dropped before a rebuild). */
  forgetLive(day: string): void;
  /** Replaces the persisted counts of `days` with a rebuild's (inside its transaction). */
  replace(days: Iterable<string>, rebuilt: OverflowCounts): void;
  /** Per receipt day in `from`..`to`: events per dimension name counted under `(other)`. */
  read(from: string, to: string, app?: string): Map<string, Record<string, number>>;
  clear(): void;
}

const SEP = '\u0000';

export function createOverflowCounts(): OverflowCounts {
  const counts = new Map<string, Float64Array>();
  return {
    counts,
    note(r, day, app, mask) {
      const key = r + SEP + day + SEP + app;
      let c = counts.get(key);
      if (c === undefined) counts.set(key, (c = new Float64Array(DIMS.length)));
      for (let i = 0; i < DIMS.length; i++) if (mask & (1 << i)) c[i]!++;
    },
  };
}

export function createOverflow(db: Db): Overflow {
  const { counts: live, note } = createOverflowCounts();
  const q = {
    add: db.prepare(
      `INSERT INTO dim_overflow (receipt_day, day, app, dim, events) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET events = events + excluded.events`,
    ),
    forget: db.prepare('DELETE FROM dim_overflow WHERE day = ?'),
    read: db.prepare(
      `SELECT receipt_day r, dim, SUM(events) n FROM dim_overflow WHERE receipt_day BETWEEN @from AND @to
       AND (@app IS NULL OR app = @app) GROUP BY receipt_day, dim`,
    ),
  };
  const liveOf = (day: string) => [...live].filter(([k]) => k.split(SEP)[1] === day);
  const write = (key: string, c: Float64Array) => {
    const [r, day, app] = key.split(SEP) as [string, string, string];
    c.forEach((n, i) => n > 0 && q.add.run(r, day, app, DIMS[i], n));
  };
  return {
    note,
    snapshot: (day) => new Map(liveOf(day).map(([k, c]) => [k, c.slice()])),
    commit(day, snap) {
      for (const [key, c] of snap) {
        write(key, c);
        const now = live.get(key);
        if (now === undefined) continue;
        for (let i = 0; i < c.length; i++) now[i]! -= c[i]!;
        if (now.every((n) => n === 0)) live.delete(key);
      }
    },
    forgetLive(day) {
      for (const [key] of liveOf(day)) live.delete(key);
    },
    replace(days, rebuilt) {
      for (const day of days) q.forget.run(day);
      for (const [key, c] of rebuilt.counts) write(key, c);
    },
    read(from, to, app) {
      const out = new Map<string, Record<string, number>>();
      const add = (r: string, dim: string, n: number) => {
        let o = out.get(r);
        if (o === undefined) out.set(r, (o = {}));
        o[dim] = (o[dim] ?? 0) + n;
      };
      for (const row of q.read.all({ from, to, app: app ?? null }) as { r: string; dim: string; n: number }[]) add(row.r, row.dim, row.n);
      for (const [key, c] of live) {
        const [r, , a] = key.split(SEP) as [string, string, string];
        if (r < from || r > to || (app !== undefined && a !== app)) continue;
        c.forEach((n, i) => n > 0 && add(r, DIMS[i]!, n));
      }
      return out;
    },
    clear() {
      live.clear();
      db.exec('DELETE FROM dim_overflow');
    },
  };
}
