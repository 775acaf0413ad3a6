import { describe, expect, it } from 'vitest';
import { setup } from './testing/fixture.js';

declare const TextEncoder: new () => { encode(s: string): Uint8Array };

describe('scheduler', () => {
  it('flushes 1 s after the last event (debounce)', async () => {
    const { client, transport, clock, storage } = setup();
    client.track('action', 'a');
    await clock.advance(800);
    client.track('action', 'b');
    await clock.advance(999);
    expect(transport.sent).toHaveLength(0);
    expect(storage.queue).toHaveLength(2);
    await clock.advance(1);
    expect(transport.batches()).toHaveLength(1);
    expect(transport.batches()[0]!.events.map((e) => e.feature)).toEqual(['a', 'b']);
    expect(storage.queue).toHaveLength(0);
    expect(client.stats()).toMatchObject({ sent: 2, queued: 0, dropped: 0 });
  });

  it('flushes at the latest 5 s after the oldest unsent event', async () => {
    const { client, transport, clock } = setup();
    for (let i = 0; i < 6; i++) {
      client.track('action', `f${i}`);
      await clock.advance(900);
    }
    // Events at 0, 900, ..., 4500: the debounce never fires, the max wait does at 5000.
    expect(transport.sent).toHaveLength(1);
    expect(transport.batches()[0]!.events).toHaveLength(6);
  });

  it('flushes at once when 20 events wait', async () => {
    const { client, transport, clock } = setup();
    for (let i = 0; i < 19; i++) client.track('action');
    await clock.advance(0);
    expect(transport.sent).toHaveLength(0);
    client.track('action');
    await clock.advance(0);
    expect(transport.batches()[0]!.events).toHaveLength(20);
  });

  it('sends batches of at most 100 events, oldest first, draining the queue', async () => {
    const { client, transport, events } = setup({ flushAt: 1000 });
    for (let i = 0; i < 250; i++) client.track('action', `f${i}`);
    await client.flush();
    expect(transport.batches().map((b) => b.events.length)).toEqual([100, 100, 50]);
    expect(events().map((e) => e.feature)).toEqual(Array.from({ length: 250 }, (_, i) => `f${i}`));
  });

  it('keeps every serialized batch within 64 KB', async () => {
    const { client, transport, events } = setup({ flushAt: 1000 });
    for (let i = 0; i < 30; i++) client.track('action', `f${i}`, { blob: 'é'.repeat(3000) });
    await client.flush();
    expect(transport.sent.length).toBeGreaterThan(1);
    for (const body of transport.sent) expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(65536);
    expect(events()).toHaveLength(30);
  });

  it('runs the drain under the flush lock when one is given', async () => {
    const names: string[] = [];
    const { client, transport } = setup({
      lock: async (name, fn) => {
        names.push(name);
        return fn();
      },
    });
    client.track('action');
    await client.flush();
    expect(names).toEqual(['tally-flush']);
    expect(transport.sent).toHaveLength(1);
  });

  it('pauses while offline and flushes when back online', async () => {
    const { client, transport, clock, lifecycle, storage } = setup();
    lifecycle.emit('offline');
    client.track('action');
    await clock.advance(60_000);
    await client.flush();
    expect(transport.sent).toHaveLength(0);
    expect(storage.queue).toHaveLength(1);
    lifecycle.emit('online');
    await clock.advance(0);
    expect(transport.sent).toHaveLength(1);
    expect(storage.queue).toHaveLength(0);
  });

  it('resends what a previous page load left in storage', async () => {
    const first = setup();
    first.lifecycle.emit('offline');
    first.client.track('action', 'left-behind');
    await first.clock.advance(0);
    first.client.shutdown();
    const second = setup({ storage: first.storage });
    await second.clock.advance(1000);
    expect(second.events().map((e) => e.feature)).toEqual(['left-behind']);
  });
});

describe('several tabs', () => {
  /** A Web Locks stand-in: one holder at a time per name. */
  const mutex = () => {
    let tail = Promise.resolve();
    return <T>(_name: string, fn: () => Promise<T>): Promise<T> => {
      const run = tail.then(fn);
      tail = run.then(
        () => {},
        () => {},
      );
      return run;
    };
  };

  it('two tabs sharing storage and a lock send each event once', async () => {
    const lock = mutex();
    const a = setup({ lock });
    const b = setup({ lock, storage: a.storage, uuid: () => crypto.randomUUID() });
    for (let i = 0; i < 30; i++) (i % 2 ? a : b).client.track('action', `f${i}`);
    await a.clock.advance(0);
    await Promise.all([a.client.flush(), b.client.flush(), a.client.flush()]);
    const ids = [...a.events(), ...b.events()].map((e) => e.event_id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(a.storage.queue).toHaveLength(0);
  });

  it('still delivers when the lock itself fails', async () => {
    const s = setup({ lock: () => Promise.reject(new Error('no locks here')) });
    s.client.track('action');
    await s.client.flush();
    expect(s.events()).toHaveLength(1);
  });
});

declare const crypto: { randomUUID(): string };
