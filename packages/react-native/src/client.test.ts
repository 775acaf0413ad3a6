import { settle } from '@tally/core/testing';
import { resolveStorage } from './storage/resolve';
import { BACKENDS } from './test/backends';
import { start } from './test/harness';

/**
 * The promises of the README, one shared suite run on each storage an app can hand to `init`: an
 * accepted event is delivered once unless consent was withdrawn or the bound overflowed (counted).
 */
describe.each(BACKENDS)('client on %s', (_label, open) => {
  let n = 0;
  let prefix: string;
  let storage: unknown;
  beforeEach(() => {
    prefix = `c${++n}-${Math.random().toString(36).slice(2, 7)}:`;
    storage = open('client-suite');
  });
  const launch = (extra = {}) => start(storage as never, { storagePrefix: prefix, ...extra });
  /** A second handle on the app's storage, to look at what is on disk. */
  const disk = () => resolveStorage(storage, prefix);
  const queued = async () => (await disk().head(1000)).entries.map((e) => e.event.event_id);

  it('app killed between track() and a flush: the next start sends the event, once', async () => {
    const a = launch();
    await a.client.ready();
    a.client.track('add_to_cart', 'cart');
    a.client.screen('Home');
    await settle();
    const stored = await queued();
    expect(stored).toHaveLength(2);
    // Killed: no flush, no shutdown, the debounce timer never fires. A new process, same storage:
    const b = launch();
    await b.client.flush();
    expect(a.transport.sent).toHaveLength(0);
    expect(b.sentIds()).toEqual(stored);
    await b.client.flush();
    expect(b.sentIds()).toEqual(stored);
    expect(await queued()).toEqual([]);
  });

  it('killed while a batch was in flight (answer lost): resent with the same ids on the next start', async () => {
    const a = launch();
    a.transport.respond(() => new Promise(() => {}) as never);
    a.client.track('x');
    a.client.track('y');
    void a.client.flush();
    await settle();
    const first = a.sentIds();
    expect(first).toHaveLength(2);
    const b = launch();
    await b.client.flush();
    expect(b.sentIds()).toEqual(first);
    expect(await queued()).toEqual([]);
  });

  it('going to the background flushes at once, without waiting for the debounce', async () => {
    const a = launch();
    a.client.track('checkout');
    await settle();
    expect(a.transport.sent).toHaveLength(0);
    a.appState.set('background');
    await settle();
    expect(a.sentIds()).toHaveLength(1);
    expect(await queued()).toEqual([]);
  });

  it('offline, then back to active: retried at once, not after the backoff', async () => {
    const a = launch();
    a.transport.respond(0);
    a.client.track('x');
    await a.client.flush();
    expect(a.transport.sent).toHaveLength(1);
    expect(await queued()).toHaveLength(1);
    a.appState.set('background');
    await settle();
    a.transport.fallback = 0;
    a.appState.set('active');
    await settle();
    a.transport.fallback = 200;
    a.appState.set('background');
    a.appState.set('active');
    await settle();
    const ids = a.transport.batches().map((b) => b.events[0]!.event_id);
    expect(new Set(ids).size).toBe(1);
    expect(await queued()).toEqual([]);
  });

  it('collector 503 with Retry-After, then 200: waits as told, delivers once', async () => {
    const a = launch();
    a.transport.respond({ status: 503, retryAfterMs: 30_000 });
    a.client.track('x');
    await a.client.flush();
    await a.clock.advance(29_000);
    expect(a.transport.sent).toHaveLength(1);
    await a.clock.advance(2_000);
    expect(a.transport.sent).toHaveLength(2);
    expect(a.transport.batches()[1]!.events.map((e) => e.event_id)).toEqual(a.transport.batches()[0]!.events.map((e) => e.event_id));
    expect(await queued()).toEqual([]);
  });

  it('413: the batch is split in halves and each half delivered', async () => {
    const a = launch();
    a.transport.respond(413);
    for (const t of ['a', 'b', 'c', 'd']) a.client.track(t);
    await a.client.flush();
    expect(a.transport.batches().map((b) => b.events.length)).toEqual([4, 2, 2]);
    expect(await queued()).toEqual([]);
  });

  it('consent denied: stored events and ids are deleted, the denial is remembered across a restart', async () => {
    const a = launch();
    a.client.setUserId('u1');
    a.client.track('x');
    await settle();
    expect(await queued()).toHaveLength(1);
    expect(await disk().get('tally.id')).toBeTruthy();
    a.client.optOut();
    await settle();
    expect(await queued()).toEqual([]);
    expect(await disk().get('tally.id')).toBeFalsy();
    const b = launch();
    b.client.track('y');
    await b.client.flush();
    expect(b.transport.sent).toHaveLength(0);
    expect(await queued()).toEqual([]);
  });

  it('queue bound: the oldest are dropped, counted, and the count reported once', async () => {
    const a = launch({ maxQueue: 5 });
    a.transport.fallback = 0;
    await a.client.ready();
    for (let i = 0; i < 8; i++) a.client.track('e' + i);
    await a.client.flush();
    expect(a.client.stats().dropped).toBe(3);
    a.transport.fallback = 200;
    a.appState.set('active');
    await settle();
    const last = a.transport.batches().at(-1)!;
    expect(last.events.map((e) => e.event_type)).toEqual(['e3', 'e4', 'e5', 'e6', 'e7']);
    expect(last.dropped).toBe(3);
    expect(last.dropped_id).toBeTruthy();
    a.client.track('later');
    await a.client.flush();
    expect(a.transport.batches().at(-1)!.dropped).toBeUndefined();
  });

  it('a session renews after 30 minutes in the background, not after 10', async () => {
    const a = launch();
    a.client.track('x');
    a.appState.set('background');
    await a.clock.advance(10 * 60_000);
    a.appState.set('active');
    a.client.track('y');
    a.appState.set('background');
    await a.clock.advance(31 * 60_000);
    a.appState.set('active');
    a.client.track('z');
    await a.client.flush();
    const s = a.transport.batches().flatMap((b) => b.events).map((e) => e.session_id);
    expect(s[0]).toBe(s[1]);
    expect(s[2]).not.toBe(s[1]);
  });
});

