import type { Client } from '@tally/core';
import { listen } from '../guard.js';

export interface ErrorTrackingOptions {
  /** At most this many error events per rolling minute. Default 10. */
  perMinute?: number;
  now?: () => number;
}

const cut = (s: unknown) => (typeof s == 'string' && s ? s.slice(0, 1024) : undefined);

/**
 * Uncaught errors and unhandled rejections → `error` events, feature `error` or
 * `unhandledrejection`, metadata {message, source, line, col, stack}, strings cut to 1 KB. Each
 * distinct message+source is reported once per page, and at most `perMinute` per rolling minute,
 * so an error thrown in a loop or an animation frame cannot flood the queue.
 */
export function trackErrors(
  client: Pick<Client, 'track'>,
  active: () => boolean,
  { perMinute = 10, now = Date.now }: ErrorTrackingOptions = {},
): () => void {
  const seen = new Set<string>();
  let recent: number[] = [];

  const report = (kind: string, message: string, stack: unknown, source?: string, line?: number, col?: number) => {
    const key = message + '\n' + source;
    const t = now();
    recent = recent.filter((r) => t - r < 60_000);
    if (!active() || seen.has(key) || recent.length >= perMinute) return;
    recent.push(t);
    // Bounded memory on a page that produces endless distinct messages; the rate limit still holds.
    if (seen.size < 500) seen.add(key);
    client.track('error', kind, { message: cut(message), source: cut(source), line, col, stack: cut(stack) });
  };

  // `listen` guards the handlers: an exception there would raise another `error` event and feed this very tracker.
  return listen(window, {
    error: ({ message, error, filename, lineno, colno }: ErrorEvent) =>
      report('error', message || String(error), error?.stack, filename, lineno, colno),
    unhandledrejection: ({ reason }: PromiseRejectionEvent) =>
      report('unhandledrejection', reason instanceof Error ? reason.message : String(reason), reason?.stack),
  });
}
