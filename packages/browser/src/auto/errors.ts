import type { Client } from '@tally/core';
import { safe } from '../guard.js';

export interface ErrorTrackingOptions {
  /** At most this many error events per rolling minute. Default 10. */
  perMinute?: number;
  now?: () => number;
}

const cut = (s: unknown, max: number) => (typeof s == 'string' && s ? s.slice(0, max) : undefined);

/**
 * Uncaught errors and unhandled rejections → `error` events, feature `error` or
 * `unhandledrejection`, metadata {message, source, line, col, stack ≤ 1 KB}. Each distinct
 * message+source is reported once per page, and at most `perMinute` per rolling minute, so an
 * error thrown in a loop or an animation frame cannot flood the queue.
 */
export function trackErrors(
  client: Pick<Client, 'track'>,
  active: () => boolean,
  { perMinute = 10, now = Date.now }: ErrorTrackingOptions = {},
): () => void {
  const seen = new Set<string>();
  const recent: number[] = [];

  const report = (kind: string, message: string, stack: unknown, source?: string, line?: number, col?: number) => {
    if (!active()) return;
    const key = message + '\n' + (source || '');
    if (seen.has(key)) return;
    const t = now();
    while (recent.length && t - recent[0]! >= 60_000) recent.shift();
    if (recent.length >= perMinute) return;
    recent.push(t);
    // Bounded memory on a page that produces endless distinct messages; the rate limit still holds.
    if (seen.size < 500) seen.add(key);
    client.track('error', kind, {
      message: cut(message, 1024),
      source: cut(source, 1024),
      line: line || undefined,
      col: col || undefined,
      stack: cut(stack, 1024),
    });
  };

  // `safe`: a handler that threw would itself raise an `error` event and feed this tracker.
  const onError = safe((e: Event) => {
    const ev = e as ErrorEvent;
    const err = ev.error as { stack?: unknown } | undefined;
    report('error', ev.message || String(ev.error), err?.stack, ev.filename, ev.lineno, ev.colno);
  });
  const onRejection = safe((e: Event) => {
    const reason = (e as PromiseRejectionEvent).reason as { message?: unknown; stack?: unknown } | undefined;
    const message = reason instanceof Error ? reason.message : String(reason);
    report('unhandledrejection', message, reason?.stack);
  });
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
  return () => {
    removeEventListener('error', onError);
    removeEventListener('unhandledrejection', onRejection);
  };
}
