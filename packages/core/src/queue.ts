import type { QueuedEvent, Storage } from './types.js';
import type { Serial } from './serial.js';

export const KEY_DROPPED = 'tally.dropped';

/** What a batch carried in its `dropped` field, split by where the count lived: [storage, memory]. */
export type Carried = [number, number];

/**
 * The persistent queue plus an in-memory fallback for events the storage refused (quota, private
 * mode): they are still delivered, just not across a reload. Also owns the dropped counter, which
 * lives in storage so several tabs and reloads add up, and which is only decreased by what an
 * acknowledged batch carried, so a drop counted while a batch is in flight is neither lost nor sent twice.
 */
export function createQueue(
  storage: Storage,
  maxQueue: number,
  serial: Serial,
  /** Reports a storage failure (debug log). */
  oops: (e: unknown) => void,
  /** False once consent is denied: a batch still in flight then must not write counts back. */
  active: () => boolean,
) {
  let mem: QueuedEvent[] = [];
  // Counts the storage could not hold; negative when an acknowledged count could not be subtracted there.
  let memDropped = 0;
  let dropped = 0;
  let size = 0;
  const num = async (): Promise<number> => Number(await storage.get(KEY_DROPPED)) || 0;
  const setNum = (n: number) => storage.set(KEY_DROPPED, String(Math.max(0, n)));

  const addDropped = (n: number): Promise<void> =>
    n > 0 && active()
      ? serial(async () => {
          dropped += n;
          try {
            await setNum((await num()) + n);
          } catch {
            memDropped += n;
          }
        })
      : Promise.resolve();

  return {
    /** Persists events, enforcing the bound. Never rejects. Resolves with the queue length seen. */
    put: (events: QueuedEvent[]): Promise<number> =>
      serial(async () => {
        let lost = 0;
        try {
          await storage.enqueue(events);
          try {
            const n = await storage.count();
            lost = n > maxQueue ? await storage.dropOldest(n - maxQueue) : 0;
            size = n - lost;
          } catch (e) {
            oops(e);
          }
        } catch (e) {
          oops(e);
          // The in-memory fallback keeps the bound too; what falls off is counted.
          mem = mem.concat(events);
          lost = Math.max(0, mem.length - maxQueue);
          mem = mem.slice(lost);
        }
        // Counted outside this step: addDropped queues on the same serial line.
        void addDropped(lost);
        return size + mem.length;
      }),
    /** The oldest events, storage and fallback merged, by `seq`. */
    head: async (limit: number): Promise<QueuedEvent[]> => {
      const stored = await storage.peek(limit).catch((e) => (oops(e), [] as QueuedEvent[]));
      if (stored.length < limit) size = stored.length;
      return stored
        .concat(mem)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit);
    },
    /**
     * Removes sent events. Resolves with how many of them storage no longer held (dropped as overflow
     * meanwhile, so already counted), or false when storage failed (they may come back).
     */
    remove: async (events: QueuedEvent[]): Promise<number | false> => {
      const ids = events.map((q) => q.event.event_id!);
      const before = mem.length;
      mem = mem.filter((q) => !ids.includes(q.event.event_id!));
      const inMem = before - mem.length;
      try {
        const n = await storage.remove(ids);
        return n == null ? 0 : Math.max(0, ids.length - inMem - n);
      } catch (e) {
        oops(e);
        return false;
      }
    },
    addDropped,
    /** The count the next batch carries. */
    carry: (): Promise<Carried> =>
      serial(async () => {
        return [await num().catch(() => 0), memDropped];
      }),
    /**
     * A batch carrying `c` was acknowledged; `delta` adjusts the count: + events the collector
     * rejected, - events counted as overflow that were delivered after all.
     */
    acked: (c: Carried, delta: number): Promise<void> =>
      serial(async () => {
        if (!active()) return;
        memDropped -= c[1];
        dropped += delta;
        try {
          await setNum((await num()) - c[0] + delta);
        } catch {
          memDropped += delta - c[0];
        }
      }),
    /** Consent withdrawn: nothing of it may stay, counts included. */
    clear: (): Promise<void> =>
      serial(async () => {
        mem = [];
        memDropped = size = 0;
        await Promise.all([storage.clear(), storage.delete(KEY_DROPPED)]).catch(oops);
      }),
    stats: () => ({ queued: size + mem.length, dropped }),
  };
}

export type Queue = ReturnType<typeof createQueue>;
