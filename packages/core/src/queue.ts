import type { Storage } from './types.js';
import type { Serial } from './serial.js';
import type { WireEvent } from './wire.js';

/** The queue and its dropped counter live in one value, so every change to both is one atomic write. */
export const KEY_QUEUE = 'tally.q';

/**
 * Stored form: `q` the unsent events oldest first, `d` the drops not yet reported to the
 * collector, `i` the id of that drop report (present while `d` is).
 */
export interface StoredQueue {
  q: WireEvent[];
  d: number;
  i?: string;
}

/** Tolerates anything under the key (an older version's value, another app's): garbage reads as empty. */
const read = (v: any): StoredQueue => {
  const d = v?.d > 0 ? v.d : 0;
  return { q: Array.isArray(v?.q) ? v.q : [], d, i: d && typeof v.i == 'string' ? v.i : undefined };
};

/**
 * The persistent queue. Bounded: past `maxQueue` the oldest events are dropped and counted. The
 * count is stored beside the events, so tabs and reloads add up, and a batch that carried it
 * subtracts exactly what it carried once acknowledged: a drop counted while a batch is in flight is
 * neither lost nor sent twice. A batch whose answer was lost is sent again with the same report id
 * and a total that can only have grown, so the collector counts each report's increase once; an
 * acknowledged report is closed and what remains starts a new one. Steps run in call order on `serial`.
 */
export function createQueue(
  storage: Storage,
  maxQueue: number,
  serial: Serial,
  /** False once consent is denied: a batch still in flight then must not write anything back. */
  active: () => boolean,
  uuid: () => string,
) {
  let size = 0;
  let dropped = 0;
  /**
   * Applies `fn` to (a fresh copy of) the stored queue and writes it back; `fn` returns what it
   * newly counted as dropped, for this page's stats.
   */
  const edit = (fn: (r: StoredQueue) => number): Promise<void> => {
    let n = 0;
    return serial(() =>
      active()
        ? storage.update(KEY_QUEUE, (v) => {
            const r = read(v);
            n = fn(r);
            size = r.q.length;
            r.i = r.d ? r.i || uuid() : undefined;
            return r.q.length || r.d ? r : undefined;
          })
        : Promise.resolve(),
    ).then(() => void (dropped += n));
  };
  /** Takes `events` out of `r`; returns how many of them were still there. */
  const remove = (r: StoredQueue, events: WireEvent[]) => {
    const ids = events.map((e) => e.event_id);
    const before = r.q.length;
    r.q = r.q.filter((e) => !ids.includes(e.event_id));
    return before - r.q.length;
  };

  return {
    /** Appends events, enforcing the bound. Resolves with the queue length. */
    append: (events: WireEvent[]): Promise<number> =>
      edit((r) => {
        const q = r.q.concat(events);
        const lost = Math.max(0, q.length - maxQueue);
        r.q = q.slice(lost);
        r.d += lost;
        return lost;
      }).then(() => size),
    /** The whole stored queue and the drop count a batch sent now carries. */
    head: (): Promise<StoredQueue> =>
      serial(() => storage.get(KEY_QUEUE)).then((v) => {
        const r = read(v);
        size = r.q.length;
        return r;
      }),
    /**
     * The collector acknowledged `events` and the `carried` drop count, and refused `rejected` of
     * the events. Those no longer stored were dropped as overflow meanwhile, so already counted:
     * delivered after all, they are un-counted.
     */
    acked: (events: WireEvent[], carried: number, rejected: number) =>
      edit((r) => {
        const n = rejected - events.length + remove(r, events);
        r.d = Math.max(0, r.d - carried + n);
        if (carried) r.i = undefined;
        return n;
      }),
    /** Refused for good (a 4xx): removed and counted as dropped. */
    refused: (events: WireEvent[]) =>
      edit((r) => {
        const n = remove(r, events);
        r.d += n;
        return n;
      }),
    /** Events lost before they reached the queue (pending consent's memory bound). */
    addDropped: (n: number) => edit((r) => ((r.d += n), n)),
    /** Consent withdrawn: nothing of it may stay, counts included. */
    wipe: (): Promise<void> =>
      serial(() => {
        size = 0;
        return storage.update(KEY_QUEUE, () => undefined);
      }),
    counts: () => ({ queued: size, dropped }),
  };
}

export type Queue = ReturnType<typeof createQueue>;
