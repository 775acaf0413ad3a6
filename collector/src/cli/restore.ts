import { loadConfig } from '../config/index.js';
import { restoreBackup } from '../backup/index.js';
import { failure, parseFlags, report, UsageError } from './flags.js';

const HELP = `pnpm collector restore --from DIR

  Restores a backup made by \`pnpm collector backup\` into TALLY_DATA_DIR, which must not exist or
  be empty (a non-empty one is refused and left alone). Every file is checked against the
  manifest's sha256 before anything is written. Then start the collector on that directory.`;

export async function run(args: string[]): Promise<number> {
  try {
    const flags = parseFlags(args, { from: 'string' }, HELP);
    if (typeof flags.from !== 'string' || flags.from === '') throw new UsageError('--from DIR is required');
    const config = loadConfig();
    return report(await restoreBackup({ from: flags.from, dataDir: config.dataDir }));
  } catch (err) {
    return failure(err);
  }
}
