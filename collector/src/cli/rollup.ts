import { loadConfig } from '../config/index.js';
import { openLogReader } from '../logstore/index.js';
import { createLogger } from '../ops/index.js';
import { runningCollector } from './offline-deps.js';
import { failure, parseFlags, report, UsageError } from './flags.js';
import { openRollups } from '../rollup/index.js';
import { isDay } from '../shared/index.js';

const HELP = `pnpm collector rollup [--date YYYY-MM-DD] [--rebuild]

  (no flag)   roll up every day that has events not yet in tally.db (idempotent)
  --date D    recompute day D (TALLY_TZ) from the raw log
  --rebuild   drop all rollups and recompute every day still in the raw log (after a TALLY_TZ change)

Run it while the collector is stopped: \`serve\` rolls up by itself every night (TALLY_ROLLUP_CRON).`;

/** `pnpm collector rollup`: prints a JSON report on stdout; bad flags → JSON error on stderr, exit 2. */
export async function run(args: string[]): Promise<number> {
  try {
    const flags = parseFlags(args, { date: 'string', rebuild: 'boolean' }, HELP);
    const date = flags.date as string | undefined;
    if (date !== undefined && !isDay(date)) throw new UsageError('--date must be a date YYYY-MM-DD');
    if (date !== undefined && flags.rebuild === true) throw new UsageError('--date and --rebuild exclude each other');
    const config = loadConfig();
    const running = await runningCollector(config);
    // Two writers would double count: the running collector's live overlay does not see this process's rollup.
    if (running !== undefined) return report({ ok: false, error: `a collector is running at ${running}; it rolls up nightly by itself — stop it to run this command` }, 1);
    const level = config.logLevel === 'info' ? 'warn' : config.logLevel;
    const logger = createLogger(level, (line) => process.stderr.write(line));
    const clock = { now: () => Date.now() };
    // Read-only: a rollup never appends, so it skips the torn-tail repair and the 48 h dedup
    // rebuild (seconds on a busy log). It still takes the LOCK, so no collector starts meanwhile.
    const log = await openLogReader({ dataDir: config.dataDir, logger, lock: true });
    try {
      const { rollups } = await openRollups({ config, log, logger, clock, warm: false });
      try {
        if (flags.rebuild === true) return report(await rollups.rebuildAll());
        if (date !== undefined) {
          await rollups.rebuildDays([date]);
          return report({ ok: true, days: [date] });
        }
        return report(await rollups.rollup());
      } finally {
        rollups.close();
      }
    } finally {
      await log.close();
    }
  } catch (err) {
    return failure(err);
  }
}
