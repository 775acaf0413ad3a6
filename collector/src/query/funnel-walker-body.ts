import { parentPort } from 'node:worker_threads';
import { createMergeScratch, EMPTY_VIEW, mergeViews, segmentOf, type StepView, userCounts, viewStep } from '../rollup/index.js';
import { type Allowed, grownCopy, lru, maxUserOf, newState, walkDay, type WalkState } from './funnel-walk.js';
import type { WalkReply, WalkRequest } from './funnel-walker.js';

type Lists = ({ blob: ArrayBuffer } | null)[];
type ReadReply = { i: number; out?: Lists; error?: string };

// Lists per (engine, day, version, key) as their bytes, one per part of the day: a repeated
// funnel with another window or range reads them not again. The parts are merged when walked, into
// arrays reused day after day. The largest lists (a day's every page view: ≈ 750 KB) are not kept:
// held, every list a first funnel reads is fresh memory, and on the bench's data that cost the
// reader's thread ≈ 200 ms of page faults of a broad 90-day funnel's ≈ 600 ms; released after
// their day's walk, their memory is reused for the next days'. (A broad 90-day set, ≈ 90 MB of
// page views alone, did not fit the 128 MB LRU anyway: read in order, it never hit.)
const CACHE_BYTES = 128 * 1024 * 1024;
const KEEP_AT_MOST = 512 * 1024;
const AHEAD = 4;
const lists = lru<Uint8Array[]>(CACHE_BYTES, (parts) => parts.reduce((a, b) => a + b.byteLength + 64, 0));

/**
 * Worker thread body (funnel-walker.ts): walks the settled days of a funnel over lists the step
 * reader's thread reads ahead, sent straight here on a port of their own. The
 * lists never enter the main thread's heap: there, ~180 MB of buffers a broad 90-day funnel moves
 * made V8 mark the collector's whole heap again and again (docs/benchmarks.md).
 */
async function walk(req: WalkRequest): Promise<WalkState> {
  const { port, file, keys, withinMs, others } = req;
  const at = (d: { day: string; v: number }, k: { type: number; feature: number }) => `${req.engine}|${d.day}@${d.v}|${k.type}:${k.feature}`;
  const waiting = new Map<number, (r: ReadReply) => void>();
  const early = new Map<number, ReadReply>();
  port.on('message', (r: ReadReply) => {
    const f = waiting.get(r.i);
    if (f === undefined) early.set(r.i, r);
    else {
      waiting.delete(r.i);
      f(r);
    }
  });
  // The reader's thread gone mid-walk: every answer still awaited is an error (the main thread walks in-process).
  let closed = false;
  port.on('close', () => {
    closed = true;
    for (const [i, f] of waiting) f({ i, error: 'the step reader went away' });
    waiting.clear();
  });
  const reply = (i: number) =>
    new Promise<ReadReply>((done) => {
      const r = early.get(i);
      if (r !== undefined) {
        early.delete(i);
        done(r);
      } else if (closed) done({ i, error: 'the step reader went away' });
      else waiting.set(i, done);
    });
  try {
    // What each day lacks, asked for all at once: the reader reads on while the days before are walked.
    // The cached lists are held from here (a list read for a later day may evict them meanwhile).
    const held = req.days.map(() => new Map<string, Uint8Array[]>());
    const missing = req.days.map((d, i) =>
      keys.flatMap((k) => {
        if (k === null) return [];
        const ck = at(d, k);
        const hit = lists.get(ck);
        if (hit === undefined) return [k];
        held[i]!.set(ck, hit);
        return [];
      }),
    );
    // Asked for AHEAD days in front of the walk, not all at once: the lists of the days walked are
    // released before the reader's next ones are made, so their memory is reused (fresh memory —
    // page faults — was a third of the reader's time when it ran the whole range ahead).
    let asked = 0;
    const askUpTo = (end: number) => {
      for (; asked < Math.min(end, req.days.length); asked++) {
        const d = req.days[asked]!;
        const want = missing[asked]!;
        if (want.length > 0) port.postMessage({ i: asked, file, reqs: want.flatMap((k) => d.parts.map((key) => ({ key, type: k.type, feature: k.feature }))) });
      }
    };
    askUpTo(AHEAD);
    const okCache: boolean[] = [];
    const ok = (sg: number) => {
      let r = okCache[sg];
      if (r === undefined) {
        const triple = segmentOf(sg);
        okCache[sg] = r = others.every(([slot, id]) => triple[slot] === id);
      }
      return r;
    };
    const allowedOf = (day: StepView[]): Allowed => (others.length === 0 ? day.map(() => undefined) : day.map((s) => Uint8Array.from(s.segs, (sg) => (ok(sg) ? 1 : 0))));
    const scratch = keys.map(() => [createMergeScratch(), createMergeScratch()]);
    const decoded = keys.map((): { buf: Uint32Array }[] => []);
    let st = newState(keys.length, req.size);
    for (let i = 0; i < req.days.length; i++) {
      const d = req.days[i]!;
      const got = held[i]!;
      const want = missing[i]!;
      askUpTo(i + AHEAD);
      if (want.length > 0) {
        const r = await reply(i);
        if (r.out === undefined) throw new Error(r.error ?? 'the step reader gave no answer');
        const parts = d.parts.length;
        want.forEach((k, w) => {
          // No row in any part: nobody did the step that day (a day rewritten since has another version: the main thread checks).
          const views = r.out!.slice(w * parts, (w + 1) * parts).flatMap((b) => (b === null ? [] : [new Uint8Array(b.blob)]));
          const ck = at(d, k);
          if (views.every((b) => b.byteLength <= KEEP_AT_MOST)) lists.set(ck, views);
          got.set(ck, views);
        });
      }
      const day = keys.map((k, x) => {
        if (k === null) return EMPTY_VIEW;
        const parts = got.get(at(d, k))!;
        // Users and counts are decoded into arrays of this step and part, reused day after day;
        // each step's merge writes into its own pair of scratches, in turn (a merge never reads what it writes).
        const view = (p: number) => {
          const ucs = (decoded[x]![p] ??= { buf: new Uint32Array(0) });
          return viewStep(parts[p]!, userCounts(parts[p]!, ucs));
        };
        let s = parts.length === 0 ? EMPTY_VIEW : view(0);
        for (let p = 1; p < parts.length; p++) s = mergeViews(s, view(p), scratch[x]![p % 2]);
        return s;
      });
      const max = maxUserOf([day]);
      if (max >= st.level.length) st = grownCopy(st, Math.max(max + 1, Math.ceil(st.level.length * 1.5)));
      walkDay(st, day, withinMs, allowedOf(day));
      got.clear();
    }
    return st;
  } finally {
    port.close();
  }
}

parentPort!.on('message', (req: WalkRequest) => {
  walk(req).then(
    (st) => {
      const r: WalkReply = { id: req.id, state: st };
      parentPort!.postMessage(r, [st.level.buffer as ArrayBuffer, st.start.buffer as ArrayBuffer]);
    },
    (err: unknown) => {
      const r: WalkReply = { id: req.id, error: err instanceof Error ? err.message : String(err) };
      parentPort!.postMessage(r);
    },
  );
});

parentPort!.postMessage({ ready: true });
