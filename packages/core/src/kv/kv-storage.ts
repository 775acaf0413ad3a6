import type { QueueCounters, QueueEntry, Storage } from '../types.js';
import type { WireEvent } from '../wire.js';

/** The part of Web Storage, MMKV and React Native's AsyncStorage that `kvStorage` needs; sync or async. */
export interface KeyValueBackend {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): unknown;
  removeItem(key: string): unknown;
}

/** Keys under the prefix. `tally.q` is the single-value queue of versions before 0.2, moved once. */
export const KV_EVENT = 'tally.e';
export const KV_META = 'tally.c';
export const KV_LEGACY = 'tally.q';

/** The meta record: live events are under sequence numbers in [h, t) (with holes), `n` of them. */
interface Meta extends QueueCounters {
  h: number;
  t: number;
  n: number;
}

/** A step yields the keys it reads and is handed their text; writes go through `put`. */
type Step<R> = Generator<string, R, string | null | undefined>;
type Put = (key: string, value?: unknown) => void;

const parse = (text: string | null | undefined): any => (text ? JSON.parse(text) : undefined);

/**
 * The whole Storage contract over a string key–value store (localStorage, MMKV, AsyncStorage): one
 * key per event (`${prefix}tally.e<seq>`), a meta record with the counters and the sequence range
 * (`${prefix}tally.c`), small records as JSON under `${prefix}${key}`. Never one big value, so a
 * step reads and writes only the keys of the events it touches.
 *
 * With a synchronous backend a step runs start to end without yielding (localStorage: atomic
 * against this page and, as far as localStorage allows, other tabs). The meta record is the commit
 * point: an append writes its event keys, then the meta record; if a write throws (quota) the keys
 * already written are removed again and nothing changed. A removal writes the meta record first,
 * then deletes the keys. With an asynchronous backend (AsyncStorage) steps are ordered by core's
 * serial line and the backend's own write order; a step awaits its writes before it resolves.
 */
export const kvStorage = (b: KeyValueBackend, prefix: string): Storage => {
  let legacyChecked = false;

  const run = async <R>(step: (put: Put) => Step<R>): Promise<R> => {
    const writes: unknown[] = [];
    const done: string[] = [];
    const put: Put = (key, v) => {
      writes.push(v === undefined ? b.removeItem(prefix + key) : b.setItem(prefix + key, JSON.stringify(v)));
      done.push(key);
    };
    const g = step(put);
    let r = g.next();
    while (!r.done) {
      let text = b.getItem(prefix + r.value);
      // Awaits only for an asynchronous backend: a synchronous one runs the whole step in one go.
      if (text && typeof text == 'object') text = await text;
      r = g.next(text);
    }
    await Promise.all(writes);
    return r.value;
  };

  /** Reads the meta record, moving a legacy single-value queue into the new layout first. */
  function* meta(put: Put): Step<Meta> {
    const m: Meta = { h: 0, t: 0, n: 0, dropped: 0, ...parse(yield KV_META) };
    if (!legacyChecked) {
      const old = parse(yield KV_LEGACY);
      if (old) {
        const q: WireEvent[] = Array.isArray(old.q) ? old.q : [];
        // Appended after anything already in the new layout; sequence numbers stay increasing.
        for (const e of q) put(KV_EVENT + m.t++, e);
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
    get: (key) => run(function* () {
      return parse(yield key);
    }),
    set: (key, v) => run(function* (put) {
      put(key, v);
    }),
    append: (events, max, recount) =>
      run(function* (put) {
        const m = yield* meta(put);
        const lost = Math.max(0, m.n + events.length - max);
        const c = recount(counters(m), lost);
        const first = m.t;
        const skip = Math.max(0, lost - m.n);
        try {
          for (const e of events.slice(skip)) put(KV_EVENT + m.t++, e);
          let drop = lost - skip;
          m.n += events.length - lost;
          // The oldest live events go; holes (keys removed out of order) are passed over uncounted.
          const gone: number[] = [];
          for (; drop && m.h < first; m.h++) if ((yield KV_EVENT + m.h) != null) drop--, gone.push(m.h);
          if (skip) m.h = first;
          commit(put, m, c);
          for (const k of gone) put(KV_EVENT + k);
        } catch (e) {
          // Quota: take back the event keys this step wrote; the meta record was not written.
          for (let k = first; k < m.t; k++) b.removeItem(prefix + KV_EVENT + k);
          throw e;
        }
        return m.n;
      }),
    head: (n) =>
      run(function* (put) {
        const m = yield* meta(put);
        const entries: QueueEntry[] = [];
        for (let key = m.h; key < m.t && entries.length < n; key++) {
          const event = parse(yield KV_EVENT + key);
          if (event) entries.push({ key, event });
        }
        return { entries, counters: counters(m), size: m.n };
      }),
    remove: (entries, recount) =>
      run(function* (put) {
        const m = yield* meta(put);
        const gone = new Set<number>();
        for (const x of entries) {
          const e = parse(yield KV_EVENT + x.key);
          if (e && e.event_id == x.event.event_id) gone.add(x.key);
        }
        const c = recount(counters(m), gone.size);
        m.n -= gone.size;
        // Acknowledged events are the oldest: the range start moves past them and past holes.
        while (m.h < m.t && (gone.has(m.h) || (yield KV_EVENT + m.h) == null)) m.h++;
        commit(put, m, c);
        for (const k of gone) put(KV_EVENT + k);
        return m.n;
      }),
    wipe: () =>
      run(function* (put) {
        const m = yield* meta(put);
        put(KV_META);
        for (let k = m.h; k < m.t; k++) put(KV_EVENT + k);
      }),
  };
};
