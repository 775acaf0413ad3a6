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
  /** Up to `max` pending entries, still pending (another connection writes them: then `persisted`). */
  pending(max: number): PendingEntries;
  /**
   * The first `n` pending entries were written by another connection; any of them forgotten
   * meanwhile (retention) is deleted again here.
   */
  persisted(n: number): void;
  /** Drops entries (erasure); returns the ids removed. */
  forget(values: string[]): number[];
  /** Every id in use, with its value. */
  entries(): IterableIterator<[string, number]>;
}

export interface PendingEntries {
  table: 'users' | 'dict';
  column: 'key' | 'value';
  ids: number[];
  values: string[];
}

export function createInterner(db: Db, table: 'users' | 'dict', column: 'key' | 'value', firstId: number): Interner {
  const ids = new Map<string, number>();
  const values: (string | undefined)[] = [];
  for (const row of db.prepare(`SELECT id, ${column} AS v FROM ${table}`).all() as { id: number; v: string }[]) {
    ids.set(row.v, row.id);
    values[row.id] = row.v;
  }
  let next = Math.max(firstId, values.length);
  // Ids not yet written: pending[done..]. A cursor, not slices: a busy day's hundreds of
  // thousands of new users go out in rounds (`pending(max)`), and re-slicing the rest each round
  // cost the event loop quadratic time.
  let pending: number[] = [];
  let done = 0;
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
      for (let i = done; i < pending.length; i++) {
        const v = values[pending[i]!];
        if (v !== undefined) insert.run(pending[i], v);
      }
      pending = [];
      done = 0;
    },
    pending(max) {
      const ids = pending.slice(done, done + max);
      return { table, column, ids, values: ids.map((id) => values[id] ?? '') };
    },
    persisted(n) {
      const end = Math.min(pending.length, done + n);
      for (let i = done; i < end; i++) if (values[pending[i]!] === undefined) remove.run(pending[i]);
      done = end;
      if (done === pending.length) {
        pending = [];
        done = 0;
      }
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