describe('MMKV: what is stored when track() returns', () => {
  const { MMKV } = require('react-native-mmkv');
  const events = (m: InstanceType<typeof MMKV>, prefix: string) =>
    m
      .getAllKeys()
      .filter((k: string) => k.startsWith(prefix + 'tally.e'))
      .map((k: string) => JSON.parse(m.getString(k)).event_type);

  it('the event is on disk before track() returns: read straight after the call, no await', async () => {
    const m = new MMKV({ id: 'before-return' });
    const a = start(m, { storagePrefix: 'br:' });
    await a.client.ready();
    a.client.track('paid', 'checkout');
    expect(events(m, 'br:')).toEqual(['paid']);
    a.client.screen('Receipt');
    expect(events(m, 'br:')).toEqual(['paid', 'page_view']);
    // And readable by the next process (the counters record went with it): a kill now loses nothing.
    const next = start(m, { storagePrefix: 'br:' });
    await next.client.flush();
    expect(next.transport.batches().flatMap((b) => b.events.map((e) => e.event_type))).toEqual(['paid', 'page_view']);
  });

  it('calls made before start-up has read the stored ids (the tick of init()) are on disk before that JavaScript task ends', async () => {
    const m = new MMKV({ id: 'same-task' });
    const a = start(m, { storagePrefix: 'st:' });
    a.client.track('launched');
    expect(events(m, 'st:')).toEqual([]);
    // Microtasks only: start-up completes, then the waiting call is written.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(events(m, 'st:')).toEqual(['launched']);
  });
});
