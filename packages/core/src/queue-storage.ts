import type { QueueCounters, QueueEntry, Storage } from './types.js';
import type { WireEvent } from './wire.js';

/** Meta record: live events are under sequence numbers in [h, t) (with holes), `n` of them; `c` the counters. */
export const KV_META = 'tally.c';

export interface Meta {
  h: number;
  t: number;
  n: number;
  c: QueueCounters;
}

/** A record key: a string for small records and the meta record, a sequence number for an event. */
export type RecordKey = string | number;
/** Writes (or, with `undefined`, deletes) a record as part of the running step. */
export type Put = (key: RecordKey, value?: unknown) => void;
/** A step yields the keys it reads and is handed their values (`undefined`/`null` when none). */
export type Step<R> = Generator<RecordKey, R, any>;
/**
 * Runs one step atomically against other writers of the same store: IndexedDB in one transaction,
 * a synchronous key–value store without yielding. Rejects, having changed nothing, if the step throws.
 */
export type StepRunner = <R>(step: (put: Put) => Step<R>) => Promise<R>;

/**
 * A StepRunner over a record store's `read` and `write`, either of which may answer with a promise
 * (an asynchronous key–value store). A step awaits only what is asynchronous: over a synchronous
 * store it runs whole, without yielding to other code, and has written everything when the call
 * returns. `write(key)` without a value deletes. The store must read its own writes in order.
 */
export const recordRunner =
  (read: (key: RecordKey) => unknown, write: (key: RecordKey, value?: unknown) => unknown): StepRunner =>
  async (step) => {
    const writes: unknown[] = [];
    const g = step((k, v) => writes.push(write(k, v)));
    let r = g.next();
    while (!r.done) {
      let v = read(r.value) as any;
      if (v?.then) v = await v;
      r = g.next(v);
    }
    await Promise.all(writes);
    return r.value;
  };

/** The meta record, or that of an empty queue. */
export function* readMeta(): Step<Meta> {
  return { h: 0, t: 0, n: 0, c: { dropped: 0 }, ...(yield KV_META) };
}

/**
 * The Storage contract over any record store that can run a step atomically: one record per event
 * under its sequence number, one meta record with the counters and the sequence range, small
 * records under their key. A step reads and writes only the records of the events it touches.
 * The meta record is written after the events an append adds and before the events a removal
 * deletes, so a store that cannot roll back (an asynchronous key–value store) is left consistent
 * by a step cut short: at worst with unreferenced event records. `sync` says each step is done
 * when the runner returns (see `Storage.sync`).
 */
export const queueStorage = (run: StepRunner, sync?: boolean): Storage => {
  // Kept when the queue empties: sequence numbers never restart, so a key read earlier can only
  // ever name that one event.
  const commit = (put: Put, m: Meta, c: QueueCounters) => put(KV_META, ((m.c = c), m));

  return {
    sync,
    get: (key) =>
      run(function* () {
        return yield key;
      }),
    set: (key, v) =>
      run(function* (put) {
        put(key, v);
      }),
    append: (events, max, recount) =>
      run(function* (put) {
        const m = yield* readMeta();
        const first = m.t;
        const gone: number[] = [];
        try {
          for (const e of events) put(m.t++, e), m.n++;
          // Past the bound the oldest live events go (some just written, when more than `max` come at
          // once); holes (removed out of order) are passed over uncounted.
          for (; m.n > max && m.h < m.t; m.h++) if (m.h >= first || (yield m.h) != null) m.n--, gone.push(m.h);
          commit(put, m, recount(m.c, gone.length));
        } catch (e) {
          // A synchronous write refused (quota), or recount threw: take back the event records
          // written; meta was not.
          for (let k = first; k < m.t; k++) put(k);
          throw e;
        }
        for (const k of gone) put(k);
        return m.n;
      }),
    head: (n) =>
      run(function* (put) {
        const m = yield* readMeta();
        const entries: QueueEntry[] = [];
        for (let key = m.h; key < m.t && entries.length < n; key++) {
          const event = yield key;
          if (event) entries.push({ key, event });
        }
        return { entries, counters: m.c, size: m.n };
      }),
    remove: (entries, recount) =>
      run(function* (put) {
        const m = yield* readMeta();
        const gone = new Set<number>();
        for (const x of entries) if ((yield x.key)?.event_id == x.event.event_id) gone.add(x.key);
        const c = recount(m.c, gone.size);
        m.n -= gone.size;
        // Acknowledged events are the oldest: the range start moves past them and past holes.
        while (m.h < m.t && (gone.has(m.h) || (yield m.h) == null)) m.h++;
        commit(put, m, c);
        for (const k of gone) put(k);
        return m.n;
      }),
    wipe: () =>
      run(function* (put) {
        const m = yield* readMeta();
        put(KV_META);
        for (let k = m.h; k < m.t; k++) put(k);
      }),
  };
};
