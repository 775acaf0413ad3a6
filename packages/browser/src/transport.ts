import type { Transport } from '@tally/core';
import { parseRetryAfter } from '@tally/core/adapter';

export interface FetchTransportOptions {
  /** Collector base URL, without `/v1/events`. */
  endpoint: string;
  /** A request still unanswered after this long counts as a network error. Default 30 s. */
  timeoutMs?: number;
}

/**
 * POSTs batches to `${endpoint}/v1/events` as `text/plain`: a CORS-safelisted content type, so a
 * cross-origin collector needs no preflight round trip. fetch and sendBeacon both label a string
 * body `text/plain;charset=UTF-8` themselves, so neither a header nor a Blob is needed. `send` never rejects: failures are status 0.
 * `sendUrgent` (page unload) uses `sendBeacon`, else `fetch` with `keepalive`.
 */
export function createFetchTransport({ endpoint, timeoutMs = 30_000 }: FetchTransportOptions): Transport {
  const url = endpoint.replace(/\/+$/, '') + '/v1/events';
  const post = (body: string, extra: RequestInit) =>
    fetch(url, { method: 'POST', body, credentials: 'omit', ...extra });

  return {
    async send(body) {
      const abort = new AbortController();
      // Aborting after the answer came is a no-op (or, mid-body, an unparsed body): no clearTimeout needed.
      setTimeout(() => abort.abort(), timeoutMs);
      try {
        const res = await post(body, { signal: abort.signal });
        // Undefined fields are absent for core. A 2xx whose body is not JSON still acknowledges the batch.
        return {
          status: res.status,
          retryAfterMs: parseRetryAfter(res.headers.get('Retry-After'), Date.now()),
          body: res.ok ? await res.json().catch(() => {}) : undefined,
        };
      } catch {
        return { status: 0 };
      }
    },

    sendUrgent(body) {
      try {
        if (navigator.sendBeacon(url, body)) return true;
      } catch {
        // Missing, or throwing instead of returning false (over its 64 KB budget): try keepalive.
      }
      try {
        return !!post(body, { keepalive: true }).catch(() => {});
      } catch {
        return false;
      }
    },
  };
}
