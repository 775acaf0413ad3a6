/**
 * First and last active day of every user, plus a histogram of last-seen days. With it, the
 * distinct users of any window that ends today (the `mau` of `usage`) is a sum over at most a few
 * hundred histogram buckets instead of a union of every day's user set.
 */
export interface Seen {
  add(user: number, dayNum: number): void;
  first(user: number): number;
  /** The first-seen day numbers indexed by user id (−1 = never); valid until the next `add`. */
  firstDays(): Int32Array;
  last(user: number): number;
  /** Users whose last active day is on or after `dayNum`. */
  activeSince(dayNum: number): number;
  /** Users never seen (ids of forgotten or purged people). */
  isUnseen(user: number): boolean;
  readonly size: number;
  reset(): void;
}

const NONE = -1;

export function createSeen(): Seen {
  let first = new Int32Array(1024).fill(NONE);
  let last = new Int32Array(1024).fill(NONE);
  const hist = new Map<number, number>();

  function ensure(u: number): void {
    if (u < first.length) return;
    let cap = first.length;
    while (cap <= u) cap *= 2;
    const f = new Int32Array(cap).fill(NONE);
    f.set(first);
    first = f;
    const l = new Int32Array(cap).fill(NONE);
    l.set(last);
    last = l;
  }

  return {
    add(u, d) {
      ensure(u);
      const f = first[u]!;
      if (f === NONE || d < f) first[u] = d;
      const l = last[u]!;
      if (l === NONE || d > l) {
        if (l !== NONE) hist.set(l, hist.get(l)! - 1);
        hist.set(d, (hist.get(d) ?? 0) + 1);
        last[u] = d;
      }
    },
    first: (u) => (u < first.length ? first[u]! : NONE),
    firstDays: () => first,
    last: (u) => (u < last.length ? last[u]! : NONE),
    activeSince(d) {
      let n = 0;
      for (const [day, c] of hist) if (day >= d) n += c;
      return n;
    },
    isUnseen: (u) => u >= last.length || last[u] === NONE,
    get size() {
      return first.length;
    },
    reset() {
      first.fill(NONE);
      last.fill(NONE);
      hist.clear();
    },
  };
}
