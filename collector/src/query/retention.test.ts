import { afterEach, describe, expect, it } from 'vitest';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { appFor } from '../testing/query-app.js';

let h: Harness;
afterEach(() => h?.close());

const cohortsOf = (body: { cohorts: { cohort: string }[] }) => body.cohorts.map((c) => c.cohort);

describe('retention cohorts are the periods starting inside from..to (issue 11)', () => {
  it('does not add the week that holds `from` when it began before `from`', async () => {
    h = await harness(); // today: Friday 2026-11-20 (UTC)
    await h.log.append([
      ev('2026-08-25T10:00:00Z', { user_id: 'before-from' }), // Tue of the week of 08-24, before `from`
      ev('2026-08-27T10:00:00Z', { user_id: 'after-from' }), // Thu of the week of 08-24, inside the range
      ev('2026-09-01T10:00:00Z', { user_id: 'c' }), // week of 08-31
      ev('2026-09-08T10:00:00Z', { user_id: 'c' }),
      ev('2026-09-08T10:00:00Z', { user_id: 'after-from' }),
    ]);
    await h.rollups.rollup!();
    const t = appFor(h);
    const { status, body } = await t.json('/api/analytics/retention?cohort=week&periods=3&from=2026-08-26&to=2026-11-06');
    expect(status).toBe(200);
    expect(body.from).toBe('2026-08-26');
    expect(cohortsOf(body)).toEqual([
      '2026-08-31', '2026-09-07', '2026-09-14', '2026-09-21', '2026-09-28',
      '2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26', '2026-11-02',
    ]);
    // `after-from` was first seen in the week of 08-24: in no cohort, though active on 09-08.
    expect(body.cohorts[0]).toEqual({ cohort: '2026-08-31', size: 1, active: [1, 1, 0, 0], retention: [1, 1, 0, 0] });
    expect(body.cohorts[1].size).toBe(0);
    // A range inside one week (Tuesday to Saturday) holds no week start: no cohort.
    expect((await t.json('/api/analytics/retention?cohort=week&periods=2&from=2026-09-01&to=2026-09-05')).body.cohorts).toEqual([]);
    // Day cohorts: every day of the range starts one.
    expect(cohortsOf((await t.json('/api/analytics/retention?cohort=day&periods=1&from=2026-08-26&to=2026-08-28')).body)).toEqual([
      '2026-08-26', '2026-08-27', '2026-08-28',
    ]);
  });

  it('the default range gives exactly `periods` cohorts, on a Friday and on a Sunday', async () => {
    h = await harness(); // Friday 2026-11-20
    const t = appFor(h);
    let { body } = await t.json('/api/analytics/retention?cohort=week&periods=8');
    expect(body.from).toBe('2026-09-28');
    expect(body.to).toBe('2026-11-20');
    expect(cohortsOf(body)).toEqual(['2026-09-28', '2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16']);
    ({ body } = await t.json('/api/analytics/retention?cohort=day&periods=3'));
    expect(cohortsOf(body)).toEqual(['2026-11-18', '2026-11-19', '2026-11-20']);
    // An explicit `to` alone: the `periods` periods ending with the one holding it.
    ({ body } = await t.json('/api/analytics/retention?cohort=week&periods=2&to=2026-11-11'));
    expect(cohortsOf(body)).toEqual(['2026-11-02', '2026-11-09']);
    h.close();

    // Monday 03:00 UTC is still Sunday 2026-11-22 in New York: today is a Sunday there.
    h = await harness({ tz: 'America/New_York', now: '2026-11-23T03:00:00.000Z' });
    ({ body } = await appFor(h).json('/api/analytics/retention?periods=8'));
    expect(body.to).toBe('2026-11-22');
    expect(cohortsOf(body)).toHaveLength(8);
    expect(cohortsOf(body)[0]).toBe('2026-09-28');
    expect(cohortsOf(body)[7]).toBe('2026-11-16');
  });
});
