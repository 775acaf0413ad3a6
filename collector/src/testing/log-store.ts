import { LIMITS, type StoredEvent } from '@tally/protocol';
import { StorageUnavailableError, type AppendResult, type Clock, type LogStore } from '../deps.js';

/**
 * An in-memory `LogStore` with the real contract's dedup rule (an `event_id` stored in the last
 * 48 hours of the given clock is not stored again, also within one batch) and switches to
 * simulate a broken disk. Events are kept in insertion order; days are UTC receipt days.
 */
export interface MemoryLogStore extends LogStore {
  /** Everything stored so far, in order. */
  readonly events: StoredEvent[];
  /** While set, `append` rejects with `StorageUnavailableError` and `writable()` is false. */
  setFailing(failing: boolean): void;
  /** How many `append` calls were made (including failed ones). */
  readonly appendCalls: number;
}

const WINDOW_MS = LIMITS.dedupWindowHours * 3600 * 1000;

export function createMemoryLogStore(clock: Clock = { now: () => Date.now() }): MemoryLogStore {
  const events: StoredEvent[] = [];
  const seen = new Map<string, number>();
  const listeners = new Set<(events: StoredEvent[]) => void>();
  let failing = false;
  let closed = false;
  let appendCalls = 0;

  const dayOf = (e: StoredEvent) => e.received_at.slice(0, 10);

  return {
    events,
    get appendCalls() {
      return appendCalls;
    },
    setFailing(f) {
      failing = f;
    },
    async append(batch, options): Promise<AppendResult> {
      appendCalls++;
      if (closed) throw new StorageUnavailableError('log store is closed');
      if (failing) throw new StorageUnavailableError('simulated disk failure');
      const now = clock.now();
      const logged: StoredEvent[] = [];
      const keys = new Set<string>();
      let duplicates = 0;
      for (const e of batch) {
        // Per app, like the real store ("default" and no app share one namespace).
        const key = `${e.app === undefined || e.app === '' ? 'default' : e.app}\n${e.event_id}`;
        const at = seen.get(key);
        if (keys.has(key) || (at !== undefined && now - at < WINDOW_MS)) {
          duplicates++;
          continue;
        }
        keys.add(key);
        logged.push(e);
      }
      // Like the real store: a failing beforeAck leaves nothing stored.
      await options?.beforeAck?.({ logged, duplicates });
      for (const k of keys) seen.set(k, now);
      events.push(...logged);
      if (logged.length > 0) for (const l of listeners) l(logged);
      return { logged, duplicates };
    },
    writable: () => !failing && !closed,
    probe: async () => !failing && !closed,
    verify: async () => true,
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async *readDay(day) {
      for (const e of events.filter((x) => dayOf(x) === day)) yield e;
    },
    // Every event of the day: the contract allows more than the ids' events, and callers filter.
    async *searchDay(day) {
      for (const e of events.filter((x) => dayOf(x) === day)) yield e;
    },
    async days() {
      return [...new Set(events.map(dayOf))].sort();
    },
    async rewriteDay(day, keep) {
      let removed = 0;
      for (let i = events.length - 1; i >= 0; i--) {
        const e = events[i]!;
        if (dayOf(e) === day && !keep(e)) {
          events.splice(i, 1);
          removed++;
        }
      }
      return removed;
    },
    async deleteDay(day) {
      for (let i = events.length - 1; i >= 0; i--) if (dayOf(events[i]!) === day) events.splice(i, 1);
    },
    async close() {
      closed = true;
    },
  };
}
