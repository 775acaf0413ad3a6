import { describe, expect, it } from 'vitest';
import { setup } from './testing/fixture.js';

/** Tracks `n` events and lets the debounce flush them. */
const trackAndFlush = async (s: ReturnType<typeof setup>, n = 1) => {
  for (let i = 0; i < n; i++) s.client.track('action', `f${i}`);
  await s.clock.advance(1000);
};

describe('status policy', () => {
  it('2xx removes the batch; rejected events are dropped, counted and reported once', async () => {
    const s = setup();
    s.transport.respond({
      status: 200,
      body: { ok: true, logged: 2, duplicates: 0, rejected: [{ index: 1, reason: 'invalid_ts' }] },
    });
    await trackAndFlush(s, 3);
    expect(s.storage.queue).toHaveLength(0);
    expect(s.client.stats()).toMatchObject({ sent: 2, dropped: 1 });
    await trackAndFlush(s);
    await trackAndFlush(s);
    const b = s.transport.batches();
    expect(b.map((x) => x.dropped)).toEqual([undefined, 1, undefined]);
  });

  it.each([204, 202])('%i counts as acknowledged', async (status) => {
    const s = setup();
    s.transport.respond(status);
    await trackAndFlush(s, 2);
    expect(s.storage.queue).toHaveLength(0);
    expect(s.client.stats().dropped).toBe(0);
  });

  it('413 splits the batch in half and retries each half', async () => {
    const s = setup();
    s.transport.respond(413, 413);
    await trackAndFlush(s, 10);
    // [10] → 413, [5] → 413, [3] ok, [2] ok, [5] ok
    expect(s.transport.batches().map((b) => b.events.length)).toEqual([10, 5, 3, 2, 5]);
    expect(s.storage.queue).toHaveLength(0);
    expect(s.transport.batches().slice(2).flatMap((b) => b.events.map((e) => e.feature))).toEqual(Array.from({ length: 10 }, (_, i) => `f${i}`));
    expect(s.client.stats().dropped).toBe(0);
  });

  it('413 on a single event drops and counts it, then carries on', async () => {
    const s = setup();
    s.transport.respond(413, 413);
    await trackAndFlush(s, 2);
    // [2] → 413, [1] → 413 (dropped), [1] ok carrying dropped: 1
    const b = s.transport.batches();
    expect(b.map((x) => [x.events.length, x.dropped])).toEqual([
      [2, undefined],
      [1, undefined],
      [1, 1],
    ]);
    expect(b[2]!.events[0]!.feature).toBe('f1');
    expect(s.storage.queue).toHaveLength(0);
  });

  it.each([400, 404, 422])('%i drops the batch and counts it', async (status) => {
    const s = setup();
    s.transport.respond(status);
    await trackAndFlush(s, 3);
    expect(s.storage.queue).toHaveLength(0);
    expect(s.client.stats()).toMatchObject({ dropped: 3, sent: 0 });
    await trackAndFlush(s);
    expect(s.transport.batches()[1]).toMatchObject({ dropped: 3 });
  });

  it.each([408, 429, 500, 503, 0])('%i keeps the events and retries after a backoff', async (status) => {
    const s = setup();
    s.transport.respond(status);
    await trackAndFlush(s, 2);
    expect(s.transport.sent).toHaveLength(1);
    expect(s.storage.queue).toHaveLength(2);
    // random() = 0.5, first retry: 0.5 * 1000 ms.
    await s.clock.advance(499);
    expect(s.transport.sent).toHaveLength(1);
    await s.clock.advance(1);
    expect(s.transport.sent).toHaveLength(2);
    expect(s.storage.queue).toHaveLength(0);
    expect(s.client.stats()).toMatchObject({ sent: 2, dropped: 0 });
  });

  it('429 waits at least Retry-After', async () => {
    const s = setup();
    s.transport.respond({ status: 429, retryAfterMs: 30_000 });
    await trackAndFlush(s);
    await s.clock.advance(29_999);
    expect(s.transport.sent).toHaveLength(1);
    await s.clock.advance(1);
    expect(s.transport.sent).toHaveLength(2);
  });

  it('backs off exponentially with full jitter up to the cap, then resets after a success', async () => {
    const times: number[] = [];
    const s = setup({ backoff: { baseMs: 1000, maxMs: 8000 }, random: () => 0.75 });
    s.transport.fallback = () => (times.push(s.clock.now()), { status: 503 });
    await trackAndFlush(s);
    await s.clock.advance(60_000);
    const start = times[0]!;
    const gaps = times.slice(1, 7).map((t, i) => t - times[i]!);
    expect(start).toBeGreaterThan(0);
    expect(gaps).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
    s.transport.fallback = 200;
    await s.clock.advance(6000);
    expect(s.storage.queue).toHaveLength(0);
    s.transport.respond(500);
    await trackAndFlush(s);
    const before = s.transport.sent.length;
    await s.clock.advance(750);
    expect(s.transport.sent.length).toBe(before + 1);
  });

  it('does not let new events cut a backoff short, but an explicit flush() does', async () => {
    const s = setup();
    s.transport.respond(500);
    await trackAndFlush(s);
    for (let i = 0; i < 25; i++) s.client.track('action');
    await s.clock.advance(0);
    expect(s.transport.sent).toHaveLength(1);
    await s.client.flush();
    expect(s.transport.sent).toHaveLength(2);
    expect(s.storage.queue).toHaveLength(0);
  });

  it('a transport that rejects anyway is a network error, not a crash', async () => {
    const s = setup();
    let calls = 0;
    s.transport.send = async () => {
      if (calls++ === 0) throw new Error('boom');
      return { status: 200 };
    };
    await trackAndFlush(s);
    expect(s.storage.queue).toHaveLength(1);
    await s.clock.advance(500);
    expect(s.storage.queue).toHaveLength(0);
  });
});

