import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { httpsRequest } from './caddy-process.js';
import { TEST_DASH_KEY } from './collector-process.js';

/**
 * Through a proxy's own location for access and erasure requests (deploy/Caddyfile, deploy/nginx.conf
 * give it a long read timeout): a person's events are exported and erased with the dashboard key,
 * and refused without it. What the long timeout is for cannot be waited out in a test; that the
 * route reaches the collector intact can.
 */
export async function checkPersonRoutes(base: string, ca: string, localAddress: string): Promise<void> {
  const person = `proxy-${randomUUID()}`;
  const events = [1, 2, 3].map(() => ({ event_type: 'page_view', event_id: randomUUID(), ts: new Date().toISOString(), user_id: person }));
  const sent = await httpsRequest(base, '/v1/events', { ca, method: 'POST', localAddress, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  expect(sent.status).toBe(200);
  const path = `/api/analytics/users/${encodeURIComponent(person)}`;
  const exported = await httpsRequest(base, `${path}/export`, { ca, headers: { 'x-dash-key': TEST_DASH_KEY } });
  expect(exported.status).toBe(200);
  expect(exported.body.trim().split('\n')).toHaveLength(3);
  const erased = await httpsRequest(base, path, { ca, method: 'DELETE', headers: { 'x-dash-key': TEST_DASH_KEY } });
  expect(erased.status).toBe(200);
  expect(JSON.parse(erased.body)).toMatchObject({ ok: true, removed: 3 });
  expect((await httpsRequest(base, path, { ca, method: 'DELETE' })).status).toBe(401);
}
