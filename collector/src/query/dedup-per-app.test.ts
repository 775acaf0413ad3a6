import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/rollup.js';
import { appFor } from '../testing/query-app.js';

// Issue #10, item 8: one event_id from two apps is two events — stored, counted by the ledger and
// by the rollups (live overlay and persisted) once per app.

describe('event_id is unique per app', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('the same id from appA and appB: both stored, both counted, before and after a rollup', async () => {
    const t = appFor(h);
    const post = async (app: string | undefined) => {
      const body = { ...(app === undefined ? {} : { app }), events: [{ event_id: 'same-id-1', event_type: 'page_view', ts: '2026-11-20T11:00:00.000Z', user_id: 'u1' }] };
      const res = await t.app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return res.json();
    };
    expect(await post('appA')).toMatchObject({ logged: 1, duplicates: 0 });
    expect(await post('appB')).toMatchObject({ logged: 1, duplicates: 0 });
    expect(await post(undefined)).toMatchObject({ logged: 1, duplicates: 0 });
    // Within one app it is still a duplicate; "default" is the app-less namespace.
    expect(await post('appA')).toMatchObject({ logged: 0, duplicates: 1 });
    expect(await post('default')).toMatchObject({ logged: 0, duplicates: 1 });
    expect(h.log.events).toHaveLength(3);

    const events = async () => (await t.json('/api/analytics/timeseries?metric=events&from=2026-11-20&to=2026-11-20')).body.points[0].value;
    expect(await events()).toBe(3);
    const c = (await t.json('/api/analytics/completeness?days=1')).body.days[0];
    expect(c).toMatchObject({ accepted: 3, duplicates: 2 });
    await h.rollups.rollup!();
    expect(await events()).toBe(3);
    await h.reopen();
    expect(await events()).toBe(3);
  });
});
