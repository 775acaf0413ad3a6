import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appFor } from '../testing/query-app.js';
import { MAX_VALUE_LENGTH, normalizeValue, OTHER } from './dims.js';
import { DIM_INDEX } from './cube.js';
import { ev, harness, type Harness } from '../testing/rollup.js';

describe('normalizeValue', () => {
  it('drops a url query string and fragment, and nothing of other dimensions', () => {
    expect(normalizeValue(DIM_INDEX.url, '/a/b?token=secret#top')).toBe('/a/b');
    expect(normalizeValue(DIM_INDEX.url, 'https://x.test/p#frag')).toBe('https://x.test/p');
    expect(normalizeValue(DIM_INDEX.feature, 'why?#not')).toBe('why?#not');
  });

  it('cuts at MAX_VALUE_LENGTH without splitting a surrogate pair', () => {
    expect(normalizeValue(DIM_INDEX.url, '/' + 'x'.repeat(3000))).toHaveLength(MAX_VALUE_LENGTH);
    const emoji = 'a' + '😀'.repeat(150); // the pair would straddle the cut
    const cut = normalizeValue(DIM_INDEX.feature, emoji);
    expect(cut).toHaveLength(MAX_VALUE_LENGTH - 1);
    expect(cut.endsWith('😀')).toBe(true); // no lone high surrogate left at the end
  });
});

// Generous timeout: the first rollup of the file starts the rollup worker (tsx), seconds on a loaded machine.
describe('distinct values per day are capped', { timeout: 60_000 }, () => {
  let h: Harness;
  afterEach(() => h.close());
  const CAP = 10;
  const day20 = (i: number, over = {}) => ev(`2026-11-20T10:${String(i % 60).padStart(2, '0')}:00Z`, { user_id: `u${i}`, url: `/unique-${i}?q=${i}`, ...over });

  it('counts values past the cap under (other), keeps them out of the dictionary and reports them in completeness', async () => {
    h = await harness({ config: { maxValuesPerDay: CAP } });
    // 25 distinct urls on 11-20: the first 10 are kept; /unique-0 comes again later and still counts as itself.
    await h.log.append([...Array.from({ length: 25 }, (_, i) => day20(i)), day20(0, { user_id: 'again' })]);
    // Another day has a cap of its own.
    await h.log.append([ev('2026-11-19T10:00:00Z', { user_id: 'y', url: '/unique-20', received_at: '2026-11-20T09:00:00Z' })]);
    const expectRows = async () => {
      const t = appFor(h);
      const { body } = await t.json('/api/analytics/breakdown?by=url&from=2026-11-20&to=2026-11-20');
      expect(body.rows[0]).toEqual({ value: OTHER, events: 15, users: 15 });
      expect(body.rows[1]).toEqual({ value: '/unique-0', events: 2, users: 2 });
      expect(body.rows.map((r: { value: string }) => r.value).sort()).toEqual([OTHER, ...Array.from({ length: CAP }, (_, i) => `/unique-${i}`)].sort());
      const day19 = await t.json('/api/analytics/breakdown?by=url&from=2026-11-19&to=2026-11-19');
      expect(day19.body.rows).toEqual([{ value: '/unique-20', events: 1, users: 1 }]);
      const c = await t.json('/api/analytics/completeness?days=1');
      expect(c.body.days[0].other).toEqual({ url: 15 });
      // Every other figure is unaffected: every event and user is still counted.
      const u = await t.json('/api/analytics/usage?days=1');
      expect(u.body).toMatchObject({ total_events: 26, mau: 26 });
    };
    await expectRows();
    expect(h.rollups.engine!.dict.find('/unique-21')).toBeUndefined();
    await h.rollups.rollup!();
    await expectRows();
    await h.reopen();
    await expectRows();
    // Only the kept values reach tally.db (the raw log keeps every event as sent).
    const db = readFileSync(join(h.dir, 'tally.db'));
    expect(db.includes('/unique-9')).toBe(true);
    expect(db.includes('/unique-24')).toBe(false);
    expect(db.includes('?q=')).toBe(false);

    // A late event for the rolled-up day: a known url counts as itself, a new one as (other).
    await h.log.append([
      ev('2026-11-20T11:00:00Z', { user_id: 'late1', url: '/unique-3', received_at: '2026-11-20T11:30:00Z' }),
      ev('2026-11-20T11:01:00Z', { user_id: 'late2', url: '/brand-new', received_at: '2026-11-20T11:30:00Z' }),
    ]);
    let { body } = await appFor(h).json('/api/analytics/breakdown?by=url&from=2026-11-20&to=2026-11-20');
    expect(body.rows[0]).toEqual({ value: OTHER, events: 16, users: 16 });
    expect(body.rows.find((r: { value: string }) => r.value === '/unique-3')).toEqual({ value: '/unique-3', events: 2, users: 2 });
    await h.rollups.rollup!();
    ({ body } = await appFor(h).json('/api/analytics/completeness?days=1'));
    expect(body.days[0].other).toEqual({ url: 16 });

    // A rebuild from the log gives the same figures (the same first values, in log order).
    await h.rollups.rebuildDays(['2026-11-20']);
    ({ body } = await appFor(h).json('/api/analytics/breakdown?by=url&from=2026-11-20&to=2026-11-20'));
    expect(body.rows[0]).toEqual({ value: OTHER, events: 16, users: 16 });
    expect(body.rows).toHaveLength(CAP + 1);
    ({ body } = await appFor(h).json('/api/analytics/completeness?days=1'));
    expect(body.days[0].other).toEqual({ url: 16 });
    const csv = await (await appFor(h).get('/api/analytics/completeness?days=1&format=csv')).text();
    expect(csv.split('\r\n')[0]).toBe('day,accepted,duplicates,rejected_total,bots,dropped,other_url');
  });

  it('caps every dimension, and a filter on (other) finds what went there', async () => {
    h = await harness({ config: { maxValuesPerDay: CAP } });
    await h.log.append(
      Array.from({ length: 30 }, (_, i) =>
        ev(`2026-11-20T10:00:${String(i).padStart(2, '0')}Z`, { user_id: 'u', feature: `f${i}`, app: `app${i}`, context: { app_version: `1.0.${i}` } }),
      ),
    );
    const t = appFor(h);
    for (const by of ['feature', 'app', 'app_version']) {
      const { body } = await t.json(`/api/analytics/breakdown?by=${by}&from=2026-11-20&to=2026-11-20`);
      expect(body.rows[0], by).toEqual({ value: OTHER, events: 20, users: 1 });
      expect(body.rows, by).toHaveLength(CAP + 1);
    }
    const { body } = await t.json(`/api/analytics/usage?days=1&feature=${encodeURIComponent(OTHER)}`);
    expect(body.total_events).toBe(20);
    // Counted per app as kept: the 20 events of apps past the cap are under (other).
    const c = await t.json(`/api/analytics/completeness?days=1&app=${encodeURIComponent(OTHER)}`);
    expect(c.body.days[0].other).toEqual({ app: 20, app_version: 20, feature: 20 });
    expect((await t.json('/api/analytics/completeness?days=1&app=app0')).body.days[0].other).toEqual({});
  });
});
