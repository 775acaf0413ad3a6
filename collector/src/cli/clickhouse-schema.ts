import { loadConfig } from '../config/index.js';
import { failure, parseFlags, report, UsageError } from './flags.js';
import { applyClickHouseSchema, clickhouseDdl } from '../forward/index.js';

const HELP = `usage: pnpm collector clickhouse-schema [--apply]
  Prints the CREATE TABLE for the ClickHouse sink (TALLY_CLICKHOUSE_DATABASE.TALLY_CLICKHOUSE_TABLE,
  TTL = TALLY_RAW_RETENTION_DAYS). --apply creates the database and table on TALLY_CLICKHOUSE_URL
  (without the TTL on servers older than 19.6, which lack table TTL) and prints JSON.`;

/** `pnpm collector clickhouse-schema [--apply]`. */
export async function run(args: string[]): Promise<number> {
  try {
    const flags = parseFlags(args, { apply: 'boolean' }, HELP);
    const config = loadConfig();
    const ch = config.forward.clickhouse;
    const target = { database: ch?.database ?? 'default', table: ch?.table ?? 'events' };
    if (flags.apply !== true) {
      process.stdout.write(`${clickhouseDdl(target, config.rawRetentionDays)};\n`);
      return 0;
    }
    if (!ch) throw new UsageError('clickhouse-schema --apply: set TALLY_CLICKHOUSE_URL');
    const applied = await applyClickHouseSchema(ch, config.rawRetentionDays);
    return report({ ok: true, table: `${ch.database}.${ch.table}`, server_version: applied.version, ttl: applied.ttl, ddl: applied.ddl });
  } catch (err) {
    return failure(err);
  }
}
