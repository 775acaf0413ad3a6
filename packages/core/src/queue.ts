import type { QueueEntry, QueueHead, Recount, Storage } from './types.js';
import type { WireEvent } from './wire.js';

/**
 * The persistent queue, over the storage's queue steps. Bounded: past `maxQueue` the oldest events
 * are dropped and counted. The count is stored beside the events, so tabs and reloads add up, and
 * a batch that carried it subtracts exactly what it carried once acknowledged: a drop counted while
 * a batch is in flight is neither lost nor sent twice. A batch whose answer was lost is sent again
 * with the same report id and a total that can only have grown, so the collector counts each
 * report's increase once; an acknowledged report is closed and what remains starts a new one.
 * Each step is atomic in storage and storages run steps in call order (an IndexedDB transaction is
 * created at the call; an asynchronous key–value store queues them: see `kvRunner`), so nothing here
 * waits for an earlier step, and a synchronous storage has written a step when the call returns.
 */
export function createQueue(
  storage: Storage,
  maxQueue: number,
  /** False once consent is denied: a batch still in flight then must not write anything back. */
  active: () => boolean,
  uuid: () => string,
) {
  let size = 0;
  let dropped = 0;
  /**
   * Runs a queue step whose recount adds `f(n)` to the stored drop count (`n`: what the step
   * dropped or removed) and subtracts `carried`, closing the report that carried it. A report id
   * is kept exactly while there is a count. `f(n)` is also this page's own count, for stats.
   */
  const step = async (run: (r: Recount) => Promise<number>, f: (n: number) => number, carried = 0): Promise<number> => {
    let x = 0;
    if (active())
      size = await run((c, n) => {
        const d = Math.max(0, c.dropped - carried + (x = f(n)));
        return { dropped: d, reportId: d ? (!carried && c.reportId) || uuid() : undefined };
      });
    dropped += x;
    return size;
  };

  return {
    /** Appends events, enforcing the bound. Resolves with the queue length. */
    store: (events: WireEvent[]): Promise<number> => step((r) => storage.append(events, maxQueue, r), (n) => n),
    /** The oldest `n` entries and the drop count a batch sent now carries. */
    peek: (n: number): Promise<QueueHead> => storage.head(n).then((h) => ((size = h.size), h)),
    /**
     * The collector acknowledged `entries` and the `carried` drop count, and refused `rejected` of
     * the events (a 4xx refuses them all: `acked(entries, 0, entries.length)`). Those no longer
     * stored were dropped as overflow meanwhile, so already counted: delivered after all, they are
     * un-counted. `acked([], 0, n)` counts `n` events lost before they reached the queue (pending
     * consent's memory bound).
     */
    acked: (entries: QueueEntry[], carried: number, rejected: number) =>
      step((r) => storage.remove(entries, r), (n) => rejected - entries.length + n, carried),
    /** Consent withdrawn: nothing of it may stay, counts included. */
    erase: (): Promise<void> => ((size = 0), storage.wipe()),
    counts: () => ({ queued: size, dropped }),
  };
}

export type Queue = ReturnType<typeof createQueue>;
