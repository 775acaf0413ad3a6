import { gzipSync } from 'node:zlib';
import type { Hono } from 'hono';

/** Helpers for this folder's tests only (not part of the shared `testing/` fakes). */
export const NOW = '2026-11-20T12:00:00.000Z';
export const ev = (over: Record<string, unknown> = {}) => ({ event_type: 'page_view', ts: '2026-11-20T11:59:00.000Z', ...over });

export interface PostOptions {
  path?: string;
  headers?: Record<string, string>;
  /** Peer address as @hono/node-server would expose it. */
  address?: string;
}

export function post(app: Hono, body: string | Uint8Array | object, opts: PostOptions = {}): Promise<Response> {
  const data = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const env = opts.address ? { incoming: { socket: { remoteAddress: opts.address } } } : undefined;
  return Promise.resolve(
    app.request(
      opts.path ?? '/v1/events',
      { method: 'POST', headers: { 'content-type': 'application/json', ...opts.headers }, body: data },
      env,
    ),
  );
}

export const gzip = (s: string | Uint8Array) => new Uint8Array(gzipSync(s));
