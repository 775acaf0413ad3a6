import type { Client } from '@tally/core';
import { cut } from '../context.js';
import { listen } from '../guard.js';

/**
 * Uncaught errors and unhandled rejections → `error` events, feature `error` or
 * `unhandledrejection` (the DOM event's type), metadata {message, source, line, col, stack},
 * strings cut to 1 KB. Each distinct message+source is reported once per page, and at most 10 per
 * rolling minute, so an error thrown in a loop or an animation frame cannot flood the queue.
 */
export function trackErrors(client: Pick<Client, 'track'>, active: () => boolean): () => void {
  const seen = new Set<string>();
  let budget = 10;
  // `listen` guards it: an exception here would raise another `error` event and feed this very
  // tracker. A rejection reason whose `toString` throws is dropped that way too.
  const report = (e: ErrorEvent & PromiseRejectionEvent) => {
    const err = e.error ?? e.reason;
    const message = e.message || err?.message || String(err);
    const key = message + e.filename;
    if (budget && active() && !seen.has(key)) {
      // Each report spends the budget for one minute: a rolling window without timestamps.
      budget--;
      setTimeout(() => budget++, 60_000);
      // Bounded memory on a page that produces endless distinct messages; the rate limit still holds.
      if (seen.size < 500) seen.add(key);
      client.track('error', e.type, {
        message: cut(message),
        source: cut(e.filename),
        line: e.lineno,
        col: e.colno,
        stack: cut(err?.stack),
      });
    }
  };
  return listen(window, { error: report, unhandledrejection: report });
}
