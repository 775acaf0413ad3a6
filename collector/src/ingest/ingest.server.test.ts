import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../app.js';
import { makeTestDeps } from '../testing/index.js';
import { ev } from '../testing/ingest.js';

/** Through a real @hono/node-server on loopback: the socket address and streamed bodies. */
let server: ServerType;
let port: number;
const deps = makeTestDeps({ config: { rateLimit: 60 } });

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: createApp(deps).fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
afterAll(() => keepAlive.destroy());

function send(
  chunks: Buffer[],
  headers: Record<string, string> = {},
  agent: Agent | false = false,
): Promise<{ status: number; body: string; retryAfter?: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, agent, method: 'POST', path: '/v1/events', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, retryAfter: res.headers['retry-after'], connection: res.headers.connection }),
        );
      },
    );
    // The server may answer 413 and close before the whole body is written.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('ingestion over real HTTP', () => {
  it('cuts off a chunked body (no Content-Length) at the limit', async () => {
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const res = await send([Buffer.from('{"events":[],"pad":"'), ...Array.from({ length: 8 }, () => chunk)], { 'transfer-encoding': 'chunked' });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ ok: false, error: 'body is larger than 1048576 bytes (decoded)' });
  });

  it('reads plain and gzipped bodies from the socket', async () => {
    const body = JSON.stringify({ events: [ev({ event_id: 'srv-1' })] });
    const plain = await send([Buffer.from(body.slice(0, 10)), Buffer.from(body.slice(10))]);
    expect(JSON.parse(plain.body)).toEqual({ ok: true, logged: 1, duplicates: 0, rejected: [] });
    const zipped = await send([gzipSync(body)], { 'content-encoding': 'gzip' });
    expect(JSON.parse(zipped.body)).toEqual({ ok: true, logged: 0, duplicates: 1, rejected: [] });
    const badUtf8 = await send([Buffer.from([0x7b, 0xff, 0x7d])]);
    expect([badUtf8.status, JSON.parse(badUtf8.body)]).toEqual([400, { ok: false, error: 'body is not valid UTF-8' }]);
    expect(deps.log.events.map((e) => e.event_id)).toEqual(['srv-1']);
    deps.log.events.length = 0;
  });

  it('closes the connection after an oversized body, so a keep-alive client can go on', async () => {
    const big = [Buffer.from('{"events":[],"pad":"'), Buffer.alloc(2 * 1024 * 1024, 0x20)];
    for (let i = 0; i < 3; i++) {
      const refused = await send(big, { 'transfer-encoding': 'chunked' }, keepAlive);
      expect([refused.status, refused.connection]).toEqual([413, 'close']);
      const next = await send([Buffer.from('{"events":[]}')], {}, keepAlive);
      expect(next.status).toBe(200);
    }
  });

  it('rate limits by the socket address, not by X-Forwarded-For', async () => {
    deps.clock.advance(60_000); // the tests above spent some of 127.0.0.1's tokens: refill
    const batch = Buffer.from(JSON.stringify({ events: Array.from({ length: 60 }, () => ev()) }));
    expect((await send([batch], { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    const limited = await send([batch], { 'x-forwarded-for': '198.51.100.2' });
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe('60');
    expect(deps.log.events).toHaveLength(60);
  });
});
