import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../rollup/db.js';
import { ev, harness, type Harness } from '../testing/rollup.js';
import type { RecordingLogger } from '../testing/index.js';
import { appFor } from '../testing/query-app.js';

let h: Harness;
afterEach(() => h?.close());

const at = (hm: string) => `2026-11-16T${hm}:00.000Z`;
const users = async (q: string) => ((await appFor(h).json(`/api/analytics/funnel?${q}&from=2026-11-16&to=2026-11-20`)).body.steps as { users: number }[]).map((s) => s.users);

describe('funnel: every occurrence counts (ClickHouse windowFunnel semantics)', () => {
  // The example: the button at 09:00, pricing at 10:00, the button again at 11:00.
  const repeat = [
    ev(at('09:00'), { user_id: 'u', event_type: 'action', feature: 'signup_button' }),
    ev(at('10:00'), { user_id: 'u', event_type: 'page_view', feature: 'pricing' }),
    ev(at('11:00'), { user_id: 'u', event_type: 'action', feature: 'signup_button' }),
  ];

  it('a step repeated after a later step completes the chain, live and rolled up', async () => {
    h = await harness();
    await h.log.append(repeat);
    expect(await users('steps=page_view:pricing,action:signup_button&within=2h')).toEqual([1, 1]);
    expect(await users('steps=page_view:pricing,action:signup_button&within=59m')).toEqual([1, 0]);
    await h.rollups.rollup!();
    await h.reopen();
    expect(await users('steps=page_view:pricing,action:signup_button&within=2h')).toEqual([1, 1]);
    expect(await users('steps=action:signup_button,page_view:pricing,action:signup_button&within=2h')).toEqual([1, 1, 1]);
  });

  it('events at the same instant chain in step order; one event may match consecutive steps', async () => {
    h = await harness();
    await h.log.append([
      ev(at('12:00'), { user_id: 'tie', event_type: 'action', feature: 'signup_button' }),
      ev(at('12:00'), { user_id: 'tie', event_type: 'page_view', feature: 'pricing' }),
      ev(at('13:00'), { user_id: 'one', event_type: 'action', feature: 'search' }),
    ]);
    expect(await users('steps=page_view:pricing,action:signup_button&within=1m')).toEqual([1, 1]);
    // `action` then `action:search`: the single search event is both (as in ClickHouse).
    expect(await users('steps=action,action:search&within=1m')).toEqual([2, 1]);
  });

  it('days rolled up before the exact index are read from their rows, with a warning, until rebuilt', async () => {
    h = await harness();
    await h.log.append(repeat);
    await h.rollups.rollup!();
    h.rollups.close();
    // What migration 6 leaves of a day rolled up by an older collector.
    const db = openDb(h.dir);
    db.exec('DELETE FROM day_steps; UPDATE days SET steps = 0;');
    db.close();
    await h.reopen();
    const logger = (h as unknown as { logger: RecordingLogger }).logger;
    expect(logger.lines.some((l) => l.level === 'warn' && /exact funnel index/.test(l.msg))).toBe(true);
    // Rows keep each (user, dimensions)' first time only: the 11:00 button is not known.
    expect(await users('steps=page_view:pricing,action:signup_button&within=2h')).toEqual([1, 0]);
    await h.rollups.rebuildDays(['2026-11-16']);
    expect(await users('steps=page_view:pricing,action:signup_button&within=2h')).toEqual([1, 1]);
  });
});
