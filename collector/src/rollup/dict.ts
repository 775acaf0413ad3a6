import type { Db } from './db.js';

/**
 * Interns strings as dense integers, mirrored in a SQLite table. New entries are written lazily
 * (`persist()`, in the rollup's transaction): rows only ever reference ids persisted with them, and
 * ids handed out but never persisted are simply handed out again after a restart.
 */
export interface Interner {
  /** The id of `value`, assigning the next free one if new. */
  id(value: string): number;
  /** The id of `value` if known. */
  find(value: string): number | undefined;
  value(id: number): string | undefined;
  persist(): void;
  /** Persists up to `max` pending entries in their own transaction; true while more are pending. */
  persistSome(max: number): boolean;
  /** Drops entries (erasure); returns the ids removed. */
  forget(values: string[]): number[];
  /** Every id in use, with its value. */
  entries(): IterableIterator<[string, number]>;
}

export function createInterner(db: Db, table: 'users' | 'dict', column: 'key' | 'value', firstId: number): Interner {
  const ids = new Map<string, number>();
  const values: (string | undefined)[] = [];
  for (const row of db.prepare(`SELECT id, ${column} AS v FROM ${table}`).all() as { id: number; v: string }[]) {
    ids.set(row.v, row.id);
    values[row.id] = row.v;
  }
  let next = Math.max(firstId, values.length);
  let pending: number[] = [];
  const insert = db.prepare(`INSERT OR REPLACE INTO ${table} (id, ${column}) VALUES (?, ?)`);
  const remove = db.prepare(`DELETE FROM ${table} WHERE id = ?`);
  return {
    id(value) {
      let id = ids.get(value);
      if (id === undefined) {
        id = next++;
        ids.set(value, id);
        values[id] = value;
        pending.push(id);
      }
      return id;
    },
    find: (value) => ids.get(value),
    entries: () => ids.entries(),
    value: (id) => values[id],
    persist() {
      for (const id of pending) {
        const v = values[id];
        if (v !== undefined) insert.run(id, v);
      }
      pending = [];
    },
    persistSome(max) {
      const some = pending.slice(0, max);
      db.transaction(() => {
        for (const id of some) {
          const v = values[id];
          if (v !== undefined) insert.run(id, v);
        }
      })();
      pending = pending.slice(some.length);
      return pending.length > 0;
    },
    forget(list) {
      const out: number[] = [];
      for (const v of list) {
        const id = ids.get(v);
        if (id === undefined) continue;
        ids.delete(v);
        values[id] = undefined;
        remove.run(id);
        out.push(id);
      }
      return out;
    },
  };
}
