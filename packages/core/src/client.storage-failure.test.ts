import { defaultUuid } from './adapter/uuid.js';
import { describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { setup } from './testing/fixture.js';
import { createFakeTransport, createMemoryStorage, type StorageMethod } from './testing/index.js';

describe('storage that fails', () => {
  it('keeps events in memory when enqueue rejects, and still delivers them', async () => {
    const s = setup();
    s.storage.failing.add('append');
    s.client.track('action', 'a');
    s.client.track('action', 'b');
    await s.clock.advance(1000);
    expect(s.events().map((e) => e.feature)).toEqual(['a', 'b']);
    expect(s.client.stats()).toMatchObject({ sent: 2, dropped: 0, queued: 0 });
  });

  it('moves to memory for good when storage starts failing; what storage holds goes out on the next start', async () => {
    const s = setup();
    s.transport.respond(503);
    s.client.track('action', 'stored');
    await s.clock.advance(0);
    s.storage.failing.add('append');
    s.client.track('action', 'memory');
    await s.clock.advance(1000);
    // From the failure on, this page reads and writes memory only.
    expect(s.transport.batches()[0]!.events.map((e) => e.feature)).toEqual(['memory']);
    await s.clock.advance(500);
    expect(s.transport.batches()[1]!.events.map((e) => e.feature)).toEqual(['memory']);
    await s.clock.advance(10_000);
    expect(s.transport.sent).toHaveLength(2);
    expect(s.storage.queue.map((e) => e.feature)).toEqual(['stored']);
    // The next page load, storage working again, delivers it.
    s.storage.failing.clear();
    const next = setup({ storage: s.storage });
    await next.clock.advance(1000);
    expect(next.events().map((e) => e.feature)).toEqual(['stored']);
    expect(s.storage.queue).toEqual([]);
  });

  it('bounds the fallback too and counts what falls off', async () => {
    const s = setup({ maxQueue: 3, flushAt: 1000 });
    s.storage.failing.add('append');
    s.lifecycle.emit('offline');
    for (let i = 0; i < 5; i++) s.client.track('action', `f${i}`);
    await s.clock.advance(0);
    s.lifecycle.emit('online');
    await s.clock.advance(0);
    expect(s.transport.batches()[0]).toMatchObject({ dropped: 2 });
    expect(s.events().map((e) => e.feature)).toEqual(['f2', 'f3', 'f4']);
  });

  it('never throws into the host and still works when every storage method rejects', async () => {
    const storage = createMemoryStorage();
    const all: StorageMethod[] = ['get', 'set', 'append', 'head', 'remove', 'wipe'];
    for (const m of all) storage.failing.add(m);
    const transport = createFakeTransport();
    const client = createClient({ storage, transport, uuid: defaultUuid });
    expect(() => {
      client.track('action');
      client.page();
      client.setUserId('x');
      client.register({ a: 1 });
      client.unregister('a');
      client.consent('granted');
      client.reset();
    }).not.toThrow();
    await client.flush();
    expect(transport.batches().flatMap((b) => b.events)).toHaveLength(2);
    client.optOut();
    client.optIn();
    await client.flush();
    client.shutdown();
  });

  it('swallows throwing callbacks and reports them to log in debug mode', async () => {
    const lines: string[] = [];
    const s = setup({
      debug: true,
      log: (m) => lines.push(m),
      context: () => {
        throw new Error('context broke');
      },
    });
    expect(() => s.client.track('action')).not.toThrow();
    const t = setup({ beforeSend: () => { throw new Error('hook broke'); } });
    expect(() => t.client.track('action')).not.toThrow();
    await t.clock.advance(1000);
    expect(t.transport.sent).toHaveLength(0);
    expect(lines).toContain('tally: error');
  });

  it('is quiet without debug', async () => {
    const lines: string[] = [];
    const s = setup({ log: (m) => lines.push(m) });
    s.storage.failing.add('append');
    s.client.track('action');
    await s.clock.advance(1000);
    expect(lines).toEqual([]);
  });
});

describe('storage that cannot remove', () => {
  it('does not loop sending the same batch when removing rejects', async () => {
    const s = setup();
    s.client.track('action');
    await s.clock.advance(0);
    s.storage.failing.add('remove');
    s.transport.respond(400);
    await s.client.flush();
    expect(s.transport.sent).toHaveLength(1);
    // Not counted: the event is still stored and will be tried again on a later start.
    expect(s.client.stats().dropped).toBe(0);
    expect(s.storage.queue).toHaveLength(1);
  });

  it('does not loop when a removal resolves but changes nothing', async () => {
    const s = setup();
    // The event lands; its removal silently does nothing.
    s.storage.remove = () => Promise.resolve(1);
    s.client.track('action');
    await s.client.flush();
    expect(s.transport.sent).toHaveLength(1);
  });
});
