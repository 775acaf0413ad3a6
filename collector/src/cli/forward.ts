import { loadConfig } from '../config/index.js';
import { failure, dayFlag, parseFlags, report, UsageError } from './flags.js';
import { openLogReader } from '../logstore/index.js';
import { createLogger } from '../ops/index.js';
import { createForwarder, sinksFor } from '../forward/index.js';

const HELP = `usage: pnpm collector forward --replay --from YYYY-MM-DD [--sink kafka|clickhouse]
  Re-sends the log from that UTC receipt day to the end, to every configured sink (or the one named):
  backfill a new ClickHouse table, rebuild a topic. Reads the log without locking it, so it may run
  beside a collector; it does not move the collector's forward checkpoints. At-least-once: events
  sent twice collapse by event_id in ClickHouse; Kafka consumers deduplicate by event_id.
  Erasing someone while a replay runs: run the erasure again after the replay. Prints JSON.`;

/** `pnpm collector forward --replay --from YYYY-MM-DD`. */
export async function run(args: string[]): Promise<number> {
  try {
    const flags = parseFlags(args, { replay: 'boolean', from: 'string', sink: 'string' }, HELP);
    if (flags.replay !== true) throw new UsageError('forward: only --replay is a command (the collector forwards by itself while it runs)');
    const from = dayFlag(flags, 'from');
    if (from === undefined) throw new UsageError('--from is required (YYYY-MM-DD)');
    if (flags.sink !== undefined && flags.sink !== 'kafka' && flags.sink !== 'clickhouse') throw new UsageError('--sink must be kafka or clickhouse');
    const config = loadConfig();
    const sinks = (await sinksFor(config.forward)).filter((s) => flags.sink === undefined || s.name === flags.sink);
    if (sinks.length === 0) throw new UsageError(`no sink configured${flags.sink ? ` for --sink ${flags.sink}` : ''}: set TALLY_KAFKA_BROKERS and/or TALLY_CLICKHOUSE_URL`);
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, (line) => process.stderr.write(line));
    const log = await openLogReader({ dataDir: config.dataDir, logger });
    const clock = { now: () => Date.now() };
    const out: Record<string, number> = {};
    try {
      for (const sink of sinks) {
        const f = createForwarder({ sink, log, dataDir: config.dataDir, batchSize: config.forward.batchSize, lingerMs: 0, clock, logger, replayFrom: from });
        await f.drain();
        out[sink.name] = f.status().forwarded;
        await sink.close();
      }
    } finally {
      await log.close();
    }
    return report({ ok: true, from, forwarded: out });
  } catch (err) {
    return failure(err);
  }
}
