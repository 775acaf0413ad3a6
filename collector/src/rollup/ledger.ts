import type { DropReport, IngestTally, Ledger } from '../deps.js';
import type { Db } from './db.js';
import { addDays } from '../shared/index.js';
import type { WriteGate } from './write-gate.js';

export interface CompletenessDay {
  day: string;
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
  rejected_total: number;
  bots: number;
  dropped: number;
}

/**
 * How many receipt days a drop report id is remembered after the last batch that carried it. A
 * resend arriving later than that counts its whole total again (SDKs resend within minutes; an id
 * stays open only until one of its batches is acknowledged).
 */
export const DROP_REPORT_DAYS = 7;

/**
 * How many receipt days a rejected event's id is remembered after the last batch that carried it:
 * an id last rejected on day D is recognised through D + 2 and forgotten from D + 3, so at least the
 * 48 hours for which the event log recognises a resent valid event.
 */
export const REJECTED_ID_DAYS = 2;

/**
 * The completeness counters, one upsert transaction per ingestion request: committed before the
 * request's answer goes out, so a restart never forgets what was acknowledged (WAL, synchronous =
 * NORMAL: a process crash loses nothing, a power cut at worst the last few requests' counters).
 * A drop report's largest total and a rejected event's id are remembered in the same transaction
 * as the counts they add, so no crash can count something without remembering it, or the other
 * way round.
 */
export function createLedger(db: Db, gate?: WriteGate): Ledger {
  const upsert = db.prepare(
    `INSERT INTO ledger (day, app, accepted, duplicates, dropped, bots) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (day, app) DO UPDATE SET accepted = accepted + excluded.accepted,
       duplicates = duplicates + excluded.duplicates, dropped = dropped + excluded.dropped, bots = bots + excluded.bots`,
  );
  const reject = db.prepare(
    `INSERT INTO ledger_rejected (day, app, reason, n) VALUES (?, ?, ?, ?)
     ON CONFLICT (day, app, reason) DO UPDATE SET n = n + excluded.n`,
  );
  const countedTotal = db.prepare('SELECT total FROM drop_reports WHERE app = ? AND id = ?').pluck();
  const remember = db.prepare(
    `INSERT INTO drop_reports (app, id, total, day) VALUES (?, ?, ?, ?)
     ON CONFLICT (app, id) DO UPDATE SET total = MAX(total, excluded.total), day = MAX(day, excluded.day)`,
  );
  const newRejection = db.prepare('INSERT INTO rejected_ids (app, id, day) VALUES (?, ?, ?) ON CONFLICT (app, id) DO NOTHING');
  const rejectedAgain = db.prepare('UPDATE rejected_ids SET day = MAX(day, ?) WHERE app = ? AND id = ?');
  const pruneReports = db.prepare('DELETE FROM drop_reports WHERE day < ?');
  const pruneRejected = db.prepare('DELETE FROM rejected_ids WHERE day < ?');
  const remembers = (t: IngestTally) => t.dropReport !== undefined || t.rejectedIds !== undefined;
  // Pruning before the first lookup of each receipt day makes the day horizons exact, whether or
  // not the process ran in between.
  let prunedFor = '';
  const prune = (day: string) => {
    pruneReports.run(addDays(day, -DROP_REPORT_DAYS));
    pruneRejected.run(addDays(day, -REJECTED_ID_DAYS));
  };
  const reportIncrease = (t: IngestTally, report: DropReport): number => {
    const counted = (countedTotal.get(t.app, report.id) as number | undefined) ?? 0;
    remember.run(t.app, report.id, report.total, t.day);
    return Math.max(0, report.total - counted);
  };
  // Id-less rejections as they come, each id'd one only the first time its (app, id) is seen
  // (within this request too: the log likewise stores one of two valid events sharing an id).
  const rejectedCounts = (t: IngestTally): Record<string, number> => {
    const counts: Record<string, number> = { ...t.rejected };
    for (const r of t.rejectedIds ?? []) {
      if (newRejection.run(t.app, r.id, t.day).changes > 0) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
      else rejectedAgain.run(t.day, t.app, r.id);
    }
    return counts;
  };
  const write = db.transaction((t: IngestTally): number => {
    if (remembers(t) && t.day !== prunedFor) prune(t.day);
    const dropped = t.dropped + (t.dropReport ? reportIncrease(t, t.dropReport) : 0);
    upsert.run(t.day, t.app, t.accepted, t.duplicates, dropped, t.bots);
    for (const [reason, n] of Object.entries(rejectedCounts(t))) if (n > 0) reject.run(t.day, t.app, reason, n);
    return dropped;
  });
  return {
    record(tally) {
      const once = () => {
        const dropped = write(tally);
        // Only once committed: a rolled-back prune must run again.
        if (remembers(tally)) prunedFor = tally.day;
        return dropped;
      };
      return gate === undefined ? once() : gate.run(once);
    },
  };
}

/** Per-day counters for receipt days `from`..`to` (UTC), optionally for one app; days without traffic are zero. */
export function readCompleteness(db: Db, from: string, to: string, days: string[], app?: string): CompletenessDay[] {
  const appClause = app === undefined ? '' : ' AND app = @app';
  const main = db
    .prepare(
      `SELECT day, SUM(accepted) a, SUM(duplicates) d, SUM(dropped) dr, SUM(bots) b FROM ledger
       WHERE day BETWEEN @from AND @to${appClause} GROUP BY day`,
    )
    .all({ from, to, app }) as { day: string; a: number; d: number; dr: number; b: number }[];
  const rej = db
    .prepare(
      `SELECT day, reason, SUM(n) n FROM ledger_rejected WHERE day BETWEEN @from AND @to${appClause} GROUP BY day, reason`,
    )
    .all({ from, to, app }) as { day: string; reason: string; n: number }[];
  const out = new Map<string, CompletenessDay>(
    days.map((day) => [day, { day, accepted: 0, duplicates: 0, rejected: {}, rejected_total: 0, bots: 0, dropped: 0 }]),
  );
  for (const r of main) {
    const d = out.get(r.day);
    if (d) Object.assign(d, { accepted: r.a, duplicates: r.d, dropped: r.dr, bots: r.b });
  }
  for (const r of rej) {
    const d = out.get(r.day);
    if (!d) continue;
    d.rejected[r.reason] = r.n;
    d.rejected_total += r.n;
  }
  return [...out.values()];
}
