import type { Engine } from './engine.js';

/**
 * Dictionary values no day holds any more: after an erasure rebuilt the person's days, a url or
 * feature only their events carried (`/account/carol@example.com`) is still a row of `dict`, so
 * `tally.db` would still contain it. Every day lists its distinct values per dimension (persisted
 * with the day, kept live with the overlay), so finding the unused ones reads those small lists,
 * not the rows. Must run where no rebuild holds ids outside the engine (open.ts serialises it).
 */
export function unusedValues(engine: Engine): string[] {
  const used = new Set<number>();
  const note = (lists: Uint32Array[]) => {
    for (const l of lists) for (let i = 0; i < l.length; i++) used.add(l[i]!);
  };
  for (const day of engine.store.meta.keys()) note(engine.store.values(day)!);
  for (const l of engine.live.values()) note(l.values.lists());
  const out: string[] = [];
  for (const [value, id] of engine.dict.entries()) if (!used.has(id)) out.push(value);
  return out;
}
