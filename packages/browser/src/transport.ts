import type { Transport, TransportResult } from '@tally/core';
import type { IngestResponse } from '@tally/protocol';

/** `Retry-After` as delay-seconds or an HTTP-date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface FetchTransportOptions {
  /** Collector origin (and optional base path), without `/v1/events`. */
  endpoint: string;
  /** A request still unanswered after this long counts as a network error. Default 30 s. */
  timeoutMs?: number;
}

/**
 * POSTs batches to `${endpoint}/v1/events` as `text/plain`: a CORS-safelisted content type, so a
 * cross-origin collector needs no preflight round trip. Never rejects: failures are status 0.
 */
export function createFetchTransport({ endpoint, timeoutMs = 30_000 }: FetchTransportOptions): Transport {
  const url = endpoint.replace(/\/+$/, '') + '/v1/events';
  const init = (body: string, keepalive?: boolean): RequestInit => ({
    method: 'POST',
    body,
    headers: { 'Content-Type': 'text/plain' },
    credentials: 'omit',
    keepalive,
  });

  return {
    async send(body) {
      const abort = typeof AbortController == 'function' ? new AbortController() : undefined;
      const timer = setTimeout(() => abort?.abort(), timeoutMs);
      try {
        const res = await fetch(url, { ...init(body), signal: abort?.signal });
        const result: TransportResult = { status: res.status };
        const retryAfterMs = parseRetryAfter(res.headers.get('Retry-After'), Date.now());
        if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
        if (res.ok) {
          try {
            result.body = (await res.json()) as IngestResponse;
          } catch {
            // A 2xx without a JSON body still acknowledges the batch.
          }
        }
        return result;
      } catch {
        return { status: 0 };
      } finally {
        clearTimeout(timer);
      }
    },

    sendUrgent(body) {
      try {
        if (navigator.sendBeacon?.(url, new Blob([body], { type: 'text/plain' }))) return true;
      } catch {
        // Some browsers throw instead of returning false (e.g. over the 64 KB budget).
      }
      try {
        fetch(url, init(body, true)).catch(() => {});
        return true;
      } catch {
        return false;
      }
    },
  };
}
