import type { StoredEvent } from '@tally/protocol';
import type { Clock, Logger } from '../deps.js';
import { createRegistry } from '../ops/registry.js';
import type { PendingErasure } from './checkpoint.js';
import type { ForwardConfig } from './config.js';
import { createForwarder, type Forwarder, type TailLog } from './forwarder.js';
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
}

/** The configured sinks; kafkajs is imported only here, and only when Kafka is configured. */
export async function sinksFor(config: ForwardConfig, logger?: Logger): Promise<Sink[]> {
  const sinks: Sink[] = [];
  if (config.kafka) sinks.push(await (await import('./kafka.js')).kafkaSink(config.kafka, (msg, fields) => logger?.warn(msg, fields)));
  if (config.clickhouse) sinks.push((await import('./clickhouse.js')).clickhouseSink(config.clickhouse));
  return sinks;
}

/**
 * Every configured forwarder, as the rest of the collector sees them: start/stop, status for
 * `/metrics` and `/healthz`, and the two hooks erasure needs (the checkpoint follows a rewritten day
 * file; the erasure is queued for each sink). Undefined when no sink is configured.
 */
export async function createForwardHub(o: ForwardHubOptions): Promise<ForwardHub | undefined> {
  const sinks = o.sinks ?? (await sinksFor(o.config, o.logger));
  if (sinks.length === 0) return undefined;
  const forwarders = sinks.map((sink) =>
    createForwarder({ sink, log: o.log, dataDir: o.dataDir, batchSize: o.config.batchSize, lingerMs: o.config.lingerMs, clock: o.clock, logger: o.logger, onErased: o.onErased }),
  );
  return hubOf(forwarders, o.log);
}

function hubOf(forwarders: Forwarder[], log: TailLog) {
  let started = false;
  return {
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
    /**
     * Runs `fn` (an erasure) with every forwarder paused at a batch boundary: nothing is in flight
     * to a sink while the log is rewritten, so no erased event can reach a sink after its deletion.
     */
    async paused<T>(fn: () => Promise<T>): Promise<T> {
      if (started) for (const f of forwarders) await f.pause();
      try {
        return await fn();
      } finally {
        if (started) {
          for (const f of forwarders) await f.recount().catch(() => {});
          for (const f of forwarders) f.resume();
        }
      }
    },
    /**
     * `log.rewriteDay` with the checkpoints carried over: byte offsets after removed lines move, so a
     * checkpoint inside the rewritten day is kept as "N events read" — the rewrite predicate sees the
     * day's events in order, counts the removed ones before N, and the new offset is found by reading
     * the new file up to its (N − removed)-th event.
     */
    async rewriteDay(rewrite: (day: string, keep: (e: StoredEvent) => boolean) => Promise<number>, day: string, keep: (e: StoredEvent) => boolean): Promise<number> {
      const inDay = forwarders.filter((f) => f.checkpoint().day === day && f.checkpoint().events > 0);
      if (inDay.length === 0) return rewrite(day, keep);
      let seen = 0;
      const removedBefore = new Map<Forwarder, number>(inDay.map((f) => [f, 0]));
      const removed = await rewrite(day, (e) => {
        const k = keep(e);
        if (!k) for (const f of inDay) if (seen < f.checkpoint().events) removedBefore.set(f, removedBefore.get(f)! + 1);
        seen++;
        return k;
      });
      for (const f of inDay) {
        const cp = f.checkpoint();
        const events = cp.events - removedBefore.get(f)!;
        let offset = 0;
        let n = 0;
        if (events > 0) {
          for await (const r of log.readFrom(day, 0)) {
            if (r.event) n++;
            offset = r.end;
            if (n === events) break;
          }
        }
        await f.setCheckpoint({ ...cp, offset, events });
      }
      return removed;
    },
    /** Queues the erasure for every sink (persisted in its checkpoint, sent before its next batch). */
    async queueErasure(keys: string[], subject: string, at: Date): Promise<void> {
      for (const f of forwarders) {
        const cp = f.checkpoint();
        await f.setCheckpoint({ ...cp, pending_erasures: [...cp.pending_erasures, { keys, subject, at: at.toISOString() }] });
      }
    },
    /** Prometheus text for `/metrics`, appended to the collector's own. */
    metricsText(): string {
      const r = createRegistry();
      const forwarded = r.counter('tally_forward_events_total', 'Events a sink acknowledged.', []);
      const failed = r.counter('tally_forward_batches_failed_total', 'Batch sends that failed (each retry counts).', []);
      const lagEvents = r.gauge('tally_forward_lag_events', 'Events in the log not yet acknowledged by the sink.');
      const lagSeconds = r.gauge('tally_forward_lag_seconds', 'Age of the oldest event not yet acknowledged by the sink.');
      const last = r.gauge('tally_forward_last_success_timestamp_seconds', 'When the sink last acknowledged a batch (0: not yet).');
      const up = r.gauge('tally_forward_up', '1 while the last attempt to the sink succeeded.');
      for (const s of forwarders.map((f) => f.status())) {
        const l = { sink: s.sink };
        forwarded.inc(s.forwarded, l);
        failed.inc(s.batchesFailed, l);
        lagEvents.set(s.lagEvents, l);
        lagSeconds.set(Math.round(s.lagSeconds * 1000) / 1000, l);
        last.set(s.lastSuccess === undefined ? 0 : s.lastSuccess / 1000, l);
        up.set(s.down ? 0 : 1, l);
      }
      return r.render();
    },
  };
}

export type ForwardHub = ReturnType<typeof hubOf>;
