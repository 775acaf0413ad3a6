import { describe, expect, it } from 'vitest';
import { createMergeScratch, mergeViews } from './step-merge.js';
import { decodeStep, encodeStep, EMPTY_VIEW, userCounts, viewStep, type StepView } from './step-view.js';
import { mergeTimes, segmentId, type StepTimes } from './steps.js';

/** A view as plain per-user lists of [absolute time, global segment]. */
const plain = (v: StepView) => {
  let p = 0;
  return [...v.users].map((u, i) => {
    const times: [number, number][] = [];
    for (let j = 0; j < v.counts[i]!; j++, p++) times.push([v.base + v.t[p]!, v.segs[v.local[p]!]!]);
    return [u, times] as const;
  });
};
const plainTimes = (s: StepTimes) => [...s.users].map((u, i) => [u, [...s.times.subarray(s.at[i], s.at[i + 1])].map((t, k) => [t, s.segs[s.at[i]! + k]!])] as const);

/** A list the way a rollup writes it: per user ascending by (time, segment), no pair twice. */
function randomList(rand: () => number, users: number, density: number, base: number, segs: number[]): StepTimes {
  const us: number[] = [];
  const at: number[] = [0];
  const times: number[] = [];
  const sg: number[] = [];
  for (let u = 0; u < users; u++) {
    if (rand() > density) continue;
    const pairs = new Map<string, [number, number]>();
    const k = 1 + Math.floor(rand() * 4);
    // Few distinct instants, so equal times (and equal pairs across lists) are common.
    for (let j = 0; j < k; j++) {
      const p: [number, number] = [base + Math.floor(rand() * 6) * 1000, segs[Math.floor(rand() * segs.length)]!];
      pairs.set(p.join(), p);
    }
    const sorted = [...pairs.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    us.push(u);
    for (const [t, s] of sorted) {
      times.push(t);
      sg.push(s);
    }
    at.push(times.length);
  }
  return { users: Uint32Array.from(us), at: Uint32Array.from(at), times: Float64Array.from(times), segs: Uint32Array.from(sg) };
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32);
}

describe('mergeViews (the parts of a day, and live events, merged without decoding)', () => {
  const segs = [segmentId(1, 2, 3), segmentId(1, 4, 5), segmentId(2, 2, 3), segmentId(7, 8, 9)];
  const T0 = Date.UTC(2026, 10, 20);

  it('gives exactly what mergeTimes gives: large and small lists, shared users, ties, other bases and segments', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = lcg(seed);
      // A day's list and a late part: different densities, bases either way round, segment sets that differ.
      const a = randomList(rand, 400, 0.6, T0 + (seed % 3) * 1000, segs.slice(0, 2 + (seed % 3)));
      const b = randomList(rand, 400, seed % 2 === 0 ? 0.05 : 0.7, T0 + (seed % 4) * 700, segs.slice(seed % 2));
      const expected = plainTimes(mergeTimes(a, b));
      const merged = mergeViews(viewStep(encodeStep(a)), viewStep(encodeStep(b)));
      expect(plain(merged)).toEqual(expected);
      // And the result is a list like any other: it encodes and decodes to the same.
      expect(plainTimes(decodeStep(encodeStep(plainToTimes(merged))))).toEqual(expected);
    }
  });

  it('into reused arrays (the walker): the same lists, merge after merge, and the same users and counts', () => {
    const scratch = createMergeScratch();
    const uc = { buf: new Uint32Array(0) };
    for (let seed = 50; seed < 60; seed++) {
      const rand = lcg(seed);
      // Sizes up and down, so the scratch both grows and is reused with leftovers beyond the list.
      const a = randomList(rand, seed % 2 === 0 ? 600 : 80, 0.6, T0, segs);
      const b = randomList(rand, 300, 0.2, T0 + 500, segs.slice(1));
      const ea = encodeStep(a);
      expect(userCounts(ea, uc)).toEqual(userCounts(ea));
      const merged = mergeViews(viewStep(ea, userCounts(ea, uc)), viewStep(encodeStep(b)), scratch);
      expect(plain(merged)).toEqual(plainTimes(mergeTimes(a, b)));
    }
  });

  it('an empty side gives the other as it is; more than 256 segments widen the local indexes', () => {
    const rand = lcg(7);
    const a = viewStep(encodeStep(randomList(rand, 50, 0.5, T0, segs)));
    expect(mergeViews(a, EMPTY_VIEW)).toBe(a);
    expect(mergeViews(EMPTY_VIEW, a)).toBe(a);
    const many = Array.from({ length: 300 }, (_, i) => segmentId(100 + i, 1, 1));
    const x = randomList(rand, 300, 0.5, T0, many.slice(0, 200));
    const y = randomList(rand, 300, 0.5, T0, many.slice(150));
    const merged = mergeViews(viewStep(encodeStep(x)), viewStep(encodeStep(y)));
    expect(merged.local).toBeInstanceOf(Uint16Array);
    expect(plain(merged)).toEqual(plainTimes(mergeTimes(x, y)));
  });
});

function plainToTimes(v: StepView): StepTimes {
  const at = new Uint32Array(v.users.length + 1);
  for (let i = 0; i < v.users.length; i++) at[i + 1] = at[i]! + v.counts[i]!;
  return { users: v.users, at, times: Float64Array.from(v.t, (t) => v.base + t), segs: Uint32Array.from(v.local, (l) => v.segs[l]!) };
}
