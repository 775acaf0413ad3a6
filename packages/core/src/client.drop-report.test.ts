import { describe, expect, it } from 'vitest';
import { setup } from './testing/fixture.js';

/** Tracks `n` events and lets the debounce fire. */
const track = async (s: ReturnType<typeof setup>, n: number, prefix = 'f') => {
  for (let i = 0; i < n; i++) s.client.track('action', `${prefix}${i}`);
  await s.clock.advance(1000);
};
const reports = (s: ReturnType<typeof setup>) => s.transport.batches().map((b) => [b.dropped, b.dropped_id]);

describe('drop reports', () => {
  it('sends no report id without a count', async () => {
    const s = setup();
    await track(s, 2);
    expect(reports(s)).toEqual([[undefined, undefined]]);
  });

  it('resends the same report id, with a total that only grows, until a batch carrying it is acknowledged', async () => {
    const s = setup({ maxQueue: 2 });
    s.lifecycle.emit('offline');
    await track(s, 3, 'a');
    // One overflow drop; the answer to the batch that carries it is lost (network error).
    s.transport.respond(0);
    s.lifecycle.emit('online');
    await s.clock.advance(0);
    const [first] = s.transport.batches();
    expect(first).toMatchObject({ dropped: 1, dropped_id: expect.any(String) });
    // While the retry waits, two more drops.
    s.lifecycle.emit('offline');
    await track(s, 2, 'b');
    s.lifecycle.emit('online');
    await s.clock.advance(0);
    const second = s.transport.batches()[1]!;
    expect(second).toMatchObject({ dropped: 3, dropped_id: first!.dropped_id });
    expect(s.storage.dropped).toBe(0);
    // Acknowledged: the report is closed; the next one gets a new id.
    s.lifecycle.emit('offline');
    await track(s, 3, 'c');
    s.lifecycle.emit('online');
    await s.clock.advance(0);
    const third = s.transport.batches()[2]!;
    expect(third).toMatchObject({ dropped: 1, dropped_id: expect.any(String) });
    expect(third.dropped_id).not.toBe(first!.dropped_id);
  });

  it('keeps the remainder under a new id when drops arrive while a report is in flight', async () => {
    const s = setup({ maxQueue: 2, flushAt: 1000 });
    s.lifecycle.emit('offline');
    await track(s, 3, 'a');
    let release!: () => void;
    s.transport.respond(
      () => new Promise<{ status: number }>((r) => (release = () => r({ status: 200 }))) as unknown as { status: number },
    );
    s.lifecycle.emit('online');
    await s.clock.advance(0);
    const id = s.transport.batches()[0]!.dropped_id;
    // In flight: 3 more events overflow the bound of 2 (both in-flight events and one new one go).
    s.lifecycle.emit('offline');
    await track(s, 3, 'b');
    release();
    await s.clock.advance(0);
    expect(s.storage.dropped).toBeGreaterThan(0);
    expect(s.storage.reportId).toEqual(expect.any(String));
    expect(s.storage.reportId).not.toBe(id);
  });
});
