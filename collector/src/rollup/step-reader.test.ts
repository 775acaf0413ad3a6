import { afterEach, describe, expect, it } from 'vitest';
import { funnel } from '../query/funnel.js';
import { resolveSegment } from '../query/segment.js';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { createStepReader, type StepReader } from './step-reader.js';
import { userCounts } from './step-view.js';

let h: Harness;
let reader: StepReader | undefined;
afterEach(async () => {
  await reader?.close();
  h?.close();
});

const at = (d: string, hm: string) => `2026-11-${d}T${hm}:00.000Z`;

describe('step reader (funnel index lists read in a worker thread)', () => {
  // Generous bounds: the worker starts through tsx here, which takes seconds on a loaded machine.
  it('hands out the stored bytes of a list, null for a key that is gone, and nothing once closed', { timeout: 60_000 }, async () => {
    h = await harness();
    await h.log.append([ev(at('16', '09:00'), { user_id: 'a', feature: 'pricing' }), ev(at('16', '10:00'), { user_id: 'b', event_type: 'action' })]);
    await h.analytics.rollup!();
    const engine = h.analytics.engine!;
    const store = engine.store;
    const head = store.meta.get('2026-11-16')!.head;
    const pv = engine.dict.find('page_view')!;
    const action = engine.dict.find('action')!;
    reader = createStepReader();
    const out = await reader.read(store.file, [
      { key: head.keys[0]!, type: pv, feature: 0 },
      { key: head.keys[0]!, type: action, feature: 0 },
      { key: 'no-such-key', type: pv, feature: 0 },
    ]);
    expect(out).toHaveLength(3);
    expect(Buffer.from(out![0]!.blob)).toEqual(Buffer.from(store.stepBlob('2026-11-16', pv, 0)!));
    expect(Buffer.from(out![1]!.blob)).toEqual(Buffer.from(store.stepBlob('2026-11-16', action, 0)!));
    expect(out![2]).toBeNull();
    // Users and counts come decoded, as the main thread would decode them.
    expect(out![0]!.uc).toEqual(userCounts(new Uint8Array(out![0]!.blob)));
    expect(out![0]!.uc).toHaveLength(2);
    // A file that is not a database: no answer (the caller reads on its own connection).
    expect(await reader.read(`${h.dir}/missing.db`, [{ key: head.keys[0]!, type: pv, feature: 0 }])).toBeUndefined();
    await reader.close();
    expect(await reader.read(store.file, [{ key: head.keys[0]!, type: pv, feature: 0 }])).toBeUndefined();
  });

  it('a funnel gives the same answer through the worker as without it (closed reader: read in-process)', { timeout: 60_000 }, async () => {
    h = await harness();
    const events = [];
    for (let u = 0; u < 40; u++) {
      events.push(ev(at('16', `0${u % 10}:00`), { user_id: `u${u}`, feature: 'pricing' }));
      if (u % 2 === 0) events.push(ev(at(u % 4 === 0 ? '16' : '17', '11:00'), { user_id: `u${u}`, event_type: 'action', feature: 'signup_button' }));
      if (u % 4 === 0) events.push(ev(at('18', '00:00'), { user_id: `u${u}`, event_type: 'conversion', feature: 'signup' }));
    }
    await h.log.append(events);
    await h.analytics.rollup!();
    await h.reopen();
    const engine = h.analytics.engine!;
    const steps = [
      { event_type: 'page_view', feature: 'pricing' },
      { event_type: 'action', feature: 'signup_button' },
      { event_type: 'conversion', feature: 'signup' },
    ];
    const seg = resolveSegment(engine, {});
    reader = createStepReader();
    const viaWorker = await funnel(engine, steps, 2 * 86_400_000, '2026-11-16', '2026-11-19', seg, reader);
    expect(viaWorker.map((r) => r.users)).toEqual([40, 20, 10]);
    await h.reopen();
    const closed = createStepReader();
    await closed.close();
    const inProcess = await funnel(h.analytics.engine!, steps, 2 * 86_400_000, '2026-11-16', '2026-11-19', resolveSegment(h.analytics.engine!, {}), closed);
    expect(inProcess).toEqual(viaWorker);
    // Within 1 day, the 17th's signups are too late for the 16th's 0x:00 page views.
    expect((await funnel(h.analytics.engine!, steps, 86_400_000, '2026-11-16', '2026-11-19', resolveSegment(h.analytics.engine!, {}), reader)).map((r) => r.users)).toEqual([40, 10, 0]);
  });
});
