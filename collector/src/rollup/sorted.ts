/** Helpers over ascending Uint32Arrays (a day's persisted user ids). */

export function sortedHas(a: Uint32Array, x: number): boolean {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Sorted union of sorted `a` and unsorted `b`; linear in `a`, n log n in what `b` adds. */
export function sortedUnion(a: Uint32Array, b: Uint32Array): Uint32Array {
  const extra = Uint32Array.from(b.filter((u) => !sortedHas(a, u))).sort();
  const out = new Uint32Array(a.length + extra.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < extra.length) out[o++] = a[i]! < extra[j]! ? a[i++]! : extra[j++]!;
  while (i < a.length) out[o++] = a[i++]!;
  while (j < extra.length) out[o++] = extra[j++]!;
  return out;
}
