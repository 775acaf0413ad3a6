import { afterEach, describe, expect, it } from 'vitest';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { createStepReader, type StepReader } from './step-reader.js';
import { userCounts } from './step-view.js';

let h: Harness;
let reader: StepReader | undefined;
afterEach(async () => {
  await reader?.close();
  await h?.close();
});

const at = (d: string, hm: string) => `2026-11-${d}T${hm}:00.000Z`;

describe('step reader (funnel index lists read in a worker thread)', () => {
  // Generous bounds: the worker starts through tsx here, which takes seconds on a loaded machine.
  it('hands out the stored bytes of a list, null for a key that is gone, and nothing once closed', { timeout: 60_000 }, async () => {
    h = await harness();
    await h.log.append([ev(at('16', '09:00'), { user_id: 'a', feature: 'pricing' }), ev(at('16', '10:00'), { user_id: 'b', event_type: 'action' })]);
    await h.rollups.rollup!();
    const engine = h.rollups.engine!;
    const store = engine.store;
    const head = store.meta.get('2026-11-16')!.head;
    const pv = engine.dict.find('page_view')!;
    const action = engine.dict.find('action')!;
    reader = createStepReader();
    // Until it has started, a read is declined (the caller reads in-process): no request waits for a start.
    expect(await reader.read(store.file, [{ key: head.keys[0]!, type: pv, feature: 0 }])).toBeUndefined();
    expect(await reader.whenReady()).toBe(true);
    const out = await reader.read(store.file, [
      { key: head.keys[0]!, type: pv, feature: 0 },
      { key: head.keys[0]!, type: action, feature: 0 },
      { key: 'no-such-key', type: pv, feature: 0 },
    ]);
    expect(out).toHaveLength(3);
    expect(Buffer.from(out![0]!.blob)).toEqual(Buffer.from(store.stepBlobs('2026-11-16', pv, 0)![0]!));
    expect(Buffer.from(out![1]!.blob)).toEqual(Buffer.from(store.stepBlobs('2026-11-16', action, 0)![0]!));
    expect(out![2]).toBeNull();
    // Users and counts come decoded, as the main thread would decode them.
    expect(out![0]!.uc).toEqual(userCounts(new Uint8Array(out![0]!.blob)));
    expect(out![0]!.uc).toHaveLength(2);
    // A file that is not a database: no answer (the caller reads on its own connection).
    expect(await reader.read(`${h.dir}/missing.db`, [{ key: head.keys[0]!, type: pv, feature: 0 }])).toBeUndefined();
    await reader.close();
    expect(await reader.whenReady()).toBe(false);
    expect(await reader.read(store.file, [{ key: head.keys[0]!, type: pv, feature: 0 }])).toBeUndefined();
  });
});
