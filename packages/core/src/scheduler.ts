import type { Clock } from './types.js';

/**
 * When to flush: `debounceMs` after the last event, at the latest `maxWaitMs` after the first
 * unsent one, or after a backoff delay. One timer does all three, armed once per quiet spell rather
 * than per event (a timer per `track()` was most of its cost in issue 12's profile): when it fires
 * early it arms itself again for the rest. While a retry is pending, new events do not trigger a
 * flush: hammering a collector that is down is what backoff exists to avoid.
 */
export function createScheduler(clock: Clock, debounceMs: number, maxWaitMs: number, flush: () => unknown) {
  let timer: unknown;
  // When the first unsent event was queued; 0 when none waits, -1 while a retry is pending.
  let first = 0;
  let last = 0;
  const stop = () => {
    clock.clearTimeout(timer);
    timer = first = 0;
  };
  const go = () => {
    stop();
    flush();
  };
  const arm = (ms: number) => {
    clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      const wait = Math.min(last + debounceMs, first + maxWaitMs) - clock.now();
      first > 0 && wait > 0 ? arm(wait) : go();
    }, ms);
  };
  return {
    /** An event was queued. */
    poke(): void {
      if (first >= 0) {
        last = clock.now();
        first ||= last;
        timer || arm(debounceMs);
      }
    },
    /** Enough events wait: flush now, unless backing off. */
    kick(): void {
      if (first >= 0) go();
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
