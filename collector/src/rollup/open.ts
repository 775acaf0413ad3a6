import type { Config } from '../config/config.js';
import type { Clock, Ledger, LogStore, Logger } from '../deps.js';
import type { Analytics } from './analytics.js';

export interface OpenAnalyticsOptions {
  config: Config;
  log: LogStore;
  logger: Logger;
  clock: Clock;
}

/**
 * Opens (or creates and migrates) the SQLite database under `config.dataDir`, rebuilds the real-time
 * structure from the log, subscribes to `log.onAppend`, and schedules the nightly rollup.
 * Placeholder until the metrics work lands: it counts nothing.
 */
export async function openAnalytics(_opts: OpenAnalyticsOptions): Promise<{ analytics: Analytics; ledger: Ledger }> {
  return {
    analytics: { rebuildDays: async () => {}, close: () => {} },
    ledger: { record: () => {} },
  };
}
