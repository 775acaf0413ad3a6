import type { StoredEvent } from '@tally/protocol';
import type { Clock, Logger } from '../deps.js';
import type { LineCheck, LogFs, LogRecord } from '../logstore/index.js';
import { loadCheckpoint, saveCheckpoint, type Checkpoint, type PendingErasure } from './checkpoint.js';
import { lineValid } from './encode.js';
import { createSharedReader, type SharedReader } from './shared-reader.js';
import { lineOf, type ForwardRecord, type Sink } from './sink.js';

/** What a forwarder needs of the log store: its days, its streaming reader, and append notifications (only their count is used). */
export interface TailLog {
  days(): Promise<string[]>;
  readChunksFrom<E>(day: string, from: number, chunk: number, check: LineCheck<E>): AsyncGenerator<LogRecord<E>[]>;
  onAppend(listener: (events: ArrayLike<unknown>) => void): () => void;
}

export interface ForwarderOptions {
  sink: Sink;
  log: TailLog;
  dataDir: string;
  batchSize: number;
  lingerMs: number;
  clock: Clock;
  logger: Logger;
  /** Called once a sink confirmed an erasure (the audit log records it). */
  onErased?: (sink: string, erasure: PendingErasure) => Promise<void>;
  /** Replay: start here, keep progress in memory only, stop at the end of the log. */
  replayFrom?: string;
  /** The reader shared by every sink of the hub (each line parsed once); by default one of its own. */
  reader?: SharedReader;
  /** File operations for the checkpoint (default: the promise-based `nodeLogFs`; the forwarders' thread passes `syncLogFs`). */
  fs?: LogFs;
}

export interface ForwarderStatus {
  sink: string;
  forwarded: number;
  batchesFailed: number;
  lagEvents: number;
  lagSeconds: number;
  lastSuccess: number | undefined;
  /** True from a failed attempt until the next success. */
  down: boolean;
  lastError: string | undefined;
  checkpoint: { day: string; offset: number };
}

/**
 * A day is closed for appends once a later day file exists and its UTC day ended two minutes ago:
 * a request received just before midnight may commit after the next day's file appeared.
 */
const CLOSE_GRACE_MS = 120_000;
const MAX_BACKOFF_MS = 30_000;
const REPLAY_ATTEMPTS = 5;
/**
 * Behind by more than a batch, a forwarder sends batches this many times larger: per-batch costs
 * (a ClickHouse insert creates a part; a Kafka request, a checkpoint fsync) then no longer bound how
 * fast it catches up. The Kafka sink splits what exceeds a broker's request size itself.
 */
export const LAG_BATCH_FACTOR = 5;
/**
 * A spaced sink's batch (ClickHouse; see `Sink.spaced`): everything that waited up to this many
 * events. One insert per linger of this size costs ClickHouse 18.16 a tenth of the CPU per event
 * of an insert per 1000 events (`pnpm bench clickhouse-formats`, docs/benchmarks.md). 50,000 (one
 * insert a second at saturation instead of two) cut ClickHouse's CPU per event by a quarter but
 * raised the collector's peak RSS by 60–90 MiB (the read window holds twice this), with no
 * ingestion gain measurable: not kept ("Fifth pass").
 */
export const SPACED_MAX_BATCH = 25_000;

/** The largest batch a forwarder of `sink` reads: what the shared reader's window must hold. */
export const maxBatch = (sink: Pick<Sink, 'spaced'>, batchSize: number) => (sink.spaced === true ? Math.max(SPACED_MAX_BATCH, batchSize * LAG_BATCH_FACTOR) : batchSize * LAG_BATCH_FACTOR);

/**
 * Tails the NDJSON log into one sink: reads a batch from the checkpoint through the log store's
 * reader, sends it, and only after the sink acknowledged persists the new checkpoint. A sink that
 * fails is retried with backoff forever; ingestion never waits on it (the log is the buffer), only
 * the lag grows. Delivery is at-least-once: a crash between the send and the checkpoint re-sends
 * that batch after restart.
 */
