import type { Transport } from '@tally/core';

/** `Retry-After` as delay-seconds or an HTTP-date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  const v = (value || '').trim();
  if (/^\d+$/.test(v)) return +v * 1000;
  // An HTTP-date always names a day or month; Date.parse alone would also take "-5" as a year.
  const at = /[a-z]/i.test(v) ? Date.parse(v) : NaN;
  return at == at ? Math.max(0, at - now) : undefined;
}

export interface FetchTransportOptions {
  /** Collector base URL, without `/v1/events`. */
  endpoint: string;
  /** A request still unanswered after this long counts as a network error. Default 30 s. */
  timeoutMs?: number;
}

/**
 * POSTs batches to `${endpoint}/v1/events` as `text/plain`: a CORS-safelisted content type, so a
 * cross-origin collector needs no preflight round trip. `send` never rejects: failures are status 0.
 * `sendUrgent` (page unload) uses `sendBeacon`, else `fetch` with `keepalive`.
 */
export function createFetchTransport({ endpoint, timeoutMs = 30_000 }: FetchTransportOptions): Transport {
  const url = endpoint.replace(/\/+$/, '') + '/v1/events';
  const post = (body: string, extra: RequestInit) =>
    fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'text/plain' }, credentials: 'omit', ...extra });

  return {
    async send(body) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        const res = await post(body, { signal: abort.signal });
        // Undefined fields are absent for core. A 2xx whose body is not JSON still acknowledges the batch.
        return {
          status: res.status,
          retryAfterMs: parseRetryAfter(res.headers.get('Retry-After'), Date.now()),
          body: res.ok ? await res.json().catch(() => undefined) : undefined,
        };
      } catch {
        return { status: 0 };
      } finally {
        clearTimeout(timer);
      }
    },

    sendUrgent(body) {
      try {
        if (navigator.sendBeacon(url, new Blob([body], { type: 'text/plain' }))) return true;
      } catch {
        // Missing, or throwing instead of returning false (over its 64 KB budget): try keepalive.
      }
      try {
        post(body, { keepalive: true }).catch(() => {});
        return true;
      } catch {
        return false;
      }
    },
  };
}
