import type { Clock } from './types.js';

/**
 * When to flush: `debounceMs` after the last event, at the latest `maxWaitMs` after the first
 * unsent one, or after a backoff delay. One timer does all three. While a retry is pending, new
 * events do not trigger a flush: hammering a collector that is down is what backoff exists to avoid.
 */
export function createScheduler(clock: Clock, debounceMs: number, maxWaitMs: number, flush: () => unknown) {
  let timer: unknown;
  // When the first unsent event was queued; 0 when none waits, -1 while a retry is pending.
  let first = 0;
  const stop = () => {
    clock.clearTimeout(timer);
    first = 0;
  };
  const fire = () => {
    stop();
    flush();
  };
  const arm = (ms: number) => {
    clock.clearTimeout(timer);
    timer = clock.setTimeout(fire, ms);
  };
  return {
    /** An event was queued. */
    poke(): void {
      if (first < 0) return;
      const now = clock.now();
      first ||= now;
      arm(Math.min(debounceMs, first + maxWaitMs - now));
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
