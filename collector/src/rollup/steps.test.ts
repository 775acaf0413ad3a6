import { describe, expect, it } from 'vitest';
import { NO_USER } from './cube.js';
import { createStepLog, mergeTimes, segmentId, segmentOf, type StepTimes } from './steps.js';
import { decodeStep, encodeStep } from './step-view.js';
import { encodeLayout1 } from '../testing/step-layout1.js';

const plain = (s: StepTimes) => ({
  users: [...s.users],
  times: [...s.users].map((_, i) => [...s.times.subarray(s.at[i], s.at[i + 1])]),
  segs: [...s.users].map((_, i) => [...s.segs.subarray(s.at[i], s.at[i + 1])].map(segmentOf)),
});

describe('funnel index (every occurrence time per user and step)', () => {
  const web = segmentId(1, 2, 3);
  const ios = segmentId(1, 4, 5);

  it('lists per (type, feature) and per type the users, ascending, with all their distinct times', () => {
    const log = createStepLog(2);
    const T0 = Date.UTC(2026, 10, 20);
    log.add(7, 10, 20, T0 + 500, web);
    log.add(7, 10, 20, T0 + 300, ios); // out of order: sorted on build
    log.add(7, 10, 20, T0 + 500, web); // the same instant and segment again: kept once
    log.add(7, 10, 21, T0 + 100, web);
    log.add(3, 10, 0, T0 + 900, web); // no feature: only in the any-feature list
    log.add(5, 11, 20, T0 + 50, web);
    log.add(NO_USER, 10, 20, T0 + 1, web); // userless events never enter a funnel
    const out = log.build();
    const get = (t: number, f: number) => plain(out.find((s) => s.type === t && s.feature === f)!);
    expect(get(10, 0)).toEqual({ users: [3, 7], times: [[T0 + 900], [T0 + 100, T0 + 300, T0 + 500]], segs: [[[1, 2, 3]], [[1, 2, 3], [1, 4, 5], [1, 2, 3]]] });
    expect(get(10, 20)).toEqual({ users: [7], times: [[T0 + 300, T0 + 500]], segs: [[[1, 4, 5], [1, 2, 3]]] });
    expect(get(10, 21).times).toEqual([[T0 + 100]]);
    expect(get(11, 0).users).toEqual([5]);
    expect(get(11, 20).users).toEqual([5]);
    expect(out).toHaveLength(5);
    // One list on demand (a live day) equals the built one.
    expect(plain(log.entry(10, 0))).toEqual(get(10, 0));
    expect(plain(log.entry(10, 20))).toEqual(get(10, 20));
    expect(log.entry(12, 0).users).toHaveLength(0);
    // The BLOB round trip keeps times to the millisecond and segments.
    for (const s of out) expect(plain(decodeStep(encodeStep(s)))).toEqual(plain(s));
  });

  it('persisted lists re-enter a log for exactly their own key, and merge with live times', () => {
    const T0 = Date.UTC(2026, 10, 20);
    const first = createStepLog();
    first.add(1, 10, 20, T0 + 10, web);
    first.add(2, 10, 20, T0 + 20, web);
    const stored = first.build().map((e) => ({ ...e, ...decodeStep(encodeStep(e)) }));
    const late = createStepLog();
    late.add(1, 10, 0, T0 + 5, ios); // no feature: must not enter (10, 20)
    late.add(1, 10, 20, T0 + 10, web); // same as stored: counted once
    late.add(3, 10, 20, T0 + 30, web);
    for (const e of stored) late.addEntry(e);
    const out = late.build();
    const get = (t: number, f: number) => plain(out.find((s) => s.type === t && s.feature === f)!);
    expect(get(10, 20)).toEqual({ users: [1, 2, 3], times: [[T0 + 10], [T0 + 20], [T0 + 30]], segs: [[[1, 2, 3]], [[1, 2, 3]], [[1, 2, 3]]] });
    expect(get(10, 0).times).toEqual([[T0 + 5, T0 + 10], [T0 + 20], [T0 + 30]]);
    const persisted = stored.find((e) => e.feature === 20)!;
    const liveOnly = createStepLog();
    liveOnly.add(1, 10, 20, T0 + 1, web);
    liveOnly.add(1, 10, 20, T0 + 10, web);
    liveOnly.add(0, 10, 20, T0 + 1, web);
    expect(plain(mergeTimes(persisted, liveOnly.entry(10, 20)))).toEqual({
      users: [0, 1, 2],
      times: [[T0 + 1], [T0 + 1, T0 + 10], [T0 + 20]],
      segs: [[[1, 2, 3]], [[1, 2, 3], [1, 2, 3]], [[1, 2, 3]]],
    });
  });

  it('encodes segment indexes in 1, 2 or 4 bytes as the list needs', { timeout: 60_000 }, () => {
    const T0 = Date.UTC(2026, 10, 20);
    for (const segments of [3, 300, 70_000]) {
      const log = createStepLog();
      for (let i = 0; i < segments; i++) log.add(i % 50, 10, 0, T0 + i, segmentId(9, 9, 1000 + i));
      const [e] = log.build();
      const blob = encodeStep(e!);
      // Times (u32), triples (3 × u32), indexes (w bytes), and per user (ids 0..49) one byte of id
      // gap and a varint of its number of times (1,400 each for 70,000: two bytes).
      const w = segments <= 256 ? 1 : segments <= 65536 ? 2 : 4;
      const users = Math.min(50, segments);
      expect(blob.byteLength).toBe(24 + 4 * (segments + 3 * segments) + w * segments + users * (segments / users >= 128 ? 3 : 2));
      expect(plain(decodeStep(blob))).toEqual(plain(e!));
    }
  });

  it('reads lists written in layout 1 (days rolled up before layout 2) as they are', () => {
    const T0 = Date.UTC(2026, 10, 20);
    const log = createStepLog();
    log.add(3, 10, 0, T0 + 5, web);
    log.add(3, 10, 0, T0 + 9, ios);
    log.add(400_000, 10, 0, T0 + 86_400_000, web);
    const [e] = log.build();
    expect(plain(decodeStep(encodeLayout1(e!)))).toEqual(plain(e!));
    // A list whose sections do not add up is refused, not misread.
    const cut = encodeStep(e!).subarray(0, -1);
    expect(() => decodeStep(Buffer.from(cut))).toThrow(/does not match its header/);
  });

  it('keeps large user-id gaps and many times per user exact (multi-byte varints)', () => {
    const T0 = Date.UTC(2026, 10, 20);
    // Built by hand: a step log's counting sort would need an array as long as the largest id.
    const users = [0, 1, 200, 70_000, 3_000_000, 4_000_000_000];
    const counts = [1, 2, 300, 1, 20_000, 1];
    const at = [0];
    for (const c of counts) at.push(at.at(-1)! + c);
    const times = Float64Array.from({ length: at.at(-1)! }, (_, i) => T0 + i * 3);
    const s: StepTimes = { users: Uint32Array.from(users), at: Uint32Array.from(at), times, segs: Uint32Array.from(times, (_, i) => (i % 3 === 0 ? ios : web)) };
    expect(plain(decodeStep(encodeStep(s)))).toEqual(plain(s));
  });
});
