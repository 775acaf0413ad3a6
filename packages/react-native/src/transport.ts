import type { IngestResponse, Transport } from '@tally/core';
import { parseRetryAfter } from '@tally/core/adapter';

export interface NativeTransportOptions {
  /** Collector base URL, without `/v1/events`. */
  endpoint: string;
  /** A request still unanswered after this long counts as a network error. Default 30 s. */
  timeoutMs?: number;
}

/**
 * POSTs batches to `${endpoint}/v1/events` with `fetch`. No `sendUrgent`: an app going to the
 * background keeps running JavaScript for a few seconds, long enough for a normal, acknowledged
 * flush (the adapter starts one on `background`/`inactive`); whatever it does not finish stays
 * queued in storage for the next `active`.
 */
export function createNativeTransport({ endpoint, timeoutMs = 30_000 }: NativeTransportOptions): Transport {
  const url = endpoint.replace(/\/+$/, '') + '/v1/events';
  return {
    async send(body) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        const res = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'Content-Type': 'application/json' },
          signal: abort.signal,
        });
        return {
          status: res.status,
          retryAfterMs: parseRetryAfter(res.headers.get('Retry-After'), Date.now()),
          body: res.ok ? ((await res.json().catch(() => undefined)) as IngestResponse | undefined) : undefined,
        };
      } catch {
        return { status: 0 };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
