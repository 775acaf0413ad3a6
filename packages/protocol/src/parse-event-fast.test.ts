import { describe, expect, it } from 'vitest';
import { parseEvent, parseEventWithSchema } from './parse-event.js';
import { parseEventFast } from './parse-event-fast.js';

/** Deterministic PRNG (mulberry32): a failure reproduces from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const str = (r: R, n: number) => 'x'.repeat(n) + (r() < 0.1 ? 'é😀' : '');
const nested = (depth: number): unknown => (depth === 0 ? 1 : { k: nested(depth - 1) });

// Each field draws from values that are valid, at a limit, just past it, of the wrong type, or odd.
const FIELD_VALUES: Record<string, (r: R) => unknown> = {
  event_id: (r) => pick(r, ['9b2f3c1e-0000-4000-8000-000000000001', '', 'a', str(r, 64), str(r, 65), 7, null, undefined]),
  event_type: (r) =>
    pick(r, ['page_view', 'action', 'identify', 'checkout.step:2', 'Bad Type', 'a'.repeat(64), 'a'.repeat(65), '9x', '', 3, null]),
  ts: (r) =>
    pick(r, [
      '2026-11-20T10:00:00.000Z', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00.123456+02:00', '2024-02-29T00:00:00Z',
      '2026-02-29T00:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20 10:00:00Z', '2026-11-20T10:00:00', 'yesterday', 1732096800000, null,
    ]),
  feature: (r) => pick(r, ['pricing', '', str(r, 128), str(r, 129), 1, null, undefined]),
  user_id: (r) => pick(r, ['u1', str(r, 256), str(r, 257), false]),
  anonymous_id: (r) => pick(r, ['a-1', str(r, 257), {}]),
  session_id: (r) => pick(r, ['s-1', str(r, 256), []]),
  url: (r) => pick(r, ['https://a.example/x?y=1', str(r, 2048), 'https://a/' + str(r, 2048), 5]),
  metadata: (r) =>
    pick(r, [
      { section: 'hero', n: 1, ok: true, list: [1, 'a'], deep: { a: { b: null } } }, {}, { 2: 'b', 1: 'a', z: 0 },
      { big: str(r, 16 * 1024 - 20) }, { big: 'é'.repeat(8 * 1024) }, { big: str(r, 17 * 1024) },
      nested(8), nested(9), [1], 'text', null, Object.create(null) as object, JSON.parse('{"__proto__":{"x":1}}') as object,
    ]),
  context: (r) =>
    pick(r, [
      { app_version: '1.0', browser: 'Chrome', os: 'macOS', device_type: 'desktop', locale: 'en-US', screen: '1x1', sdk: { name: 'n', version: '1' } },
      { sdk: { version: '1', name: 'n', extra: 1 }, title: str(r, 512), extra: 'dropped' },
      { referrer: str(r, 2048), timezone: 'Europe/Paris', platform: 'web' },
      {}, { locale: str(r, 36) }, { sdk: { name: 'n' } }, { sdk: null }, { os: 1 }, [], 'ctx', null,
    ]),
  consent: (r) =>
    pick(r, [
      { analytics: true, marketing: false, personalization: true },
      { personalization: false, analytics: false, marketing: true, extra: 1 },
      { analytics: 'yes', marketing: false, personalization: true }, { analytics: true }, null, [],
    ]),
  extra_unknown_key: (r) => pick(r, [1, 'x', { a: 1 }]),
};

/** A random event: every field present with some probability, in a random key order. */
function randomEvent(r: R, validBias: number): unknown {
  if (r() < 0.02) return pick(r, [null, 'event', 5, [], [{ event_type: 'page_view' }]]);
  const keys = Object.keys(FIELD_VALUES).sort(() => r() - 0.5);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (r() < 0.4) continue;
    // With validBias, mostly take the first (valid) choice so many events take the fast path.
    out[k] = r() < validBias ? FIELD_VALUES[k]!(() => 0) : FIELD_VALUES[k]!(r);
  }
  if (r() < validBias) {
    out.event_type ??= 'page_view';
    out.ts ??= '2026-11-20T10:00:00.000Z';
  }
  return out;
}

/** Equal values *and* equal key lists at every level (toEqual alone ignores order and undefined keys). */
function sameShape(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b) && JSON.stringify(keyTree(a)) === JSON.stringify(keyTree(b));
}
function keyTree(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v;
  if (Array.isArray(v)) return v.map(keyTree);
  return Object.keys(v).map((k) => [k, keyTree((v as Record<string, unknown>)[k])]);
}

describe('parseEventFast', () => {
  it('agrees with the zod reference on thousands of random valid and invalid events', () => {
    let fast = 0;
    let rejected = 0;
    for (let seed = 1; seed <= 6000; seed++) {
      const r = rng(seed);
      const raw = randomEvent(r, seed % 3 === 0 ? 0.9 : 0.3);
      const ref = parseEventWithSchema(raw);
      const got = parseEvent(raw);
      const f = parseEventFast(raw);
      if (f !== undefined) {
        fast++;
        if (!ref.ok || !sameShape(f, ref.event)) throw new Error(`seed ${seed}: fast path says valid, zod says ${JSON.stringify(ref)}`);
      }
      if (!ref.ok) rejected++;
      expect(got.ok, `seed ${seed}`).toBe(ref.ok);
      if (got.ok && ref.ok) expect(sameShape(got.event, ref.event), `seed ${seed}`).toBe(true);
      else expect(got, `seed ${seed}`).toEqual(ref);
    }
    // Both paths must really have been exercised for the comparison to mean anything.
    expect(fast).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(1000);
  });

  it('takes the fast path for what the SDK sends, dropping unknown keys like zod', () => {
    const raw = {
      extra: 1,
      ts: '2026-11-20T10:00:00.000Z',
      event_type: 'action',
      event_id: '9b2f3c1e-0000-4000-8000-000000000001',
      context: { os: 'iOS', app_version: '1', sdk: { version: '0.1.0', name: '@tally/browser' } },
      metadata: { b: 1, a: 2 },
    };
    const f = parseEventFast(raw);
    expect(f).toBeDefined();
    expect(JSON.stringify(f)).toBe(
      '{"event_id":"9b2f3c1e-0000-4000-8000-000000000001","event_type":"action","ts":"2026-11-20T10:00:00.000Z",' +
        '"metadata":{"b":1,"a":2},"context":{"app_version":"1","os":"iOS","sdk":{"name":"@tally/browser","version":"0.1.0"}}}',
    );
  });

  it('leaves anything doubtful to zod', () => {
    const base = { event_type: 'page_view', ts: '2026-11-20T10:00:00Z' };
    expect(parseEventFast({ ...base, feature: undefined })).toBeUndefined();
    expect(parseEventFast(Object.assign(Object.create(null) as object, base))).toBeUndefined();
    expect(parseEventFast({ ...base, metadata: JSON.parse('{"__proto__":1}') as unknown })).toBeUndefined();
    expect(parseEventFast({ ...base, ts: '2026-02-29T00:00:00Z' })).toBeUndefined();
  });
});
