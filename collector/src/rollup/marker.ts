/**
 * Distinct-count scratch space: a stamp per user id, so a union of many day sets is one pass with
 * no allocation (exact, no sketches).
 */
export interface Marker {
  /** Starts a new set. */
  reset(): void;
  /** Adds `u`; true when it was not in the set yet. */
  add(u: number): boolean;
  has(u: number): boolean;
}

export function createMarker(): Marker {
  let stamps = new Uint32Array(1 << 16);
  let gen = 1;
  return {
    reset() {
      if (++gen === 0xffffffff) {
        stamps.fill(0);
        gen = 1;
      }
    },
    add(u) {
      if (u >= stamps.length) {
        let cap = stamps.length;
        while (cap <= u) cap *= 2;
        const s = new Uint32Array(cap);
        s.set(stamps);
        stamps = s;
      }
      if (stamps[u] === gen) return false;
      stamps[u] = gen;
      return true;
    },
    has: (u) => u < stamps.length && stamps[u] === gen,
  };
}
