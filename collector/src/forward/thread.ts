import { Worker } from 'node:worker_threads';
import type { Logger } from '../deps.js';
import type { OpenLogStore } from '../logstore/index.js';
import type { Checkpoint, PendingErasure } from './checkpoint.js';
import type { ForwardConfig } from './config.js';
import type { ForwarderStatus } from './forwarder.js';
import { forwardMetricsText, rewriteFollowing, type ForwardHub, type RewriteDay } from './hub.js';
import type { FromThread, ThreadInit, ThreadStatus, ToThread } from './thread-protocol.js';

export interface ForwardThreadOptions {
  config: ForwardConfig;
  dataDir: string;
  log: Pick<OpenLogStore, 'onAppend' | 'committedSize' | 'days' | 'readChunksFrom'>;
  logger: Logger;
  onErased?: (sink: string, erasure: PendingErasure) => Promise<void>;
}

/** A forwarder thread that died is started again after this long (its checkpoints make that safe). */
const RESTART_MS = 5_000;
/** A thread that does not stop in time is terminated: a batch in flight is re-sent after restart (at-least-once). */
const STOP_MS = 30_000;

/**
 * The forwarders in a worker thread, so that ingestion's event loop does none of their work (read,
 * parse, encode, send, checkpoint fsync): at the benchmark load they cost ingestion a share of the
 * CPU, not a share of its event loop. The main thread only counts appends and passes the log's
 * committed sizes along (one message per event-loop turn). Status for `/metrics` and `/healthz` is
 * pushed by the thread; its lag is exact because the main thread adds the events appended since the
 * status was taken. Erasure pauses the thread's forwarders, rewrites the log here, and moves their
 * checkpoints through messages. Undefined when no sink is configured.
 */