export function createForwarder(o: ForwarderOptions) {
  const name = o.sink.name;
  const replay = o.replayFrom !== undefined;
  let cp: Checkpoint = { v: 1, day: o.replayFrom ?? '', offset: 0, events: 0, pending_erasures: [], updated_at: '' };
  const st = { forwarded: 0, batchesFailed: 0, lagEvents: 0, lastSuccess: undefined as number | undefined, down: false, lastError: undefined as string | undefined, head: undefined as number | undefined };
  let stopped = false;
  let paused = false;
  let running: Promise<void> | undefined;
  let step: Promise<unknown> = Promise.resolve();
  let wake: (() => void) | undefined;
  let appendedSinceRead = 0;
  let unsubscribe = () => {};
  let failures = 0;
  /** Set by `readBatch`: it found nothing because the checkpoint is at the end of the last day file. */
  let drained = false;
  const spaced = o.sink.spaced === true;
  /** When the last send began: a spaced sink sends at most once per linger unless its batch was full. */
  let lastSend = -Infinity;
  /** False while a spaced sink waits out its linger: appends do not cut that wait short. */
  let appendsWake = true;
  const reader = o.reader ?? createSharedReader(o.log, maxBatch(o.sink, o.batchSize), spaced);
  const valid = lineValid();

  const persist = async () => {
    cp.updated_at = new Date(o.clock.now()).toISOString();
    if (!replay) await saveCheckpoint(o.dataDir, name, cp, o.fs);
  };
  const sleep = (ms: number, byAppends = true) =>
    new Promise<void>((resolve) => {
      appendsWake = byAppends;
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        appendsWake = true;
        resolve();
      }
      wake = done;
    });

  /** Events in the log from the checkpoint on (start-up and after an erasure). */
  async function countBacklog(): Promise<number> {
    let n = 0;
    for (const day of await o.log.days()) {
      if (day < cp.day) continue;
      for await (const rs of o.log.readChunksFrom(day, day === cp.day ? cp.offset : 0, 4 << 20, valid)) for (const r of rs) if (r.event) n++;
    }
    return n;
  }

  async function load(): Promise<void> {
    if (!replay) {
      const have = await loadCheckpoint(o.dataDir, name);
      if (have) cp = have;
    }
    if (cp.day === '') {
      // A new sink gets every stored event; the checkpoint is written now so retention keeps them for it.
      cp.day = (await o.log.days())[0] ?? '';
      if (cp.day !== '') await persist();
    }
    // A replay reports what it sent, not a lag: counting the backlog would read the whole log once more.
    if (!replay) st.lagEvents = await countBacklog();
  }

  async function sendErasures(): Promise<void> {
    while (cp.pending_erasures.length > 0) {
      const e = cp.pending_erasures[0]!;
      await o.sink.erase(e.keys, new Date(e.at));
      cp.pending_erasures.shift();
      await persist();
      await o.onErased?.(name, e);
    }
  }

  /** Reads the next batch; an empty one with `advanced` when it moved on to the next day. */
  async function readBatch(limit: number): Promise<{ batch: ForwardRecord[]; end: number; corrupt: number } | 'idle' | 'advanced'> {
    drained = false;
    if (cp.day === '') {
      const first = (await o.log.days())[0];
      drained = first === undefined;
      if (first === undefined) return 'idle';
      cp = { ...cp, day: first, offset: 0, events: 0 };
      await persist();
      return 'advanced';
    }
    const batch: ForwardRecord[] = [];
    let end = cp.offset;
    let corrupt = 0;
    for (const r of await reader.read(cp.day, cp.offset, limit)) {
      end = r.end;
      if (r.key !== undefined) batch.push(r as ForwardRecord);
      else corrupt++; // reported by the reader; moved past like any line
    }
    if (batch.length > 0 || corrupt > 0) return { batch, end, corrupt };
    const days = await o.log.days();
    const next = days.find((d) => d > cp.day);
    drained = next === undefined;
    if (next === undefined) return 'idle';
    const closed = !days.includes(cp.day) || o.clock.now() >= Date.parse(`${cp.day}T00:00:00Z`) + 86_400_000 + CLOSE_GRACE_MS;
    if (!closed) return 'idle';
    if (!days.includes(cp.day)) o.logger.warn('forward: day file vanished before it was forwarded', { sink: name, day: cp.day });
    cp = { ...cp, day: next, offset: 0, events: 0 };
    await persist();
    return 'advanced';
  }

  const batchLimit = () => (spaced ? maxBatch(o.sink, o.batchSize) : replay || st.lagEvents > 2 * o.batchSize ? o.batchSize * LAG_BATCH_FACTOR : o.batchSize);

  /**
   * One unit of work: 'full' when a whole batch went (more may be waiting: go on at once), 'short'
   * when the log was drained, 'idle' when there was nothing. Stops early (no checkpoint) when paused.
   */
  async function once(): Promise<'full' | 'short' | 'idle'> {
    await sendErasures();
    appendedSinceRead = 0;
    const limit = batchLimit();
    const got = await readBatch(limit);
    if (got === 'idle') {
      // Nothing left to read: the lag is what was appended since this read began. This corrects a
      // count that drifted (an append counted both at start-up and by its notification).
      if (drained) st.lagEvents = appendedSinceRead;
      return 'idle';
    }
    if (got === 'advanced') return 'full';
    let { batch, end } = got;
    const { corrupt } = got;
    st.head = batch[0] ? Date.parse((JSON.parse(lineOf(batch[0]).toString()) as StoredEvent).received_at) : undefined;
    lastSend = o.clock.now();
    for (;;) {
      try {
        await o.sink.send(batch);
        break;
      } catch (err) {
        if (batch.length > o.batchSize) {
          // A batch enlarged to catch up is retried at once at the configured size (its size may be
          // what failed). Only a failure at that size is a failed batch in the metrics, marks the
          // sink down and backs off: the two are always seen together.
          o.logger.warn('forward: an enlarged batch failed; retrying at the configured size', { sink: name, events: batch.length, error: (err as Error).message });
          batch = batch.slice(0, o.batchSize);
          end = batch[batch.length - 1]!.end;
          continue;
        }
        st.batchesFailed++;
        st.down = true;
        st.lastError = (err as Error).message;
        failures++;
        // A replay is a command someone waits for: a sink that stays down fails it instead of hanging.
        if (replay && failures >= REPLAY_ATTEMPTS) throw err;
        if (failures === 1 || failures % 20 === 0) o.logger.warn('forward: sink failed; retrying', { sink: name, events: batch.length, failures, error: st.lastError });
        await sleep(Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 7)));
        if (stopped || paused) return 'full'; // the batch is read again after the pause
      }
    }
    cp = { ...cp, offset: end, events: cp.events + batch.length };
    await persist();
    failures = 0;
    st.down = false;
    st.lastError = undefined;
    st.forwarded += batch.length;
    st.lagEvents = Math.max(0, st.lagEvents - batch.length);
    st.lastSuccess = o.clock.now();
    st.head = undefined;
    return batch.length + corrupt >= limit ? 'full' : 'short';
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      if (paused) {
        await sleep(MAX_BACKOFF_MS);
        continue;
      }
      let worked: 'full' | 'short' | 'idle';
      const s = once();
      step = s.catch(() => {});
      try {
        worked = await s;
      } catch (err) {
        if (replay) throw err;
        // Reading the log or writing the checkpoint failed (disk): retry later, loudly.
        st.down = true;
        st.lastError = (err as Error).message;
        failures++;
        o.logger.error('forward: step failed', { sink: name, error: st.lastError });
        await sleep(Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 7)));
        continue;
      }
      if (replay && worked === 'idle') return;
      if (spaced && worked !== 'full') {
        // At most one send per linger, whatever arrives meanwhile (a full batch goes at once).
        const wait = lastSend + o.lingerMs - o.clock.now();
        if (wait > 0) await sleep(wait, false);
        if (worked === 'short') continue;
      }
      // A backlog goes out batch after batch; once drained, linger so the next batch is fuller
      // (woken early when a whole batch has arrived).
      if (worked === 'full' || appendedSinceRead >= o.batchSize) continue;
      if (worked === 'idle' || o.lingerMs > 0) await sleep(worked === 'short' ? o.lingerMs : Math.max(o.lingerMs, 50));
    }
  }

  return {
    name,
    async start(): Promise<void> {
      await load();
      unsubscribe = o.log.onAppend((events) => {
        st.lagEvents += events.length;
        appendedSinceRead += events.length;
        // A spaced sink waiting out its linger is woken only by a full batch of its own size.
        if (appendedSinceRead >= (appendsWake ? o.batchSize : maxBatch(o.sink, o.batchSize))) wake?.();
      });
      running = loop();
    },
    /** Loads the checkpoint without forwarding (offline commands that adjust it). */
    load,
    /** Runs to the end of the log (replay) and resolves. */
    async drain(): Promise<void> {
      await load();
      await loop();
    },
    /** Finishes or abandons the in-flight attempt, then holds until `resume`. */
    async pause(): Promise<void> {
      paused = true;
      wake?.();
      await step;
    },
    resume(): void {
      paused = false;
      wake?.();
    },
    async stop(): Promise<void> {
      stopped = true;
      unsubscribe();
      wake?.();
      // Closing the sink first aborts a send that hangs; the batch is re-sent after restart (at-least-once).
      await o.sink.close();
      await running;
    },
    checkpoint: () => cp,
    /** Replaces the checkpoint (erasure hook), persisted. Only while paused. */
    async setCheckpoint(next: Checkpoint): Promise<void> {
      reader.reset();
      cp = next;
      await persist();
    },
    async recount(): Promise<void> {
      st.lagEvents = await countBacklog();
    },
    status(): ForwarderStatus {
      const now = o.clock.now();
      return {
        sink: name,
        forwarded: st.forwarded,
        batchesFailed: st.batchesFailed,
        lagEvents: st.lagEvents,
        lagSeconds: st.lagEvents > 0 && st.head !== undefined ? Math.max(0, (now - st.head) / 1000) : 0,
        lastSuccess: st.lastSuccess,
        down: st.down,
        lastError: st.lastError,
        checkpoint: { day: cp.day, offset: cp.offset },
      };
    },
  };
}

export type Forwarder = ReturnType<typeof createForwarder>;
