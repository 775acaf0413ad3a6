/**
 * A benchmark knob: the whole number in environment variable `name`, else `fallback` (unset, not
 * digits, or under `min`). Every section reads its BENCH_* settings through this.
 */
export const num = (name: string, fallback: number, min = 0): number => {
  const v = process.env[name];
  return v !== undefined && /^\d+$/.test(v) && Number(v) >= min ? Number(v) : fallback;
};
