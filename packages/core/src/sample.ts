/**
 * Whether an anonymous id falls inside the sampled share. FNV-1a keeps it deterministic: the same
 * visitor is always in or always out, so sampled data still has whole journeys.
 */
export const inSample = (id: string, rate: number): boolean => {
  if (rate >= 1) return true;
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 0x100000000 < rate;
};
