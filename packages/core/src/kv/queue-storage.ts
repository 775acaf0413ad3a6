import type { QueueCounters, QueueEntry, Storage } from '../types.js';
import type { WireEvent } from '../wire.js';

/** Meta record: live events are under sequence numbers in [h, t) (with holes), `n` of them. */
export const KV_META = 'tally.c';
/** The single-value queue `{q, d, i}` of SDK 0.1, moved into this layout by the first step. */
export const KV_LEGACY = 'tally.q';

interface Meta extends QueueCounters {
  h: number;
  t: number;
  n: number;
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
 * The Storage contract over any record store that can run a step atomically: one record per event
 * under its sequence number, one meta record with the counters and the sequence range, small
 * records under their key. A step reads and writes only the records of the events it touches.
 * The meta record is written after the events an append adds and before the events a removal
 * deletes, so a store that cannot roll back (an asynchronous key–value store) is left consistent
 * by a step cut short: at worst with unreferenced event records.
 */
export const queueStorage = (run: StepRunner): Storage => {
  let legacyChecked = false;

  /** Reads the meta record, moving a legacy single-value queue into the new layout first. */
  function* meta(put: Put): Step<Meta> {
    const m: Meta = { h: 0, t: 0, n: 0, dropped: 0, ...(yield KV_META) };
    if (!legacyChecked) {
      const old = yield KV_LEGACY;
      if (old) {
        const q: WireEvent[] = Array.isArray(old.q) ? old.q : [];
        // Appended after anything already in the new layout; sequence numbers stay increasing.
        for (const e of q) put(m.t++, e);
        m.n += q.length;
        if (old.d > 0) {
          m.dropped += old.d;
          m.reportId ||= old.i;
        }
        put(KV_META, m);
        put(KV_LEGACY);
      }
      legacyChecked = true;
    }
    return m;
  }

  const counters = (m: Meta): QueueCounters => ({ dropped: m.dropped, reportId: m.reportId });
  const commit = (put: Put, m: Meta, c: QueueCounters) => {
    m.dropped = c.dropped;
    m.reportId = c.reportId;
    put(KV_META, m.n || m.dropped ? m : undefined);
  };

  return {
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
        const m = yield* meta(put);
        const lost = Math.max(0, m.n + events.length - max);
        const c = recount(counters(m), lost);
        const first = m.t;
        const skip = Math.max(0, lost - m.n);
        let drop = lost - skip;
        try {
          for (const e of events.slice(skip)) put(m.t++, e);
          m.n += events.length - lost;
          // The oldest live events go; holes (removed out of order) are passed over uncounted.
          const gone: number[] = [];
          for (; drop && m.h < first; m.h++) if ((yield m.h) != null) drop--, gone.push(m.h);
          if (skip) m.h = first;
          commit(put, m, c);
          for (const k of gone) put(k);
        } catch (e) {
          // A synchronous write refused (quota): take back the event records written; meta was not.
          for (let k = first; k < m.t; k++) put(k);
          throw e;
        }
        return m.n;
      }),
    head: (n) =>
      run(function* (put) {
        const m = yield* meta(put);
        const entries: QueueEntry[] = [];
        for (let key = m.h; key < m.t && entries.length < n; key++) {
          const event = yield key;
          if (event) entries.push({ key, event });
        }
        return { entries, counters: counters(m), size: m.n };
      }),
    remove: (entries, recount) =>
      run(function* (put) {
        const m = yield* meta(put);
        const gone = new Set<number>();
        for (const x of entries) if ((yield x.key)?.event_id == x.event.event_id) gone.add(x.key);
        const c = recount(counters(m), gone.size);
        m.n -= gone.size;
        // Acknowledged events are the oldest: the range start moves past them and past holes.
        while (m.h < m.t && (gone.has(m.h) || (yield m.h) == null)) m.h++;
        commit(put, m, c);
        for (const k of gone) put(k);
        return m.n;
      }),
    wipe: () =>
      run(function* (put) {
        const m = yield* meta(put);
        put(KV_META);
        for (let k = m.h; k < m.t; k++) put(k);
      }),
  };
};
