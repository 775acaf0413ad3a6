import type { QueueCounters, Recount, Storage } from '../types.js';
import type { WireEvent } from '../wire.js';

/** Opens the storage called `name`; opening the same name again is a reload or another tab. */
export type OpenStorage = (name: string) => Storage | Promise<Storage>;

/** A named check: resolves when the adapter honours that part of the contract, rejects with why not. */
export type ContractChecks = Record<string, () => Promise<void>>;

const canon = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x == 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).filter(([, y]) => y !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  ) ?? 'undefined';

function eq(actual: unknown, expected: unknown, what: string): void {
  // null and undefined both mean "none" in the contract.
  const a = canon(actual ?? undefined);
  const e = canon(expected ?? undefined);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

async function rejects(p: Promise<unknown>, what: string): Promise<void> {
  let ok = false;
  await p.then(() => (ok = true), () => {});
  if (ok) throw new Error(`${what}: expected a rejection`);
}

const ev = (i: number | string): WireEvent =>
  ({ event_id: `e${i}`, event_type: 'action', ts: '2026-01-01T00:00:00.000Z', anonymous_id: 'a', session_id: 's', metadata: { i } }) as WireEvent;
const evs = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ev(from + i));

/** A recount that adds what the step reports (as core's overflow and refusal counting does) and records each call. */
const adder = (calls: number[] = []): Recount & { calls: number[] } =>
  Object.assign(
    (c: QueueCounters, n: number): QueueCounters => {
      calls.push(n);
      const dropped = c.dropped + n;
      return { dropped, reportId: dropped ? c.reportId || 'r' + dropped : undefined };
    },
    { calls },
  );
const keep: Recount = (c) => c;

const ids = async (s: Storage, n = 1e6) => (await s.head(n)).entries.map((x) => x.event.event_id!);

/**
 * The Storage contract as framework-free checks, to run against any adapter from vitest, Jest or a
 * plain script: `for (const [name, check] of Object.entries(storageContract(open))) it(name, check)`.
 * Every check opens storages under fresh names (`prefix` + a counter).
 */
