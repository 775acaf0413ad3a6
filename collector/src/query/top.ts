/**
 * Top-N of a value-keyed list. Every list whose length follows the data (feature names, dimension
 * values) is cut to `limit` entries, largest first; what was cut is summed, so a client still
 * sees how much it did not get. Lists whose length follows a parameter (days, periods, steps) are
 * bounded by that parameter instead.
 */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface Omitted {
  /** Values not listed. */
  values: number;
  /** Their events. */
  events: number;
}

/** Orders names by code units (the same order in every locale), missing (null) last. */
export function compareNames(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Sorts `items` largest `events` first (ties by name), keeps `limit` of them and sums the rest. */
export function topN<T extends { events: number }>(items: T[], name: (x: T) => string | null, limit: number): { top: T[]; omitted: Omitted } {
  const sorted = items.sort((x, y) => y.events - x.events || compareNames(name(x), name(y)));
  const omitted: Omitted = { values: 0, events: 0 };
  for (let i = limit; i < sorted.length; i++) {
    omitted.values++;
    omitted.events += sorted[i]!.events;
  }
  return { top: sorted.slice(0, limit), omitted };
}
