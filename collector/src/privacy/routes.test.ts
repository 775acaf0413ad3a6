import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoredEventSchema } from '@tally/protocol';
import { createApp } from '../app.js';
import { makeTestDeps, TEST_DASH_KEY } from '../testing/index.js';
import { createPrivacyStub, ev } from '../testing/privacy.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-privacy-routes-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const auth = { 'x-dash-key': TEST_DASH_KEY };
const fingerprint = `key:${createHash('sha256').update(TEST_DASH_KEY).digest('hex').slice(0, 8)}`;

async function setup() {
  const deps = makeTestDeps({ rollups: createPrivacyStub(), config: { dataDir } });
  await deps.log.append([
    ev({ anonymous_id: 'anon-h', time: '2026-11-18T09:00:00.000Z', url: 'https://a.example/pricing' }),
    ev({ user_id: 'hank@example.com', anonymous_id: 'anon-h', time: '2026-11-19T09:00:00.000Z', feature: 'signup' }),
    ev({ user_id: 'ivy', anonymous_id: 'anon-i', time: '2026-11-19T10:00:00.000Z' }),
  ]);
  return { deps, app: createApp(deps) };
}

async function auditLines(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(dataDir, 'audit.log'), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l));
}

describe('privacy routes', () => {
  it('401 without X-Dash-Key, for erase and export, and touches nothing', async () => {
    const { app, deps } = await setup();
    const del = await app.request('/api/analytics/users/ivy', { method: 'DELETE' });
    expect(del.status).toBe(401);
    expect(await del.json()).toMatchObject({ ok: false });
    const exp = await app.request('/api/analytics/users/ivy/export', { headers: { 'x-dash-key': 'wrong-key-wrong-key' } });
    expect(exp.status).toBe(401);
    expect(deps.log.events).toHaveLength(3);
  });

  it('400 naming the id when it is empty or longer than 256 characters', async () => {
    const { app } = await setup();
    for (const [method, path] of [
      ['DELETE', '/api/analytics/users/'],
      ['GET', '/api/analytics/users//export'],
    ] as const) {
      const res = await app.request(path, { method, headers: auth });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ ok: false, error: 'user id must not be empty' });
    }
    const long = 'x'.repeat(257);
    const res = await app.request(`/api/analytics/users/${long}`, { method: 'DELETE', headers: auth });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error: 'user id must be at most 256 UTF-16 code units (got 257)' });
    const exp = await app.request(`/api/analytics/users/${long}/export`, { headers: auth });
    expect(exp.status).toBe(400);
  });

  it('exports the person (with linked anonymous events) as NDJSON and audits it', async () => {
    const { app } = await setup();
    const res = await app.request(`/api/analytics/users/${encodeURIComponent('hank@example.com')}/export`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => StoredEventSchema.parse(JSON.parse(l)));
    expect(lines.map((e) => [e.anonymous_id, e.user_id])).toEqual([
      ['anon-h', undefined],
      ['anon-h', 'hank@example.com'],
    ]);
    const [entry] = await auditLines();
    expect(entry).toMatchObject({ action: 'export', actor: fingerprint, exported: 2, complete: true });
    expect(JSON.stringify(entry)).not.toContain('hank');
  });

  it('decodes ids with reserved characters (slash, space, unicode)', async () => {
    const { app, deps } = await setup();
    const odd = 'team/a b+ü';
    await deps.log.append([ev({ user_id: odd })]);
    const res = await app.request(`/api/analytics/users/${encodeURIComponent(odd)}`, { method: 'DELETE', headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ removed: 1 });
    expect(deps.log.events.some((e) => e.user_id === odd)).toBe(false);
  });

  it('an export of an unknown person is an empty 200', async () => {
    const { app } = await setup();
    const res = await app.request('/api/analytics/users/nobody/export', { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('DELETE erases and answers the contract shape', async () => {
    const { app, deps } = await setup();
    const res = await app.request(`/api/analytics/users/${encodeURIComponent('hank@example.com')}`, { method: 'DELETE', headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      removed: 2,
      days: ['2026-11-18', '2026-11-19'],
      rollup_days: ['2026-11-18', '2026-11-19'],
    });
    expect(deps.log.events.map((e) => e.user_id)).toEqual(['ivy']);
    const [entry] = await auditLines();
    expect(entry).toMatchObject({ action: 'erase', actor: fingerprint, removed: 2 });
  });
});
