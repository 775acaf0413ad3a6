import { loadConfig } from '../config/index.js';
import { cliActor, purgeExpired } from '../privacy/index.js';
import { openOffline, runningCollector } from './offline-deps.js';
import { failure, parseFlags, report } from './flags.js';

const HELP = 'usage: pnpm collector purge [--dry-run]\n  Deletes raw log files older than TALLY_RAW_RETENTION_DAYS and rollup rows older than\n  TALLY_ROLLUP_RETENTION_DAYS (never a file before its rollup exists). Prints JSON.';

/**
 * `pnpm collector purge [--dry-run]` — applies the retention settings and prints what was (or would
 * be) deleted. Refuses while a collector runs: that process owns the log and the rollup store (and
 * applies retention itself after its nightly rollup).
 */
export async function run(args: string[]): Promise<number> {
  try {
    const flags = parseFlags(args, { 'dry-run': 'boolean' }, HELP);
    const config = loadConfig();
    const running = await runningCollector(config);
    if (running !== undefined) {
      return report({ ok: false, error: `a collector is running at ${running}; it applies retention after its nightly rollup — stop it to run this command` }, 1);
    }
    const deps = await openOffline(config);
    try {
      return report(await purgeExpired(deps, { dryRun: flags['dry-run'] === true, actor: cliActor() }));
    } finally {
      await deps.close();
    }
  } catch (err) {
    return failure(err);
  }
}
