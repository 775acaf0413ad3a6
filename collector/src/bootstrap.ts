import type { Config } from './config/config.js';
import type { AppDeps, Clock } from './deps.js';
import { createLogger, createMetrics } from './ops/index.js';
import { openLogStore } from './logstore/index.js';
import { openAnalytics } from './rollup/open.js';

/**
 * Builds the real dependencies of the collector from its configuration: JSON logger, metrics, the
 * durable log (repaired and dedup index rebuilt before anything is served), and the query side.
 */
export async function createDeps(config: Config, clock: Clock = { now: () => Date.now() }): Promise<AppDeps> {
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();
  const log = await openLogStore({
    dataDir: config.dataDir,
    fsync: config.fsync,
    logger,
    clock,
    onFsync: (seconds) => metrics.observeFsync(seconds),
  });
  const { analytics, ledger } = await openAnalytics({ config, log, logger, clock });
  return { config, log, ledger, logger, clock, analytics, metrics };
}

/** Closes in dependency order: the query side stops listening to the log, then the log flushes and closes. */
export async function closeDeps(deps: AppDeps): Promise<void> {
  deps.analytics.close();
  await deps.log.close();
}
