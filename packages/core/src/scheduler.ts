import type { Clock } from './types.js';

/**
 * When to flush: `debounceMs` after the last event, at the latest `maxWaitMs` after the first
 * unsent one, or after a backoff delay. One timer does all three. While a retry is pending, new
 * events do not trigger a flush: hammering a collector that is down is what backoff exists to avoid.
 */
export type Scheduler = ReturnType<typeof createScheduler>;

export function createScheduler(clock: Clock, debounceMs: number, maxWaitMs: number, flush: () => unknown) {
  let timer: unknown;
  // When the first unsent event was queued; 0 when none waits, -1 while a retry is pending.
  let first = 0;
  // When the latest event was queued.
  let last = 0;
  const stop = () => {
    clock.clearTimeout(timer);
    timer = first = 0;
  };
  const fire = () => {
    stop();
    flush();
  };
  const arm = (ms: number, fn = fire) => {
    clock.clearTimeout(timer);
    timer = clock.setTimeout(fn, ms);
  };
  // An event only ever moves the deadline later, so poke() never re-arms a pending timer (a
  // clearTimeout + setTimeout per track() was a fifth of its cost in Chromium): the timer looks at
  // the deadline when it fires, and waits on if an event came meanwhile.
  const check = () => {
    const ms = Math.min(last + debounceMs, first + maxWaitMs) - clock.now();
    ms > 0 ? arm(ms, check) : fire();
  };
  return {
    /** An event was queued. */
    poke(): void {
      if (first < 0) return;
      last = clock.now();
      first ||= last;
      timer || check();
    },
    /** Enough events wait: flush now, unless backing off. */
    kick(): void {
      if (first >= 0) fire();
    },
    retryIn(ms: number): void {
      arm(ms);
      first = -1;
    },
    /** A flush succeeded (or the network came back): forget any pending retry. */
    unretry(): void {
      if (first < 0) stop();
    },
    stop,
  };
}
