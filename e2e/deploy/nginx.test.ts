import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest } from '../support/caddy-process.js';
import { startCollector, type CollectorProcess } from '../support/collector-process.js';
import { hasNginx, startNginx, type NginxProcess } from '../support/nginx-process.js';
import { checkPersonRoutes } from '../support/person-routes.js';
import { freePort } from '../support/ports.js';

// deploy/nginx.conf in front of a real collector. .ci/run installs nginx; a machine without it
// has nothing to run the example with.
const suite = hasNginx() ? describe : describe.skip;

suite('behind nginx (deploy/nginx.conf)', () => {
  let state: string;
  let collector: CollectorProcess;
  let nginx: NginxProcess;

  beforeAll(async () => {
    state = await mkdtemp(join(tmpdir(), 'tally-nginx-'));
    // As in the Caddy test: the visitors are loopback addresses, so only nginx's 127.0.0.1 is trusted.
    collector = await startCollector({ port: await freePort(), dataDir: join(state, 'data'), env: { TALLY_TRUST_PROXY: '127.0.0.1', TALLY_RATE_LIMIT: '40' } });
    nginx = await startNginx({ upstream: `127.0.0.1:${collector.port}`, stateDir: join(state, 'nginx') });
  });
  afterAll(async () => {
    await nginx?.stop();
    await collector?.stop();
    await rm(state, { recursive: true, force: true });
  });

  it('serves the script tag gzip-compressed over HTTPS and keeps /metrics inside', async () => {
    const sdk = await httpsRequest(nginx.url, '/sdk.js', { ca: nginx.cert, headers: { 'accept-encoding': 'gzip' } });
    expect(sdk.status).toBe(200);
    expect(sdk.headers['content-encoding']).toBe('gzip');
    expect((await httpsRequest(nginx.url, '/metrics', { ca: nginx.cert })).status).toBe(404);
  });

  it('rate limits each visitor on its own, and a forged X-Forwarded-For does not escape the limit', async () => {
    const send = (from: string, headers: Record<string, string> = {}) =>
      httpsRequest(nginx.url, '/v1/events', {
        ca: nginx.cert,
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ events: Array.from({ length: 30 }, () => ({ event_type: 'page_view', event_id: randomUUID(), ts: new Date().toISOString() })) }),
      }).then((r) => r.status);
    expect(await send('127.0.0.2')).toBe(200);
    expect(await send('127.0.0.2')).toBe(429);
    expect(await send('127.0.0.2', { 'x-forwarded-for': '203.0.113.7' })).toBe(429);
    expect(await send('127.0.0.3')).toBe(200);
  });

  it('passes access and erasure requests through their own location (longer read timeout) with the dashboard key', async () => {
    await checkPersonRoutes(nginx.url, nginx.cert, '127.0.0.4');
  });
});
