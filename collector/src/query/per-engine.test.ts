import { afterEach, describe, expect, it } from 'vitest';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { appFor } from '../testing/query-app.js';

// Two collectors in one process whose data differ only in how many users there are: the same days,
// the same values interned in the same order, the same sequence of changes. Their engines' day
// versions are therefore equal, and so are their cache keys (segment, day, version): an answer
// cached for one must never be served to the other (the caches belong to their engine).
const DAYS = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
const web = { platform: 'web' } as const;

function dataset(users: number) {
  return DAYS.flatMap((day) =>
    Array.from({ length: users }, (_, i) => [
      ev(`${day}T10:00:00Z`, { user_id: `u${i}`, feature: 'pricing', context: web }),
      ...(i % 2 === 0 ? [ev(`${day}T10:05:00Z`, { user_id: `u${i}`, event_type: 'action', feature: 'signup_button', context: web })] : []),
    ]).flat(),
  );
}

async function answers(h: Harness) {
  const t = appFor(h);
  const range = `from=${DAYS[0]}&to=${DAYS[4]}&platform=web`;
  const [usage, series, funnel, breakdown] = await Promise.all([
    t.json('/api/analytics/usage?days=7&platform=web'),
    t.json(`/api/analytics/timeseries?metric=active_users&interval=week&${range}`),
    t.json(`/api/analytics/funnel?steps=page_view:pricing,action:signup_button&within=1d&${range}`),
    t.json(`/api/analytics/breakdown?by=feature&${range}`),
  ]);
  return {
    mau: usage.body.mau,
    wau: usage.body.wau,
    weekly: series.body.points.map((p: { value: number }) => p.value),
    funnel: funnel.body.steps.map((s: { users: number }) => s.users),
    breakdown: breakdown.body.rows.map((r: { value: string; users: number }) => `${r.value}=${r.users}`),
  };
}

const expected = (users: number) => ({
  mau: users,
  wau: users,
  weekly: [users],
  funnel: [users, Math.ceil(users / 2)],
  breakdown: [`pricing=${users}`, `signup_button=${Math.ceil(users / 2)}`],
});

describe('two collectors in one process', () => {
  const open: Harness[] = [];
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
  });

  it('answer from their own data, whichever asked first, live and after a rollup', async () => {
    const a = await harness();
    open.push(a);
    const b = await harness();
    open.push(b);
    await a.log.append(dataset(3));
    await b.log.append(dataset(5));

    expect(await answers(a)).toEqual(expected(3));
    expect(await answers(b)).toEqual(expected(5));
    expect(await answers(a)).toEqual(expected(3));

    await a.rollups.rollup();
    await b.rollups.rollup();
    expect(await answers(b)).toEqual(expected(5));
    expect(await answers(a)).toEqual(expected(3));
    expect(await answers(b)).toEqual(expected(5));
  });
});
