import { appendAudit } from './audit.js';
import { allCheckpoints } from '../forward/index.js';
import { addDays, dayInZone } from '../shared/index.js';
import type { PrivacyDeps } from './erase.js';
import { exclusive } from './exclusive.js';

export interface PurgeReport {
  ok: true;
  dry_run: boolean;
  raw: {
    retention_days: number;
    /** Oldest UTC receipt day kept; files of earlier days are expired. */
    keep_from: string;
    /** Expired log files deleted (or, in a dry run, that would be). */
    deleted: string[];
    /** Expired log files kept because their events are not all in persisted rollups yet. */
    waiting_for_rollup: string[];
    /** Expired log files kept because a forwarder has not finished them (`$TALLY_DATA_DIR/forward/*.json`). */
    waiting_for_forwarder: string[];
  };
  rollups: {
    retention_days: number;
    /** Oldest day (TALLY_TZ) whose rollup rows are kept. */
    keep_from: string;
    days: string[];
    rows: number;
  };
}

export interface PurgeOptions {
  dryRun?: boolean;
  /** Recorded in the audit log, e.g. `nightly` or `cli:alice`. */
  actor?: string;
}

/**
 * Applies TALLY_RAW_RETENTION_DAYS and TALLY_ROLLUP_RETENTION_DAYS. "Keep N days" means today and
 * the N−1 days before it: with N = 90 on 2026-11-22 the oldest kept log file is 2026-08-25.
 * Raw days are UTC receipt days (the log's file names); rollup days are calendar days in TALLY_TZ.
 *
 * A log file is deleted only once the rollup store confirms every event in it is rolled up — a
 * receipt day can hold late events of older days, so the question is asked per file, not per date.
 * Safe to call from the nightly job after its rollup; a dry run reports and deletes nothing.
 */
export async function purgeExpired(deps: PrivacyDeps, opts: PurgeOptions = {}): Promise<PurgeReport> {
  const dryRun = opts.dryRun === true;
  const rollups = {
    purge: async (before: string, dryRun: boolean) => deps.rollups.purgeRollupsBefore(before, { dryRun }),
    rolledUp: async (day: string) => deps.rollups.isRolledUp(day),
  };
  return exclusive(async () => {
    const now = deps.clock.now();
    const rawKeepFrom = addDays(dayInZone(now, 'UTC'), -(deps.config.rawRetentionDays - 1));
    const rollupKeepFrom = addDays(dayInZone(now, deps.config.timeZone), -(deps.config.rollupRetentionDays - 1));
    const deleted: string[] = [];
    const waiting: string[] = [];
    const forwarding: string[] = [];
    // Every checkpoint on disk counts, configured sink or not: a retired sink's file must be deleted.
    const forwarderDay = (await allCheckpoints(deps.config.dataDir)).map((c) => c.checkpoint.day).filter((d) => d !== '').sort()[0];
    for (const day of await deps.log.days()) {
      if (day >= rawKeepFrom) break;
      if (forwarderDay !== undefined && day >= forwarderDay) {
        forwarding.push(day);
        continue;
      }
      if (!(await rollups.rolledUp(day))) {
        waiting.push(day);
        continue;
      }
      if (!dryRun) await deps.log.deleteDay(day);
      deleted.push(day);
    }
    const purged = await rollups.purge(rollupKeepFrom, dryRun);
    const report: PurgeReport = {
      ok: true,
      dry_run: dryRun,
      raw: { retention_days: deps.config.rawRetentionDays, keep_from: rawKeepFrom, deleted, waiting_for_rollup: waiting, waiting_for_forwarder: forwarding },
      rollups: { retention_days: deps.config.rollupRetentionDays, keep_from: rollupKeepFrom, days: purged.days, rows: purged.rows },
    };
    if (!dryRun) {
      await appendAudit(
        deps.config.dataDir,
        {
          action: 'purge',
          actor: opts.actor ?? 'unknown',
          raw_files_deleted: deleted.length,
          raw_files_waiting: waiting.length,
          raw_files_waiting_for_forwarder: forwarding.length,
          rollup_days_deleted: purged.days.length,
          rollup_rows_deleted: purged.rows,
        },
        now,
      );
    }
    return report;
  });
}
