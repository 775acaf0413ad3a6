import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../rollup/db.js';
import { ev, harness, type Harness } from '../testing/rollup.js';
import type { RecordingLogger } from '../testing/index.js';
import { appFor } from '../testing/query-app.js';
import { rewriteStepsInLayout1 } from '../testing/step-layout1.js';
import { createStepReader, type StepReader } from '../rollup/index.js';
import { funnel } from './funnel.js';
import { createFunnelWalker } from './funnel-walker.js';
import { resolveSegment } from './segment.js';

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
    await h.rollups.close();
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

  it('days whose index was written in layout 1 (before 2026-12-06) give the same answers', async () => {
    h = await harness();
    await h.log.append([...repeat, ev(at('11:30'), { user_id: 'v', event_type: 'page_view', feature: 'pricing' }), ev('2026-11-17T09:00:00.000Z', { user_id: 'v', event_type: 'action', feature: 'signup_button' })]);
    await h.rollups.rollup!();
    const q = 'steps=page_view:pricing,action:signup_button&within=1d';
    const before = await users(q);
    expect(before).toEqual([2, 2]);
    await h.rollups.close();
    const db = openDb(h.dir);
    expect(rewriteStepsInLayout1(db)).toBeGreaterThan(0);
    db.close();
    await h.reopen();
    expect(await users(q)).toEqual(before);
    expect(await users('steps=page_view:pricing,action:signup_button&within=2h')).toEqual([2, 1]);
  });

  it('a funnel gives the same answer walked in the walker thread, read ahead by the reader thread, and in-process', { timeout: 60_000 }, async () => {
    h = await harness();
    const events = [];
    for (let u = 0; u < 40; u++) {
      events.push(ev(`2026-11-16T0${u % 10}:00:00.000Z`, { user_id: `u${u}`, feature: 'pricing' }));
      if (u % 2 === 0) events.push(ev(`2026-11-${u % 4 === 0 ? '16' : '17'}T11:00:00.000Z`, { user_id: `u${u}`, event_type: 'action', feature: 'signup_button' }));
      if (u % 4 === 0) events.push(ev('2026-11-18T00:00:00.000Z', { user_id: `u${u}`, event_type: 'conversion', feature: 'signup' }));
    }
    await h.log.append(events);
    await h.rollups.rollup!();
    await h.reopen();
    const engine = h.rollups.engine!;
    const steps = [
      { event_type: 'page_view', feature: 'pricing' },
      { event_type: 'action', feature: 'signup_button' },
      { event_type: 'conversion', feature: 'signup' },
    ];
    const seg = resolveSegment(engine, {});
    const worker = createStepReader();
    expect(await worker.whenReady()).toBe(true);
    let answered = 0;
    let attached = 0;
    const reader: StepReader = {
      ...worker,
      read: async (f, r) => {
        const out = await worker.read(f, r);
        if (out !== undefined) answered++;
        return out;
      },
      attach: (port) => {
        const ok = worker.attach(port);
        if (ok) attached++;
        return ok;
      },
    };
    // The walker's thread, fed by the reader's: the main thread reads and walks nothing settled.
    const walker = createFunnelWalker();
    expect(await walker.whenReady()).toBe(true);
    const viaWalker = await funnel(engine, steps, 2 * 86_400_000, '2026-11-16', '2026-11-19', seg, reader, walker);
    expect(attached).toBe(1);
    expect(answered).toBe(0);
    expect(viaWalker.map((r) => r.users)).toEqual([40, 20, 10]);
    // Without the walker: the reader's thread reads ahead, the main thread walks.
    await h.reopen();
    const noWalker = createFunnelWalker();
    await noWalker.close();
    const viaReader = await funnel(h.rollups.engine!, steps, 2 * 86_400_000, '2026-11-16', '2026-11-19', resolveSegment(h.rollups.engine!, {}), reader, noWalker);
    expect(answered).toBeGreaterThan(0);
    expect(viaReader).toEqual(viaWalker);
    // Neither: read and walked in-process.
    await h.reopen();
    const closed = createStepReader();
    await closed.close();
    const inProcess = await funnel(h.rollups.engine!, steps, 2 * 86_400_000, '2026-11-16', '2026-11-19', resolveSegment(h.rollups.engine!, {}), closed, noWalker);
    expect(inProcess).toEqual(viaWalker);
    // Within 1 day, the 17th's signups are too late for the 16th's 0x:00 page views (the walker's
    // cached lists of the engine before the reopen are not this engine's).
    expect((await funnel(h.rollups.engine!, steps, 86_400_000, '2026-11-16', '2026-11-19', resolveSegment(h.rollups.engine!, {}), reader, walker)).map((r) => r.users)).toEqual([40, 10, 0]);
    expect(attached).toBe(2);
    await walker.close();
    await worker.close();
  });

  it('a reader thread that goes away during a walk costs speed, not the answer', { timeout: 60_000 }, async () => {
    h = await harness();
    const events = [];
    for (let u = 0; u < 20; u++) {
      events.push(ev(`2026-11-16T0${u % 10}:00:00.000Z`, { user_id: `u${u}`, feature: 'pricing' }));
      if (u % 2 === 0) events.push(ev('2026-11-17T11:00:00.000Z', { user_id: `u${u}`, event_type: 'action', feature: 'signup_button' }));
    }
    await h.log.append(events);
    await h.rollups.rollup!();
    await h.reopen();
    const engine = h.rollups.engine!;
    const steps = [
      { event_type: 'page_view', feature: 'pricing' },
      { event_type: 'action', feature: 'signup_button' },
    ];
    const worker = createStepReader();
    const walker = createFunnelWalker();
    expect(await worker.whenReady()).toBe(true);
    expect(await walker.whenReady()).toBe(true);
    let ended: Promise<void> | undefined;
    // The reader's thread ends right after taking the walker's port: the walker's reads get no answer.
    const dying: StepReader = {
      ...worker,
      attach: (port) => {
        const ok = worker.attach(port);
        ended = worker.close();
        return ok;
      },
    };
    const rows = await funnel(engine, steps, 2 * 86_400_000, '2026-11-16', '2026-11-19', resolveSegment(engine, {}), dying, walker);
    expect(ended).toBeDefined();
    await ended;
    expect(rows.map((r) => r.users)).toEqual([20, 10]);
    // The walker itself is still there for the next funnel.
    expect(await walker.whenReady()).toBe(true);
    await walker.close();
  });
});
