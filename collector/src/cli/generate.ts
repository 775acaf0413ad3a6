import { loadConfig } from '../config/index.js';
import { dayFlag, failure, intFlag, parseFlags, report, UsageError } from './flags.js';
import { generateLog } from '../synth/index.js';

const HELP = `usage: pnpm collector generate [--days 90] [--events-per-day 10000] [--users 1000]
                                [--data-dir DIR] [--seed S] [--end YYYY-MM-DD] [--late-share PERCENT]
                                [--only-from YYYY-MM-DD] [--only-to YYYY-MM-DD]
  Writes a synthetic log (one NDJSON file per UTC day, ending --end, default today) into DIR/events
  (default TALLY_DATA_DIR). --users is the population; about 10-20% of it is active on a given day.
  Deterministic for a seed. Refuses to overwrite existing day files.
  --only-from/--only-to D: write only the files of that range of the plan (same data as a full run).`;

/**
 * `pnpm collector generate --days 90 --events-per-day N --users M [--data-dir D] [--seed S] [--end YYYY-MM-DD]`
 * Writes a synthetic NDJSON log for demos and benchmarks. Prints a JSON summary.
 */
export async function run(args: string[]): Promise<number> {
  try {
    const flags = parseFlags(args, {
      days: 'string',
      'events-per-day': 'string',
      users: 'string',
      'data-dir': 'string',
      seed: 'string',
      end: 'string',
      'late-share': 'string',
      'only-from': 'string',
      'only-to': 'string',
    }, HELP);
    const days = intFlag(flags, 'days', 1, 3650, 90);
    const eventsPerDay = intFlag(flags, 'events-per-day', 1, 100_000_000, 10_000);
    const users = intFlag(flags, 'users', 1, 100_000_000, 1_000);
    const end = dayFlag(flags, 'end') ?? new Date().toISOString().slice(0, 10);
    const latePercent = intFlag(flags, 'late-share', 0, 100, 1);
    const seed = typeof flags.seed === 'string' ? flags.seed : '1';
    if (flags['data-dir'] === '') throw new UsageError('--data-dir must not be empty');
    const dataDir = typeof flags['data-dir'] === 'string' ? flags['data-dir'] : loadConfig().dataDir;
    const onlyFrom = dayFlag(flags, 'only-from');
    const onlyTo = dayFlag(flags, 'only-to');
    const only = onlyFrom !== undefined || onlyTo !== undefined ? { from: onlyFrom ?? '0000-00-00', to: onlyTo ?? '9999-99-99' } : undefined;
    const stats = generateLog({ dataDir, days, eventsPerDay, users, seed, end, lateShare: latePercent / 100, only });
    return report({
      ok: true,
      dataDir,
      days: stats.files.length,
      events: stats.events,
      lateEvents: stats.lateEvents,
      bytes: stats.bytes,
      meanDailyUsers: stats.meanDailyUsers,
      seconds: Number(stats.seconds.toFixed(2)),
      eventsPerSecond: Math.round(stats.events / Math.max(stats.seconds, 1e-9)),
    });
  } catch (err) {
    return failure(err);
  }
}
