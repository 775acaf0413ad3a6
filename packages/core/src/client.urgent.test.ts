import type { Batch } from '@tally/protocol';
import { describe, expect, it } from 'vitest';
import { setup } from './testing/fixture.js';

declare const TextEncoder: new () => { encode(s: string): Uint8Array };

const urgentBatches = (s: ReturnType<typeof setup>) => s.transport.urgent.map((b) => JSON.parse(b) as Batch);

describe('hidden → urgent send', () => {
  it('sends events tracked just now synchronously, keeps them queued, and the normal path resends them', async () => {
    const s = setup();
    s.client.track('action', 'a');
    s.client.track('action', 'b');
    await s.clock.advance(0);
    expect(s.storage.queue).toHaveLength(2);
    s.client.track('action', 'c');
    s.lifecycle.emit('hidden');
    // Nothing awaited after hidden: the page may be gone on the next tick, before a storage read
    // completes. Persisted (a, b) and not yet persisted (c) events alike go out synchronously.
    expect(urgentBatches(s).flatMap((b) => b.events.map((e) => e.feature))).toEqual(['a', 'b', 'c']);
    await s.clock.advance(0);
    // The storage read that follows adds nothing this page already sent.
    expect(urgentBatches(s).flatMap((b) => b.events.map((e) => e.feature))).toEqual(['a', 'b', 'c']);
    expect(urgentBatches(s).every((b) => b.dropped === undefined && b.app === 'test')).toBe(true);
    expect(s.storage.queue).toHaveLength(3);
    await s.clock.advance(1000);
    expect(s.events().map((e) => e.feature)).toEqual(['a', 'b', 'c']);
  });

  it('sends persisted events synchronously, only those not yet acknowledged, and then other pages\' from storage', async () => {
    const s = setup();
    s.client.track('action', 'acked');
    await s.clock.advance(1000);
    expect(s.events().map((e) => e.feature)).toEqual(['acked']);
    // An event left by an earlier page load, known only to storage.
    const old = { ...s.events()[0]!, event_id: '00000000-0000-4000-8000-00000000abcd', feature: 'old' };
    await s.storage.append([old], 1000, (c) => c);
    s.client.track('action', 'persisted');
    await s.clock.advance(0);
    expect(s.storage.queue.map((e) => e.feature).sort()).toEqual(['old', 'persisted']);
    s.lifecycle.emit('hidden');
    expect(urgentBatches(s).flatMap((b) => b.events.map((e) => e.feature))).toEqual(['persisted']);
    await s.clock.advance(0);
    expect(urgentBatches(s).flatMap((b) => b.events.map((e) => e.feature))).toEqual(['persisted', 'old']);
    // Still queued: a beacon is never acknowledged.
    expect(s.storage.queue).toHaveLength(2);
  });

  it('forgets events dropped for good, cleared by a denial, or past the queue bound', async () => {
    const s = setup({ maxQueue: 3, flushAt: 1000 });
    s.transport.respond(400);
    s.client.track('action', 'refused');
    await s.clock.advance(1000);
    s.lifecycle.emit('offline');
    for (const f of ['a', 'b', 'c', 'd']) s.client.track('action', f);
    s.lifecycle.emit('hidden');
    expect(urgentBatches(s).flatMap((b) => b.events.map((e) => e.feature))).toEqual(['b', 'c', 'd']);
    s.client.optOut();
    s.transport.urgent.length = 0;
    s.lifecycle.emit('hidden');
    s.client.optIn();
    s.lifecycle.emit('hidden');
    await s.clock.advance(0);
    expect(s.transport.urgent).toHaveLength(0);
  });

  it('splits everything waiting into chunks of at most 64 KB, each event once', async () => {
    const s = setup({ flushAt: 1000 });
    s.lifecycle.emit('offline');
    for (let i = 0; i < 40; i++) s.client.track('action', `f${i}`, { blob: 'x'.repeat(5000) });
    await s.clock.advance(0);
    s.lifecycle.emit('hidden');
    await s.clock.advance(0);
    expect(s.transport.urgent.length).toBeGreaterThanOrEqual(4);
    for (const body of s.transport.urgent) expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(65536);
    const ids = urgentBatches(s).flatMap((b) => b.events.map((e) => e.event_id));
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    expect(s.storage.queue).toHaveLength(40);
  });

  it('stops at the first refused chunk and does nothing without sendUrgent', async () => {
    const s = setup({ flushAt: 1000 });
    s.transport.acceptUrgent = false;
    for (let i = 0; i < 40; i++) s.client.track('action', `f${i}`, { blob: 'x'.repeat(5000) });
    await s.clock.advance(0);
    s.lifecycle.emit('hidden');
    await s.clock.advance(0);
    expect(s.transport.urgent).toHaveLength(1);

    const bare = setup();
    delete bare.transport.sendUrgent;
    bare.client.track('action');
    await bare.clock.advance(0);
    expect(() => bare.lifecycle.emit('hidden')).not.toThrow();
    await bare.clock.advance(1000);
    expect(bare.events()).toHaveLength(1);
  });

  it('sends nothing while consent is pending', async () => {
    const s = setup({ consent: 'pending' });
    s.client.track('action');
    await s.clock.advance(0);
    s.lifecycle.emit('hidden');
    await s.clock.advance(0);
    expect(s.transport.urgent).toHaveLength(0);
  });
});
