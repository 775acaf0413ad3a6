import { BatchSchema } from '@tally/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../collector/src/app.js';
import { makeTestDeps } from '../../../collector/src/testing/index.js';
import { AppState } from '../src/hermes/react-native-stand-in.js';
import { init } from '../src/init.js';

/**
 * The React Native client against the real collector: batches built by `init()` — with its real
 * fetch transport, MMKV adapter, context and AppState lifecycle — go through the collector's
 * `createApp(...)` via `app.request()`. This runs in vitest, where the collector's Node and SQLite
 * code loads as in every collector test; `react-native` itself (Flow source) cannot load here, so
 * it is aliased to the same small stand-in the Hermes test uses (vitest.config.ts). Everything
 * above that module is the code an app runs.
 */
const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

function setup() {
  const deps = makeTestDeps();
  const app = createApp(deps);
  const answers: Array<{ status: number; body: any }> = [];
  /** When set, the collector handles the request but the answer never reaches the app (a tunnel). */
  let loseAnswer = false;
  globalThis.fetch = (async (url: string, req: RequestInit) => {
    const res = await app.request(url, req);
    const copy = res.clone();
    answers.push({ status: res.status, body: await copy.json().catch(() => undefined) });
    if (loseAnswer) throw new TypeError('Network request failed');
    return res;
  }) as typeof fetch;
  const disk = new Map<string, string>();
  const mmkv = {
    getString: (k: string) => disk.get(k),
    set: (k: string, v: string) => void disk.set(k, v),
    delete: (k: string) => void disk.delete(k),
  };
  const start = (overrides: { maxQueue?: number } = {}) =>
    init({
      endpoint: 'http://collector.test/',
      app: 'mobile',
      storage: mmkv,
      appVersion: '3.1.0 (310)',
      // The collector's fake clock, so event times fall inside its acceptance window.
      clock: { now: () => deps.clock.now(), setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as never) },
      random: () => 0,
      ...overrides,
    });
  const queued = () => [...disk.keys()].filter((k) => k.includes('tally.e')).length;
  return { deps, answers, start, queued, lose: (v: boolean) => (loseAnswer = v) };
}

describe('React Native client → real collector', () => {
  it('batches are accepted, and every field the client sent is what the collector stored', async () => {
    const { deps, answers, start } = setup();
    const client = start();
    client.setUserId('u-1');
    client.screen('Home', { tab: 'feed' });
    client.track('add_to_cart', 'cart', { sku: 'A-1', qty: 2, gift: false });
    client.register({ plan: 'pro' });
    client.track('checkout', 'cart');
    await client.flush();
    client.shutdown();
    expect(answers).toEqual([{ status: 200, body: { ok: true, logged: 3, duplicates: 0, rejected: [] } }]);
    const stored = deps.log.events;
    expect(stored.map((e) => [e.event_type, e.feature])).toEqual([
      ['page_view', 'Home'],
      ['add_to_cart', 'cart'],
      ['checkout', 'cart'],
    ]);
    const [home, cart, checkout] = stored;
    expect(home).toMatchObject({ user_id: 'u-1', app: 'mobile', metadata: { tab: 'feed' } });
    expect(cart!.metadata).toEqual({ sku: 'A-1', qty: 2, gift: false });
    expect(checkout!.metadata).toEqual({ plan: 'pro' });
    expect(new Set(stored.map((e) => e.session_id)).size).toBe(1);
    expect(new Set(stored.map((e) => e.anonymous_id)).size).toBe(1);
    expect(home!.context).toMatchObject({
      platform: 'android',
      os: 'Android 34',
      app_version: '3.1.0 (310)',
      device_type: 'phone',
      screen: '411x914',
      sdk: { name: '@tally/react-native', version: '0.1.0' },
    });
    expect(home!.consent).toEqual({ analytics: true, marketing: true, personalization: true });
  });

  it('an answer lost in a tunnel: the batch goes again with the same ids and is counted once', async () => {
    const { deps, answers, start, queued, lose } = setup();
    const client = start();
    client.track('x');
    client.track('y');
    lose(true);
    await client.flush();
    expect(queued()).toBe(2);
    lose(false);
    AppState.emit('background');
    AppState.emit('active');
    await client.flush();
    client.shutdown();
    expect(answers.map((a) => [a.status, a.body.logged, a.body.duplicates])).toEqual([
      [200, 2, 0],
      [200, 0, 2],
    ]);
    expect(deps.log.events).toHaveLength(2);
    expect(queued()).toBe(0);
  });

  it("the collector's storage fails (503 + Retry-After): nothing lost, delivered once it recovers", async () => {
    const { deps, answers, start, queued } = setup();
    const client = start();
    deps.log.setFailing(true);
    client.track('paid', 'checkout');
    await client.flush();
    expect(answers[0]!.status).toBe(503);
    expect(queued()).toBe(1);
    deps.log.setFailing(false);
    AppState.emit('active');
    await client.flush();
    client.shutdown();
    expect(answers.at(-1)).toEqual({ status: 200, body: { ok: true, logged: 1, duplicates: 0, rejected: [] } });
    expect(deps.log.events.map((e) => e.event_type)).toEqual(['paid']);
    expect(queued()).toBe(0);
  });

  it('drops beyond the bound reach the collector as a counted drop report', async () => {
    const { deps, start } = setup();
    // A bound of 1,000 (the default is 10,000) keeps the burst small.
    const client = start({ maxQueue: 1000 });
    deps.log.setFailing(true);
    for (let i = 0; i < 1005; i++) client.track('burst');
    await client.flush();
    deps.log.setFailing(false);
    AppState.emit('active');
    await client.flush();
    await client.flush();
    client.shutdown();
    expect(deps.log.events).toHaveLength(1000);
    // One drop report (its id makes a resend count once), carrying the 5 oldest events the bound let go.
    const reports = deps.ledger.tallies.flatMap((t) => (t.dropReport ? [t.dropReport] : []));
    expect(reports).toEqual([{ id: expect.any(String), total: 5 }]);
    expect(deps.ledger.tallies.reduce((n, t) => n + t.accepted, 0)).toBe(1000);
  });

  it('what the client sends parses as a protocol batch', async () => {
    const bodies: string[] = [];
    const { start } = setup();
    const inner = globalThis.fetch;
    globalThis.fetch = ((url: string, req: RequestInit) => (bodies.push(String(req.body)), inner(url, req))) as typeof fetch;
    const client = start();
    client.screen('Settings');
    await client.flush();
    client.shutdown();
    expect(() => BatchSchema.parse(JSON.parse(bodies[0]!))).not.toThrow();
  });
});
