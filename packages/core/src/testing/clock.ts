import type { Clock, Lifecycle, LifecycleEvent } from '../types.js';

declare function setTimeout(fn: () => void, ms: number): unknown;

export interface FakeClock extends Clock {
  /** Moves time forward, running every timer that falls due, in order, letting promises settle between them. */
  advance(ms: number): Promise<void>;
  /** How many timers are pending. */
  pending(): number;
}

/** Lets every pending promise chain run (storage and transport fakes resolve in microtasks). */
export const settle = async (rounds = 10): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setTimeout(r, 0));
};

export function createFakeClock(start = Date.parse('2026-11-20T10:00:00.000Z')): FakeClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const due = (until: number) => {
    let best: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of timers) if (entry[1].at <= until && (!best || entry[1].at < best[1].at)) best = entry;
    return best;
  };
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(nextId, { at: now + Math.max(0, ms), fn });
      return nextId++;
    },
    clearTimeout: (h) => void timers.delete(h as number),
    pending: () => timers.size,
    async advance(ms) {
      const until = now + ms;
      await settle();
      for (let next = due(until); next; next = due(until)) {
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
        await settle();
      }
      now = until;
    },
  };
}

export interface FakeLifecycle extends Lifecycle {
  /** Sets the online flag for 'online'/'offline', then tells the listeners. */
  emit(event: LifecycleEvent): void;
  online: boolean;
}

export function createFakeLifecycle(online = true): FakeLifecycle {
  const listeners = new Set<(e: LifecycleEvent) => void>();
  const l: FakeLifecycle = {
    online,
    isOnline: () => l.online,
    subscribe: (fn) => (listeners.add(fn), () => void listeners.delete(fn)),
    emit: (e) => {
      if (e == 'online' || e == 'offline') l.online = e == 'online';
      for (const fn of listeners) fn(e);
    },
  };
  return l;
}
