/**
 * Deterministic randomness for the synthetic log. Everything derives from the seed through integer
 * hashing, so a given (seed, day, slot) always yields the same event regardless of what was
 * generated before — that is what makes `--seed` reproducible even across different `--days`.
 */

/** splitmix32-style finalizer: a cheap, well-mixed 32-bit hash. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hash of up to three integers, as a float in [0, 1). */
export function hashUnit(a: number, b: number, c = 0): number {
  return mix32(mix32(mix32(a) ^ b) + c) / 4294967296;
}

/** A seeded stream of floats in [0, 1) (mulberry32: fast, good enough for synthetic data). */
export function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Turns a user-supplied seed (any string) into a 32-bit integer. */
export function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return mix32(h >>> 0);
}
