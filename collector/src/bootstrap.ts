import type { Config } from './config/index.js';
import type { AppDeps, Clock } from './deps.js';
import { createLogger, createMetrics, scheduleNightly } from './ops/index.js';
import { openLogStore } from './logstore/index.js';
import { openRollups } from './rollup/index.js';
import { appendAudit, purgeExpired } from './privacy/index.js';
import { createForwardThread } from './forward/index.js';
import { startFunnelThreads, startQueryWarmer } from './query/index.js';

/**
 * Builds the real dependencies of the collector from its configuration: JSON logger, metrics, the
 * durable log (repaired and dedup index rebuilt before anything is served), and the query side.
 */
export async function createDeps(config: Config, clock: Clock = { now: () => Date.now() }): Promise<AppDeps> {
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();
  startFunnelThreads();
  const log = await openLogStore({
    dataDir: config.dataDir,
    fsync: config.fsync,
    logger,
    clock,
    onFsync: (seconds) => metrics.observeFsync(seconds),
  });
  const { rollups, ledger } = await openRollups({ config, log, logger, clock });
  // Forwarders tail the log in their own thread; ingestion never waits on them.
  const forward = createForwardThread({
    config: config.forward,
    dataDir: config.dataDir,
    log,
    logger,
    onErased: (sink, e) => appendAudit(config.dataDir, { action: 'erase', actor: `forwarder:${sink}`, subject: e.subject, sink, confirmed: true }, clock.now()),
  });
  const nightly = scheduleNightly({
    cron: config.rollupCron,
    timeZone: config.timeZone,
    logger,
    rollup: () => rollups.rollup(),
    // Retention runs right after the nightly rollup, so every expired file it may delete is rolled up.
    after: async () => {
      const report = await purgeExpired({ config, log, rollups, clock, forward, logger }, { actor: 'nightly' });
      logger.info('retention applied', { raw_deleted: report.raw.deleted.length, raw_waiting: report.raw.waiting_for_rollup.length, rollup_days_deleted: report.rollups.days.length });
    },
  });
  const deps: AppDeps = { config, log, ledger, logger, clock, rollups, metrics, forward, queryWarmer: startQueryWarmer(rollups, logger), nightly };
  await forward?.start();
  return deps;
}

/** Closes in dependency order: the query side stops listening to the log, then the log flushes and closes. */
export async function closeDeps(deps: AppDeps): Promise<void> {
  deps.nightly?.stop();
  await deps.forward?.stop();
  deps.queryWarmer?.stop();
  await deps.rollups.close();
  await deps.log.close();
}