describe('dropped counter', () => {
  it('bounds the queue: the oldest are dropped and counted, the count reaches the collector once', async () => {
    const s = setup({ maxQueue: 5, flushAt: 1000 });
    s.lifecycle.emit('offline');
    for (let i = 0; i < 8; i++) s.client.track('action', `f${i}`);
    await s.clock.advance(0);
    expect(s.storage.queue.map((e) => e.feature)).toEqual(['f3', 'f4', 'f5', 'f6', 'f7']);
    expect(s.client.stats().dropped).toBe(3);
    s.lifecycle.emit('online');
    await s.clock.advance(0);
    await trackAndFlush(s);
    expect(s.transport.batches().map((b) => [b.events.length, b.dropped])).toEqual([
      [5, 3],
      [1, undefined],
    ]);
  });

  it('keeps the count until a batch carrying it is acknowledged, and survives a reload', async () => {
    const s = setup({ maxQueue: 2 });
    s.lifecycle.emit('offline');
    for (let i = 0; i < 5; i++) s.client.track('action');
    await s.clock.advance(0);
    s.client.shutdown();
    const again = setup({ storage: s.storage, maxQueue: 2 });
    again.transport.respond(500);
    await again.clock.advance(1000);
    await again.clock.advance(500);
    expect(again.transport.batches().map((b) => b.dropped)).toEqual([3, 3]);
    await trackAndFlush(again);
    expect(again.transport.batches()[2]!.dropped).toBeUndefined();
  });

  it('adds drops counted while a batch is in flight to the next batch, not losing or repeating them', async () => {
    const s = setup({ maxQueue: 3 });
    s.transport.respond(400); // 2 dropped
    await trackAndFlush(s, 2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    s.transport.send = async (body) => {
      s.transport.sent.push(body);
      await gate;
      return { status: 200 };
    };
    s.client.track('action', 'carrier');
    const flushing = s.client.flush();
    await s.clock.advance(0);
    // While the batch carrying 2 is in flight, 3 more events overflow a queue of 3: the carrier,
    // still queued, is dropped and counted...
    for (let i = 0; i < 3; i++) s.client.track('action', `late${i}`);
    await s.clock.advance(0);
    expect(s.client.stats().dropped).toBe(3);
    release();
    await flushing;
    // ...then acknowledged, so it was not lost after all: the count goes back, and nothing is reported twice.
    expect(s.client.stats().dropped).toBe(2);
    await s.client.flush();
    expect(s.transport.batches().map((b) => b.dropped)).toEqual([undefined, 2, undefined]);
    expect(s.events().map((e) => e.feature)).toEqual(['f0', 'f1', 'carrier', 'late0', 'late1', 'late2']);
  });

  it('counts an overflow drop exactly once when its batch is then refused', async () => {
    const s = setup({ maxQueue: 2 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    s.transport.send = async (body) => {
      s.transport.sent.push(body);
      await gate;
      return { status: s.transport.sent.length == 1 ? 400 : 200 };
    };
    s.client.track('action', 'a');
    const flushing = s.client.flush();
    await s.clock.advance(0);
    s.client.track('action', 'b');
    s.client.track('action', 'c');
    await s.clock.advance(0);
    expect(s.client.stats().dropped).toBe(1);
    release();
    await flushing;
    // 'a' was refused after being counted as overflow: still one drop. b and c were delivered.
    expect(s.client.stats()).toMatchObject({ dropped: 1, sent: 2 });
    expect(s.events().map((e) => e.feature)).toEqual(['a', 'b', 'c']);
  });

  it('keeps the count in memory when storage refuses it', async () => {
    const s = setup();
    s.storage.failing.add('append');
    s.transport.respond(400);
    await trackAndFlush(s, 2);
    await trackAndFlush(s);
    await trackAndFlush(s);
    expect(s.transport.batches().map((b) => b.dropped)).toEqual([undefined, 2, undefined]);
  });
});
