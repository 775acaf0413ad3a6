import { describe, expect, it } from 'vitest';
import { buildIndex, listOf, mergeIndex, orUsers, parseIndex, splitIndex } from './breakdown-index.js';
import { DIMS, NO_USER, type RowSet } from './cube.js';

// A small deterministic generator (no Math.random: a failure must replay).
function rng(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}

/** Rows with users drawn from `ids` (some rows userless), values 0..4 per dimension. */
function rowsOf(seed: number, n: number, ids: number[]): RowSet {
  const r = rng(seed);
  const user = Uint32Array.from({ length: n }, () => (r(6) === 0 ? NO_USER : ids[r(ids.length)]!));
  return {
    n,
    user,
    dims: DIMS.map(() => Uint32Array.from({ length: n }, () => r(5))),
    count: Uint32Array.from({ length: n }, () => 1 + r(3)),
    first: new Float64Array(n),
  };
}

/** The index computed the plain way: per dimension and value, events and the set of users. */
function naive(sets: RowSet[]) {
  const m = new Map<string, { events: number; users: Set<number> }>();
  for (const rows of sets) {
    for (let d = 0; d < DIMS.length; d++) {
      for (let i = 0; i < rows.n; i++) {
        const k = `${d}:${rows.dims[d]![i]}`;
        let x = m.get(k);
        if (x === undefined) m.set(k, (x = { events: 0, users: new Set() }));
        x.events += rows.count[i]!;
        if (rows.user[i] !== NO_USER) x.users.add(rows.user[i]!);
      }
    }
  }
  return Object.fromEntries([...m].sort().map(([k, x]) => [k, { events: x.events, users: [...x.users].sort((a, b) => a - b) }]));
}

function read(blob: Uint8Array) {
  const ix = parseIndex(blob);
  return Object.fromEntries(ix.entries.map((e) => [`${e.dim}:${e.value}`, { events: e.events, users: [...listOf(ix, e)] }]).sort());
}

// Ids from 0 up to the largest a user id can be (NO_USER − 1), so gaps take 1 to 5 bytes.
const IDS = [0, 1, 2, 127, 128, 129, 16_383, 16_384, 1_000_000, 2 ** 28, 2 ** 31 + 5, NO_USER - 1];

describe('breakdown index', () => {
  it('holds the events and the distinct users of every value of every dimension, userless rows as events only', () => {
    const sets = [rowsOf(1, 400, IDS), rowsOf(2, 50, IDS)];
    const blob = buildIndex(sets);
    expect(read(blob)).toEqual(naive(sets));
    // Counts in the directory agree with the lists.
    const ix = parseIndex(blob);
    for (const e of ix.entries) expect(e.users).toBe(listOf(ix, e).length);
  });

  it('merging the index of an appended part equals indexing the whole day', () => {
    const a = rowsOf(3, 300, IDS.slice(0, 8));
    const b = rowsOf(4, 120, IDS.slice(4));
    const merge = (x: RowSet, y: RowSet) => mergeIndex(parseIndex(buildIndex([x])), parseIndex(buildIndex([y])));
    expect(read(merge(a, b))).toEqual(naive([a, b]));
    // Values only one side has, and an empty day.
    const empty = rowsOf(5, 0, IDS);
    expect(read(merge(empty, a))).toEqual(naive([a]));
    // Stored apart (the directory in one column, the lists in another), read the same.
    const { directory, lists } = splitIndex(merge(a, b));
    const ix = parseIndex(directory, (d) => lists[d]!);
    expect(Object.fromEntries(ix.entries.map((e) => [`${e.dim}:${e.value}`, { events: e.events, users: [...listOf(ix, e)] }]).sort())).toEqual(naive([a, b]));
    expect(read(buildIndex([empty]))).toEqual({});
  });

  it('sets exactly the users of a value in a bitset, growing it for ids past its end', () => {
    // (Small ids: a bitset is as long as the largest id.)
    const rows = rowsOf(6, 500, IDS.filter((u) => u < 2 ** 21));
    const ix = parseIndex(buildIndex([rows]));
    for (const e of ix.entries) {
      const bits = orUsers(ix, e, new Uint32Array(4));
      const got: number[] = [];
      bits.forEach((w, i) => {
        for (let k = 0; k < 32; k++) if ((w >>> k) & 1) got.push(i * 32 + k);
      });
      expect(got).toEqual([...listOf(ix, e)]);
    }
  });

  it('reads a BLOB at any byte offset (SQLite hands out unaligned buffers) and refuses an unknown format', () => {
    const blob = buildIndex([rowsOf(7, 100, IDS)]);
    const shifted = new Uint8Array(blob.length + 3);
    shifted.set(blob, 3);
    expect(read(shifted.subarray(3))).toEqual(read(blob));
    expect(() => parseIndex(new Uint8Array(8))).toThrow(/unknown format/);
  });
});
