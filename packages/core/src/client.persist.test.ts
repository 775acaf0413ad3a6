import { describe, expect, it } from 'vitest';
import { setup } from './testing/fixture.js';

/** Counts the storage's append steps (each is one transaction in IndexedDB). */
const countAppends = (s: ReturnType<typeof setup>) => {
  let n = 0;
  const append = s.storage.append;
  s.storage.append = (...a) => (n++, append(...a));
  return () => n;
};

describe('persistMs: accepted events written together', () => {
  it('writes the events of one window in one append, persistMs after the first', async () => {
    const s = setup({ persistMs: 1000, debounceMs: 60_000, maxWaitMs: 60_000 });
    const appends = countAppends(s);
    await s.client.ready();
    for (let i = 0; i < 5; i++) {
      s.client.track('action', 'f' + i);
      await s.clock.advance(100);
    }
    // In memory only so far: accepted, not yet stored.
    expect(s.storage.queue).toHaveLength(0);
    await s.clock.advance(500);
    expect(s.storage.queue.map((e) => e.feature)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
    expect(appends()).toBe(1);
  });

  it('writes at once when a flush starts, so flush() sends what was tracked before it', async () => {
    const s = setup({ persistMs: 1000 });
    s.client.track('action', 'a');
    await s.client.flush();
    expect(s.events().map((e) => e.feature)).toEqual(['a']);
  });

  it('writes at once when the page is hidden, besides sending through the unload path', async () => {
    const s = setup({ persistMs: 1000 });
    await s.client.ready();
    s.client.track('action', 'a');
    s.lifecycle.emit('hidden');
    expect(s.transport.urgent).toHaveLength(1);
    await s.clock.advance(0);
    expect(s.storage.queue.map((e) => e.feature)).toEqual(['a']);
  });

  it('writes at once when a batch worth of events waits', async () => {
    const s = setup({ persistMs: 1000, flushAt: 1000, debounceMs: 60_000, maxWaitMs: 60_000 });
    await s.client.ready();
    for (let i = 0; i < 100; i++) s.client.track('action');
    await s.clock.advance(0);
    expect(s.storage.queue).toHaveLength(100);
  });
});

describe('the flush timer', () => {
  it('is not re-armed per event: one timer for a run of events, still firing 1 s after the last', async () => {
    const s = setup();
    await s.client.ready();
    let armed = 0;
    const set = s.clock.setTimeout;
    s.clock.setTimeout = (fn, ms) => (armed++, set(fn, ms));
    for (let i = 0; i < 10; i++) {
      s.client.track('action', 'f' + i);
      await s.clock.advance(50);
    }
    // At most once (start-up may have armed it already), not once per event as a clearTimeout +
    // setTimeout per track() did.
    expect(armed).toBeLessThanOrEqual(1);
    // It fires at 1,000 ms, sees the last event came at 450 ms, and waits on until 1,450 ms.
    await s.clock.advance(949);
    expect(s.transport.sent).toHaveLength(0);
    await s.clock.advance(1);
    expect(s.events()).toHaveLength(10);
  });
});
