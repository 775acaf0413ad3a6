import type { StoredEvent } from '@tally/protocol';
import type { Clock, Logger } from '../deps.js';
import type { LogFs } from '../logstore/index.js';
import { createRegistry } from '../ops/index.js';
import type { Checkpoint, PendingErasure } from './checkpoint.js';
import type { ForwardConfig } from './config.js';
import { createForwarder, LAG_BATCH_FACTOR, maxBatch, type Forwarder, type ForwarderStatus, type TailLog } from './forwarder.js';
import { createSharedReader, type RecordSource, type SharedReader } from './shared-reader.js';
import { lineValid } from './encode.js';
import type { Sink } from './sink.js';

export interface ForwardHubOptions {
  config: ForwardConfig;
  dataDir: string;
  log: TailLog;
  clock: Clock;
  logger: Logger;
  onErased?: (sink: string, erasure: PendingErasure) => Promise<void>;
  /** Tests and the benchmark inject sinks; by default they are built from the configuration. */
  sinks?: Sink[];
  /** File operations for the checkpoints (see ForwarderOptions.fs). */
  fs?: LogFs;
}

/** The configured sinks; kafkajs is imported only here, and only when Kafka is configured. */
export async function sinksFor(config: ForwardConfig, logger?: Logger): Promise<Sink[]> {
  const sinks: Sink[] = [];
  if (config.kafka) sinks.push(await (await import('./kafka.js')).kafkaSink(config.kafka, (msg, fields) => logger?.warn(msg, fields)));
  if (config.clickhouse) sinks.push((await import('./clickhouse.js')).clickhouseSink(config.clickhouse));
  return sinks;
}

type Keep = (e: StoredEvent) => boolean;
/**
 * `log.rewriteDay`: rewrites one day file keeping the events `keep` accepts; resolves to the number
 * removed. `everyEvent`: `keep` must see every event of the day, in order (an erasure otherwise
 * shows it only the lines that contain the person's ids).
 */
export type RewriteDay = (day: string, keep: Keep, everyEvent?: boolean) => Promise<number>;

/**
 * Every configured forwarder, as the rest of the collector sees them — in this thread
 * (`createForwardHub`) or in a worker thread (`startForwardThread`): start/stop, status for
 * `/metrics` and `/healthz`, and the two hooks erasure needs (the checkpoint follows a rewritten day
 * file; the erasure is queued for each sink).
 */
export interface ForwardHub {
  readonly sinks: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ForwarderStatus[];
  /**
   * Runs `fn` (an erasure) with every forwarder paused at a batch boundary: nothing is in flight
   * to a sink while the log is rewritten, so no erased event can reach a sink after its deletion.
   */
  paused<T>(fn: () => Promise<T>): Promise<T>;
  /** `log.rewriteDay` with the checkpoints carried over (see `rewriteFollowing`). Only inside `paused`. */
  rewriteDay(rewrite: RewriteDay, day: string, keep: Keep): Promise<number>;
  /** Queues the erasure for every sink (persisted in its checkpoint, sent before its next batch). */
  queueErasure(keys: string[], subject: string, at: Date): Promise<void>;
  /** Prometheus text for `/metrics`, appended to the collector's own. */
  metricsText(): string;
}

/** Forwarders in this thread. Undefined when no sink is configured. */
export async function createForwardHub(o: ForwardHubOptions): Promise<LocalForwardHub | undefined> {
  const sinks = o.sinks ?? (await sinksFor(o.config, o.logger));
  if (sinks.length === 0) return undefined;
  const reader = sharedReaderFor(o.log, sinks, o.config.batchSize);
  const forwarders = sinks.map((sink) =>
    createForwarder({ sink, log: o.log, reader, dataDir: o.dataDir, batchSize: o.config.batchSize, lingerMs: o.config.lingerMs, clock: o.clock, logger: o.logger, onErased: o.onErased, fs: o.fs }),
  );
  return hubOf(forwarders, o.log, reader.reset);
}

/**
 * One reader for all sinks: each line is read and scanned once however many sinks there are; its
 * window holds the largest batch any of them takes, so a spaced sink (ClickHouse) lingering behind
 * the others still reads from it. ClickHouse rows are written only for a ClickHouse sink.
 */
export function sharedReaderFor(log: RecordSource, sinks: readonly Sink[], batchSize: number): SharedReader {
  const window = Math.max(...sinks.map((s) => maxBatch(s, batchSize))) + batchSize * LAG_BATCH_FACTOR;
  return createSharedReader(log, window, sinks.some((s) => s.name === 'clickhouse'));
}

/** Where a forwarder is, and how to move it: what `rewriteFollowing` needs of each. */
export interface Position {
  checkpoint: Checkpoint;
  set(next: Checkpoint): Promise<void>;
}

/**
 * `rewrite` with the checkpoints carried over: byte offsets after removed lines move, so a
 * checkpoint inside the rewritten day is kept as "N events read" — the rewrite predicate sees the
 * day's events in order, counts the removed ones before N, and the new offset is found by reading
 * the new file up to its (N − removed)-th event.
 */
