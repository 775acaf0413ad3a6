import { describe, expect, it } from 'vitest';
import { KEY_OPTOUT } from './client.js';
import { setup } from './testing/fixture.js';

describe('consent', () => {
  it('granted (default) persists and sends, with every flag true on the event', async () => {
    const s = setup();
    s.client.track('action');
    await s.clock.advance(0);
    expect(s.storage.queue).toHaveLength(1);
    await s.clock.advance(1000);
    expect(s.events()[0]!.consent).toEqual({ analytics: true, marketing: true, personalization: true });
  });

  it('pending keeps events in memory only, then sends them once granted', async () => {
    const s = setup({ consent: 'pending' });
    s.client.setUserId('u1');
    s.client.track('action', 'before');
    await s.clock.advance(10_000);
    expect(s.storage.queue).toHaveLength(0);
    expect([...s.storage.values.keys()]).toEqual([]);
    expect(s.transport.sent).toHaveLength(0);
    s.client.consent({ analytics: true, marketing: false });
    await s.clock.advance(1000);
    expect(s.events().map((e) => [e.feature, e.user_id, e.consent])).toEqual([
      ['before', 'u1', { analytics: true, marketing: false, personalization: false }],
    ]);
    expect(s.storage.values.get('tally.id')).toMatchObject({ a: expect.any(String), u: 'u1' });
  });

  it('pending then denied discards everything without sending or storing', async () => {
    const s = setup({ consent: 'pending' });
    s.client.track('action');
    s.client.consent('denied');
    s.client.track('action');
    await s.clock.advance(10_000);
    s.client.consent('granted');
    await s.clock.advance(1000);
    expect(s.transport.sent).toHaveLength(0);
    expect(s.storage.queue).toHaveLength(0);
  });

  it('pending holds at most maxQueue events and reports the overflow once granted', async () => {
    const s = setup({ consent: 'pending', maxQueue: 3 });
    for (let i = 0; i < 5; i++) s.client.track('action', `f${i}`);
    s.client.consent('granted');
    await s.clock.advance(1000);
    expect(s.transport.batches()[0]).toMatchObject({ dropped: 2 });
    expect(s.events().map((e) => e.feature)).toEqual(['f2', 'f3', 'f4']);
  });

  it('granted → denied clears the queue in storage and memory and sends nothing more', async () => {
    const s = setup({ maxQueue: 2 });
    s.lifecycle.emit('offline');
    for (let i = 0; i < 4; i++) s.client.track('action');
    await s.clock.advance(0);
    expect(s.storage.queue).toHaveLength(2);
    expect(s.storage.dropped).toBe(2);
    s.client.track('action', 'unpersisted');
    s.client.consent({ analytics: false });
    await s.clock.advance(0);
    expect(s.storage.queue).toHaveLength(0);
    expect(s.storage.dropped).toBe(0);
    // Withdrawn consent takes the stored identifiers with it; only the opt-out flag remains.
    expect([...s.storage.values.keys()]).toEqual([KEY_OPTOUT]);
    s.lifecycle.emit('online');
    s.lifecycle.emit('hidden');
    s.client.track('action');
    await s.client.flush();
    await s.clock.advance(10_000);
    expect(s.transport.sent).toHaveLength(0);
    expect(s.transport.urgent).toHaveLength(0);
    expect(s.storage.queue).toHaveLength(0);
  });

  it('a batch in flight when consent is withdrawn writes nothing back', async () => {
    const s = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    s.transport.send = async (body) => {
      s.transport.sent.push(body);
      await gate;
      return { status: 200 };
    };
    s.client.track('action');
    const flushing = s.client.flush();
    await s.clock.advance(0);
    expect(s.transport.sent).toHaveLength(1);
    s.client.optOut();
    release();
    await flushing;
    await s.clock.advance(0);
    expect([...s.storage.values.keys()]).toEqual([KEY_OPTOUT]);
    expect(s.storage.queue).toHaveLength(0);
  });

  it('optOut persists across a reload; optIn undoes it', async () => {
    const s = setup();
    s.client.optOut();
    await s.clock.advance(0);
    expect(s.storage.values.get(KEY_OPTOUT)).toBe(1);
    s.client.shutdown();

    const reloaded = setup({ storage: s.storage });
    reloaded.client.track('action', 'while-out');
    await reloaded.clock.advance(10_000);
    expect(reloaded.transport.sent).toHaveLength(0);
    expect(reloaded.storage.queue).toHaveLength(0);

    reloaded.client.optIn();
    reloaded.client.track('action', 'back-in');
    await reloaded.clock.advance(1000);
    expect(reloaded.events().map((e) => e.feature)).toEqual(['back-in']);
    expect(reloaded.storage.values.has(KEY_OPTOUT)).toBe(false);
  });

  it('a site configured with consent denied clears leftovers but does not record an opt-out', async () => {
    const s = setup();
    s.lifecycle.emit('offline');
    s.client.track('action');
    await s.clock.advance(0);
    s.client.shutdown();
    const denied = setup({ storage: s.storage, consent: 'denied' });
    await denied.client.ready();
    await denied.clock.advance(0);
    expect(denied.storage.queue).toHaveLength(0);
    expect(denied.storage.values.has(KEY_OPTOUT)).toBe(false);
  });

  it('a consent object without analytics only updates the flags', async () => {
    const s = setup();
    s.client.consent({ marketing: false });
    s.client.track('action');
    await s.clock.advance(1000);
    expect(s.events()[0]!.consent).toEqual({ analytics: true, marketing: false, personalization: true });
  });

  it('granted → pending stops sending but keeps what was accepted; granted again sends it', async () => {
    const s = setup();
    s.client.track('action', 'accepted');
    s.client.consent('pending');
    s.client.track('action', 'held');
    await s.clock.advance(10_000);
    await s.client.flush();
    expect(s.transport.sent).toHaveLength(0);
    expect(s.storage.queue.map((e) => e.feature)).toEqual(['accepted']);
    s.client.consent('granted');
    await s.clock.advance(1000);
    expect(s.events().map((e) => e.feature)).toEqual(['accepted', 'held']);
  });

  it('calls made before start-up finish are applied in order, with their own timestamps', async () => {
    const s = setup();
    s.client.track('action', 'one');
    s.client.optOut();
    s.client.track('action', 'two');
    s.client.optIn();
    s.client.track('action', 'three');
    await s.clock.advance(1000);
    // 'one' was accepted, then cleared by the opt-out; 'two' came while opted out.
    expect(s.events().map((e) => e.feature)).toEqual(['three']);
    expect(s.events()[0]!.ts).toBe('2026-11-20T10:00:00.000Z');
  });

  it('tells onConsent the initial state and every change, a stored opt-out before the calls made early', async () => {
    const states: string[] = [];
    const first = setup({ onConsent: (c) => states.push(c) });
    await first.client.ready();
    first.client.consent('pending');
    first.client.optOut();
    await first.clock.advance(0);
    expect(states).toEqual(['granted', 'pending', 'denied']);

    states.length = 0;
    const second = setup({ storage: first.storage, onConsent: (c) => states.push(c) });
    second.client.optIn();
    await second.client.ready();
    expect(states).toEqual(['granted', 'denied', 'granted']);
  });
});