export function createForwardThread(o: ForwardThreadOptions): ForwardHub | undefined {
  const sinks = [...(o.config.kafka ? ['kafka'] : []), ...(o.config.clickhouse ? ['clickhouse'] : [])];
  if (sinks.length === 0) return undefined;
  let worker: Worker | undefined;
  let stopping = false;
  let restart: NodeJS.Timeout | undefined;
  let appended = 0;
  let pendingN = 0;
  const pendingDays = new Set<string>();
  let flushing = false;
  let snapshot: ThreadStatus | undefined;
  let threadError: string | undefined;
  let calls = 0;
  const waiting = new Map<number, { resolve(m: Extract<FromThread, { t: 'reply' }>): void; reject(e: Error): void }>();
  let unsubscribe = () => {};
  let positions: { sink: string; checkpoint: Checkpoint }[] | undefined;
  const rewritten = new Set<string>();

  const post = (m: ToThread) => worker?.postMessage(m);
  const call = (m: Extract<ToThread, { id: number }> extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never) =>
    new Promise<Extract<FromThread, { t: 'reply' }>>((resolve, reject) => {
      if (!worker) return reject(new Error(`forwarder thread is not running${threadError ? ` (${threadError})` : ''}`));
      const id = ++calls;
      waiting.set(id, { resolve, reject });
      post({ ...m, id } as ToThread);
    }).then((r) => {
      if (r.error !== undefined) throw new Error(r.error);
      return r;
    });

  const size = (day: string) => o.log.committedSize(day) ?? -1;
  const flush = () => {
    flushing = false;
    if (pendingN === 0) return;
    post({ t: 'append', n: pendingN, seq: appended, sizes: [...pendingDays].map((d) => [d, size(d)]) });
    pendingN = 0;
    pendingDays.clear();
  };

  function onMessage(m: FromThread): void {
    switch (m.t) {
      case 'reply': {
        if (m.status) snapshot = m.status;
        waiting.get(m.id)?.resolve(m);
        waiting.delete(m.id);
        return;
      }
      case 'status':
        snapshot = m.status;
        return;
      case 'erased':
        void (o.onErased?.(m.sink, m.erasure) ?? Promise.resolve()).then(
          () => post({ t: 'reply', id: m.id }),
          (err: unknown) => post({ t: 'reply', id: m.id, error: (err as Error).message }),
        );
        return;
      case 'log':
        o.logger[m.level](m.msg, m.fields);
        return;
    }
  }

  async function spawn(): Promise<void> {
    const init: ThreadInit = { config: o.config, dataDir: o.dataDir, seq: appended, sizes: [] };
    for (const day of await o.log.days()) {
      const s = o.log.committedSize(day);
      if (s !== undefined) init.sizes.push([day, s]);
    }
    const here = import.meta.url;
    // Running from source (tsx, vitest): the shared plain-JS bootstrap (shared/worker-boot.mjs) loads the thread through tsx.
    const w = here.endsWith('.ts')
      ? new Worker(new URL('../shared/worker-boot.mjs', here), { workerData: { ...init, file: new URL('./worker.ts', here).href } })
      : new Worker(new URL('./worker.js', here), { workerData: init });
    worker = w;
    threadError = undefined;
    w.on('message', onMessage);
    w.on('error', (err) => {
      threadError = err.message;
      o.logger.error('forward: forwarder thread failed', { error: err.message });
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      for (const p of waiting.values()) p.reject(new Error(`forwarder thread exited (${threadError ?? `code ${code}`})`));
      waiting.clear();
      if (stopping) return;
      threadError ??= `exited with code ${code}`;
      o.logger.error('forward: forwarder thread stopped; restarting it', { code, restart_ms: RESTART_MS });
      restart = setTimeout(() => void spawn().then(() => call({ t: 'start' })).catch(() => {}), RESTART_MS);
    });
    await call({ t: 'start' });
  }

  const hub: ForwardHub = {
    sinks,
    async start(): Promise<void> {
      unsubscribe = o.log.onAppend((events) => {
        appended += events.length;
        pendingN += events.length;
        for (const e of events) pendingDays.add(e.received_at.slice(0, 10));
        if (!flushing) {
          flushing = true;
          setImmediate(flush);
        }
      });
      await spawn();
    },
    async stop(): Promise<void> {
      stopping = true;
      clearTimeout(restart);
      unsubscribe();
      const w = worker;
      if (!w) return;
      const timer = setTimeout(() => void w.terminate(), STOP_MS);
      try {
        await call({ t: 'stop' });
      } catch (err) {
        o.logger.error('forward: forwarder thread did not stop cleanly', { error: (err as Error).message });
      } finally {
        clearTimeout(timer);
        await w.terminate();
      }
    },
    status(): ForwarderStatus[] {
      if (!snapshot) {
        const down = { forwarded: 0, batchesFailed: 0, lagEvents: appended, lagSeconds: 0, lastSuccess: undefined, down: true, lastError: threadError ?? 'starting', checkpoint: { day: '', offset: 0 } };
        return sinks.map((sink) => ({ sink, ...down }));
      }
      const since = appended - snapshot.seq;
      return snapshot.sinks.map((s) => ({
        ...s,
        lagEvents: s.lagEvents + since,
        ...(worker ? {} : { down: true, lastError: `forwarder thread stopped (${threadError ?? 'restarting'})` }),
      }));
    },
    async paused<T>(fn: () => Promise<T>): Promise<T> {
      flush();
      positions = (await call({ t: 'pause' })).checkpoints ?? [];
      rewritten.clear();
      try {
        return await fn();
      } finally {
        positions = undefined;
        await call({ t: 'resume', sizes: [...rewritten].map((d) => [d, size(d)]) });
      }
    },
    rewriteDay(rewrite: RewriteDay, day, keep): Promise<number> {
      if (!positions) return Promise.reject(new Error('forward: rewriteDay outside paused()'));
      rewritten.add(day);
      return rewriteFollowing(
        o.log,
        positions.map((p) => ({
          checkpoint: p.checkpoint,
          set: async (cp: Checkpoint) => {
            p.checkpoint = cp;
            await call({ t: 'set', sink: p.sink, day: cp.day, offset: cp.offset, events: cp.events });
          },
        })),
        rewrite,
        day,
        keep,
      );
    },
    async queueErasure(keys, subject, at): Promise<void> {
      await call({ t: 'erasure', keys, subject, at: at.toISOString() });
    },
    metricsText: () => forwardMetricsText(hub.status(), snapshot?.cpuSeconds),
  };
  return hub;
}
