import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Cron } from 'croner';
import type { Logger } from '../deps.js';

export interface NightlyOptions {
  /** `TALLY_ROLLUP_CRON`, read in `timeZone` (TALLY_TZ): the night is the collector's night. */
  cron: string;
  timeZone: string;
  logger: Logger;
  /** The rollup of every day with live events (`rollups.rollup`). */
  rollup: () => Promise<{ days: string[]; events: number; ms: number }>;
  /** Runs after each rollup (serve wires retention here: every file it may delete is rolled up by then). */
  after?: () => Promise<void>;
}

/**
 * The nightly job of `serve`. Only the composition root schedules it: one-shot commands and tests
 * open the rollups without it. `protect`: a night that overruns is not started twice.
 */
export function scheduleNightly(opts: NightlyOptions): { stop(): void } {
  const { logger } = opts;
  const job = new Cron(opts.cron, { protect: true, timezone: opts.timeZone, catch: (err) => logger.error('nightly rollup failed', { error: String(err) }) }, async () => {
    // How long the event loop was held while the rollup ran (its worker should keep it short).
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const report = await opts.rollup().finally(() => loop.disable());
    const loopMs = (ns: number) => Math.round(ns / 1e5) / 10;
    logger.info('nightly rollup', { days: report.days.length, events: report.events, ms: report.ms, loop_delay_p99_ms: loopMs(loop.percentile(99)), loop_delay_max_ms: loopMs(loop.max) });
    await opts.after?.();
  });
  return { stop: () => job.stop() };
}
