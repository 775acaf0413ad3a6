import type { Clock } from './types.js';

/**
 * When to flush: `debounceMs` after the last event, at the latest `maxWaitMs` after the first
 * unsent one, or after a backoff delay. While a retry is pending, new events do not trigger a
 * flush: hammering a collector that is down is what backoff exists to avoid.
 */
// Timer handles are truthy on every platform (browser ids start at 1, Node returns objects), so
// "no timer" is tested as falsy.
export function createScheduler(clock: Clock, debounceMs: number, maxWaitMs: number, flush: () => unknown) {
  let debounce: unknown;
  let maxWait: unknown;
  let retry: unknown;
  const clear = (h: unknown) => clock.clearTimeout(h);
  const stop = () => {
    clear(debounce);
    clear(maxWait);
    debounce = maxWait = undefined;
  };
  const fire = () => {
    stop();
    flush();
  };
  const unretry = () => {
    clear(retry);
    retry = undefined;
  };
  return {
    /** An event was queued. */
    poke(): void {
      if (retry) return;
      clear(debounce);
      debounce = clock.setTimeout(fire, debounceMs);
      maxWait ||= clock.setTimeout(fire, maxWaitMs);
    },
    /** Enough events wait: flush now, unless backing off. */
    kick(): void {
      if (!retry) fire();
    },
    retryIn(ms: number): void {
      clear(retry);
      stop();
      retry = clock.setTimeout(() => {
        retry = undefined;
        flush();
      }, ms);
    },
    /** A flush succeeded (or the network came back): forget any pending retry. */
    unretry,
    stop(): void {
      stop();
      unretry();
    },
  };
}