export function storageContract(open: OpenStorage, prefix = 'contract-'): ContractChecks {
  let n = 0;
  const fresh = () => prefix + ++n + '-' + Math.random().toString(36).slice(2, 8);
  const make = async () => open(fresh());
  return {
    'small records: set, get, replace, delete, kept apart': async () => {
      const s = await make();
      eq(await s.get('tally.id'), undefined, 'missing record');
      await s.set('tally.id', { a: 'x', t: 1 });
      await s.set('tally.optout', 1);
      eq(await s.get('tally.id'), { a: 'x', t: 1 }, 'object record');
      eq(await s.get('tally.optout'), 1, 'number record');
      await s.set('tally.id', 'text');
      eq(await s.get('tally.id'), 'text', 'replaced');
      await s.set('tally.id', undefined);
      eq(await s.get('tally.id'), undefined, 'deleted');
      eq(await s.get('tally.optout'), 1, 'other record untouched');
    },
    'an empty queue: no entries, zero counters, size 0': async () => {
      const s = await make();
      const h = await s.head(10);
      eq(h.entries, [], 'entries');
      eq(h.counters.dropped, 0, 'dropped');
      eq(h.counters.reportId, undefined, 'reportId');
      eq(h.size, 0, 'size');
    },
    'append keeps order, head(n) reads the oldest n with increasing keys': async () => {
      const s = await make();
      eq(await s.append(evs(0, 3), 100, keep), 3, 'size after first append');
      eq(await s.append(evs(3, 5), 100, keep), 5, 'size after second append');
      const h = await s.head(4);
      eq(h.entries.map((x) => x.event.event_id), ['e0', 'e1', 'e2', 'e3'], 'oldest four');
      eq(h.entries[0]!.event, ev(0), 'the whole event');
      eq(h.size, 5, 'size');
      const keys = h.entries.map((x) => x.key);
      if (keys.some((k, i) => typeof k != 'number' || (i > 0 && k <= keys[i - 1]!))) throw new Error(`keys not increasing: ${keys}`);
      eq((await s.head(0)).entries, [], 'head(0)');
      eq(await ids(s), ['e0', 'e1', 'e2', 'e3', 'e4'], 'head larger than the queue');
    },
    'append past the bound drops the oldest and counts them in one step': async () => {
      const s = await make();
      const r = adder();
      await s.append(evs(0, 3), 5, r);
      eq(await s.append(evs(3, 7), 5, r), 5, 'size is the bound');
      eq(r.calls, [0, 2], 'recount told what each append dropped');
      eq(await ids(s), ['e2', 'e3', 'e4', 'e5', 'e6'], 'newest kept');
      const h = await s.head(1);
      eq(h.counters, { dropped: 2, reportId: 'r2' }, 'counters stored');
      // More new events than the bound: the oldest of them go too.
      await s.append(evs(7, 14), 5, r);
      eq(r.calls, [0, 2, 7], 'dropped five old and two new');
      eq(await ids(s), ['e9', 'e10', 'e11', 'e12', 'e13'], 'the last five');
      eq((await s.head(0)).counters, { dropped: 9, reportId: 'r2' }, 'counters add up');
    },
    'remove deletes the entries still there, tells recount how many, and skips stale ones': async () => {
      const s = await make();
      await s.append(evs(0, 6), 100, keep);
      const h = await s.head(6);
      const r = adder();
      const stale = { key: h.entries[1]!.key, event: ev('other') };
      const missing = { key: 1e9, event: ev('x') };
      eq(await s.remove([h.entries[0]!, h.entries[3]!, stale, missing], r), 4, 'size after');
      eq(r.calls, [2], 'two removed');
      eq(await ids(s), ['e1', 'e2', 'e4', 'e5'], 'the rest, in order, across the hole');
      eq((await s.remove([h.entries[0]!], r)), 4, 'removing again changes nothing');
      eq(r.calls, [2, 0], 'nothing removed the second time');
      eq((await s.head(0)).counters.dropped, 2, 'counters set by recount');
    },
    'remove([]) changes only the counters': async () => {
      const s = await make();
      await s.append(evs(0, 2), 100, keep);
      await s.remove([], (c) => ({ dropped: c.dropped + 5, reportId: 'rep' }));
      eq((await s.head(0)).counters, { dropped: 5, reportId: 'rep' }, 'counters');
      eq(await ids(s), ['e0', 'e1'], 'events untouched');
      await s.remove([], () => ({ dropped: 0 }));
      eq((await s.head(0)).counters, { dropped: 0 }, 'counters back to zero');
    },
    'a step whose recount throws rejects and changes nothing': async () => {
      const s = await make();
      await s.append(evs(0, 3), 3, keep);
      const boom: Recount = () => {
        throw new Error('boom');
      };
      await rejects(s.append(evs(3, 5), 3, boom), 'append');
      await rejects(s.remove((await s.head(2)).entries, boom), 'remove');
      eq(await ids(s), ['e0', 'e1', 'e2'], 'queue unchanged');
      eq((await s.head(0)).size, 3, 'size unchanged');
    },
    'acknowledging from the head then appending keeps queue order': async () => {
      const s = await make();
      await s.append(evs(0, 4), 100, keep);
      await s.remove((await s.head(2)).entries, keep);
      await s.append(evs(4, 6), 100, keep);
      eq(await ids(s), ['e2', 'e3', 'e4', 'e5'], 'order');
      await s.remove((await s.head(10)).entries, keep);
      eq((await s.head(10)).size, 0, 'empty');
      await s.append(evs(6, 7), 100, keep);
      eq(await ids(s), ['e6'], 'usable after emptying');
    },
    'wipe deletes events and counters, not small records': async () => {
      const s = await make();
      await s.set('tally.optout', 1);
      await s.append(evs(0, 4), 2, adder());
      await s.wipe();
      eq(await s.head(10), { entries: [], counters: { dropped: 0 }, size: 0 }, 'after wipe');
      eq(await s.get('tally.optout'), 1, 'small record kept');
      await s.append(evs(4, 5), 2, keep);
      eq(await ids(s), ['e4'], 'usable after wipe');
    },
    'a second handle on the same name (reload, another tab) sees the same queue and counters': async () => {
      const name = fresh();
      const a = await open(name);
      await a.append(evs(0, 3), 100, adder());
      await a.remove([], () => ({ dropped: 4, reportId: 'rep' }));
      await a.set('tally.id', { a: 'anon' });
      const b = await open(name);
      eq(await ids(b), ['e0', 'e1', 'e2'], 'events');
      eq((await b.head(0)).counters, { dropped: 4, reportId: 'rep' }, 'counters');
      eq(await b.get('tally.id'), { a: 'anon' }, 'small record');
      await b.remove((await b.head(1)).entries, keep);
      eq(await ids(a), ['e1', 'e2'], 'a removal through one handle is seen by the other');
    },
    'concurrent appends through two handles all survive, each in its own order, counted exactly': async () => {
      const name = fresh();
      const a = await open(name);
      const b = await open(name);
      const r = adder();
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).append([ev(`${i}a`), ev(`${i}b`)], 15, r)),
      );
      const got = await ids(a);
      eq(got.length, 15, 'bounded');
      eq(r.calls.reduce((x, y) => x + y, 0), 5, 'five dropped in all');
      eq((await a.head(0)).counters.dropped, 5, 'stored count');
      for (const x of got.filter((id) => id.endsWith('a'))) {
        if (got.indexOf(x.slice(0, -1) + 'b') != got.indexOf(x) + 1) throw new Error(`append not kept together: ${got}`);
      }
    },
  };
}
