import { loadConfig } from '../config/index.js';
import { createBackup } from '../backup/index.js';
import { failure, parseFlags, report, UsageError } from './flags.js';

const HELP = `pnpm collector backup --to DIR

  Copies the data directory (TALLY_DATA_DIR) into DIR, which must be new or empty, while the
  collector keeps running: tally.db through SQLite's online backup, the event log up to the
  moment the backup started (every event acknowledged before then), the dashboard key, the audit
  log and key, forwarder checkpoints and any other file, with DIR/manifest.json (versions, counts,
  sha256 of every file). Restore with \`pnpm collector restore --from DIR\`. See docs/deploy.md.`;

export async function run(args: string[]): Promise<number> {
  try {
    const flags = parseFlags(args, { to: 'string' }, HELP);
    if (typeof flags.to !== 'string' || flags.to === '') throw new UsageError('--to DIR is required');
    const config = loadConfig();
    const m = await createBackup({ dataDir: config.dataDir, to: flags.to });
    return report({ ok: true, to: flags.to, started_at: m.started_at, finished_at: m.finished_at, ...m.totals, skipped: m.skipped });
  } catch (err) {
    return failure(err);
  }
}
