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
    // Nothing awaited between track() and hidden: the page may be gone on the next tick.
    expect(urgentBatches(s).flatMap((b) => b.events.map((e) => e.feature))).toEqual(['c']);
    await s.clock.advance(0);
    const all = urgentBatches(s).flatMap((b) => b.events.map((e) => e.feature));
    expect(all.sort()).toEqual(['a', 'b', 'c']);
    expect(urgentBatches(s).every((b) => b.dropped === undefined && b.app === 'test')).toBe(true);
    expect(s.storage.queue).toHaveLength(3);
    await s.clock.advance(1000);
    expect(s.events().map((e) => e.feature)).toEqual(['a', 'b', 'c']);
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