export async function rewriteFollowing(log: RecordSource, positions: Position[], rewrite: RewriteDay, day: string, keep: Keep): Promise<number> {
  const inDay = positions.filter((p) => p.checkpoint.day === day && p.checkpoint.events > 0);
  if (inDay.length === 0) return rewrite(day, keep);
  let seen = 0;
  const removedBefore = inDay.map(() => 0);
  const removed = await rewrite(
    day,
    (e) => {
      const k = keep(e);
      if (!k) for (let i = 0; i < inDay.length; i++) if (seen < inDay[i]!.checkpoint.events) removedBefore[i]!++;
      seen++;
      return k;
    },
    true,
  );
  for (const [i, p] of inDay.entries()) {
    const cp = p.checkpoint;
    const events = cp.events - removedBefore[i]!;
    let offset = 0;
    let n = 0;
    // Counted as the forwarders count (their own line check), a chunk at a time.
    const valid = lineValid();
    if (events > 0) {
      done: for await (const rs of log.readChunksFrom(day, 0, 4 << 20, valid)) {
        for (const r of rs) {
          if (r.event) n++;
          offset = r.end;
          if (n === events) break done;
        }
      }
    }
    await p.set({ ...cp, offset, events });
  }
  return removed;
}

/** `/metrics` text for the forwarders' statuses (and the CPU their thread used, when known). */
export function forwardMetricsText(statuses: ForwarderStatus[], threadCpuSeconds?: number): string {
  const r = createRegistry();
  if (threadCpuSeconds !== undefined) r.counter('tally_forward_thread_cpu_seconds_total', 'CPU time the forwarder thread used (all sinks: read, encode, send).').inc(threadCpuSeconds);
  const forwarded = r.counter('tally_forward_events_total', 'Events a sink acknowledged.', []);
  const failed = r.counter('tally_forward_batches_failed_total', 'Batch sends that failed (each retry counts).', []);
  const lagEvents = r.gauge('tally_forward_lag_events', 'Events in the log not yet acknowledged by the sink.');
  const lagSeconds = r.gauge('tally_forward_lag_seconds', 'Age of the oldest event not yet acknowledged by the sink.');
  const last = r.gauge('tally_forward_last_success_timestamp_seconds', 'When the sink last acknowledged a batch (0: not yet).');
  const up = r.gauge('tally_forward_up', '1 while the last attempt to the sink succeeded.');
  for (const s of statuses) {
    const l = { sink: s.sink };
    forwarded.inc(s.forwarded, l);
    failed.inc(s.batchesFailed, l);
    lagEvents.set(s.lagEvents, l);
    lagSeconds.set(Math.round(s.lagSeconds * 1000) / 1000, l);
    last.set(s.lastSuccess === undefined ? 0 : s.lastSuccess / 1000, l);
    up.set(s.down ? 0 : 1, l);
  }
  return r.render();
}

function hubOf(forwarders: Forwarder[], log: TailLog, resetReads: () => void) {
  let started = false;
  const hub = {
    sinks: forwarders.map((f) => f.name),
    async start(): Promise<void> {
      for (const f of forwarders) await f.start();
      started = true;
    },
    /** Loads the checkpoints without forwarding: offline commands (erase) that must keep them right. */
    async load(): Promise<void> {
      for (const f of forwarders) await f.load();
    },
    async stop(): Promise<void> {
      for (const f of forwarders) await f.stop();
    },
    status: () => forwarders.map((f) => f.status()),
    async paused<T>(fn: () => Promise<T>): Promise<T> {
      if (started) for (const f of forwarders) await f.pause();
      try {
        return await fn();
      } finally {
        // Records read before the rewrite may hold erased events: read again after it.
        resetReads();
        if (started) {
          for (const f of forwarders) await f.recount().catch(() => {});
          for (const f of forwarders) f.resume();
        }
      }
    },
    rewriteDay: (rewrite: RewriteDay, day: string, keep: Keep): Promise<number> =>
      rewriteFollowing(log, forwarders.map((f) => ({ checkpoint: f.checkpoint(), set: (cp: Checkpoint) => f.setCheckpoint(cp) })), rewrite, day, keep),
    async queueErasure(keys: string[], subject: string, at: Date): Promise<void> {
      for (const f of forwarders) {
        const cp = f.checkpoint();
        await f.setCheckpoint({ ...cp, pending_erasures: [...cp.pending_erasures, { keys, subject, at: at.toISOString() }] });
      }
    },
    metricsText: () => forwardMetricsText(forwarders.map((f) => f.status())),
    /** Each sink's checkpoint (the forwarder thread reports them to the main thread while paused). */
    checkpoints: () => forwarders.map((f) => ({ sink: f.name, checkpoint: f.checkpoint() })),
    async setCheckpoint(sink: string, cp: Checkpoint): Promise<void> {
      await forwarders.find((f) => f.name === sink)?.setCheckpoint(cp);
    },
  };
  return hub satisfies ForwardHub;
}

export type LocalForwardHub = ReturnType<typeof hubOf>;
