import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '@tally/protocol';
import { createApp } from '../app.js';
import { makeTestDeps, TEST_DASH_KEY } from '../testing/index.js';
import { createPrivacyStub } from '../testing/privacy.js';

// Issue #10, item 5: one definition of an id's length (UTF-16 code units) and well-formedness (no lone
// surrogate) at ingestion, in the ledger, at erasure and export: every id ingestion stores can be named.

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-id-rules-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const auth = { 'x-dash-key': TEST_DASH_KEY };
const ts = '2026-11-20T11:00:00.000Z';

function setup() {
  const deps = makeTestDeps({ rollups: createPrivacyStub(), config: { dataDir } });
  const app = createApp(deps);
  const ingest = async (events: unknown[]) => {
    const res = await app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    return (await res.json()) as { logged: number; rejected: { index: number; reason: string }[] };
  };
  return { deps, app, ingest };
}

describe('ids: one rule from ingestion to erasure', () => {
  it('the longest user_id ingestion stores, emoji included, is erased and exported; one unit more is refused everywhere', async () => {
    const { deps, app, ingest } = setup();
    const emoji = '😀'.repeat(LIMITS.idLength / 2); // 128 code points, 256 UTF-16 units: the maximum
    const tooLong = '😀'.repeat(200); // 200 code points (zod alone let this in), 400 units
    const r = await ingest([
      { event_type: 'page_view', ts, user_id: emoji },
      { event_type: 'page_view', ts, user_id: tooLong },
      { event_type: 'page_view', ts, user_id: 'x'.repeat(LIMITS.idLength + 1) },
    ]);
    expect(r.logged).toBe(1);
    expect(r.rejected).toEqual([
      { index: 1, reason: 'invalid_field' },
      { index: 2, reason: 'invalid_field' },
    ]);
    const exp = await app.request(`/api/analytics/users/${encodeURIComponent(emoji)}/export`, { headers: auth });
    expect(exp.status).toBe(200);
    expect((await exp.text()).trim().split('\n')).toHaveLength(1);
    const del = await app.request(`/api/analytics/users/${encodeURIComponent(emoji)}`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ ok: true, removed: 1 });
    expect(deps.log.events).toHaveLength(0);
  });

  it('lone surrogates: refused at ingestion (they could never be named in a URL), and a clear 400 at erasure', async () => {
    const { deps, app, ingest } = setup();
    // JSON escapes keep the lone surrogates intact on the wire.
    const body = `{"events":[{"event_type":"page_view","ts":"${ts}","user_id":"a\\ud800b"},{"event_type":"page_view","ts":"${ts}","anonymous_id":"\\udc00"},{"event_type":"page_view","ts":"${ts}","event_id":"e\\ud83d"},{"event_type":"page_view","ts":"${ts}","user_id":"ok\\ud83d\\ude00"}]}`;
    const res = await app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const r = (await res.json()) as { logged: number; rejected: { index: number; reason: string }[] };
    expect(r.rejected).toEqual([
      { index: 0, reason: 'invalid_field' },
      { index: 1, reason: 'invalid_field' },
      { index: 2, reason: 'invalid_event_id' },
    ]);
    expect(r.logged).toBe(1);
    expect(deps.log.events.map((e) => e.user_id)).toEqual(['ok😀']);
    const del = await app.request(`/api/analytics/users/${encodeURIComponent('ok😀')}`, { method: 'DELETE', headers: auth });
    expect(await del.json()).toMatchObject({ ok: true, removed: 1 });
    // A lone surrogate reaching the route (it can only come percent-decoded as U+FFFD, or from code): 400.
    const { subjectIdProblem } = await import('./subject.js');
    expect(subjectIdProblem('a\ud800')).toBe('user id must not contain a lone surrogate (such ids are refused at ingestion)');
  });

  it('a rejected event names itself in the ledger by the same event_id rule', async () => {
    const { deps, ingest } = setup();
    // 33 emoji = 66 units: over the 64-unit limit, so the id cannot name the event; 32 emoji can.
    await ingest([
      { event_id: '😀'.repeat(32), event_type: 'page_view', ts: 'bad' },
      { event_id: '😀'.repeat(33), event_type: 'page_view', ts: 'bad' },
    ]);
    const tally = deps.ledger.tallies.at(-1)!;
    expect(tally.rejectedIds).toEqual([{ id: '😀'.repeat(32), reason: 'invalid_ts' }]);
    expect(tally.rejected).toEqual({ invalid_event_id: 1 });
  });
});
