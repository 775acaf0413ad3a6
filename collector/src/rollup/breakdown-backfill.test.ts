import { afterEach, describe, expect, it } from 'vitest';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { createRecordingLogger } from '../testing/index.js';
import { createSerial } from '../shared/serial.js';
import { backfillIndexes, indexDay } from './breakdown-backfill.js';
import { openDb, type Db } from './db.js';
import { sharedRollupWorker } from './worker.js';

let h: Harness;
let db: Db | undefined;
afterEach(async () => {
  db?.close();
  db = undefined;
  await h?.close();
});

function indexes(d: Db): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of d.prepare('SELECT day, dim, data FROM day_breakdowns ORDER BY day, dim').all() as { day: string; dim: number; data: Buffer }[]) {
    out.set(r.day, `${out.get(r.day) ?? ''}${r.dim}:${r.data.toString('hex')}|`);
  }
  return out;
}

describe('breakdown index backfill (days rolled up before indexes existed)', { timeout: 60_000 }, () => {
  it('indexes every day without one, in the worker, to what a rollup writes, and moves their versions', async () => {
    h = await harness();
    const days = ['2026-11-17', '2026-11-18', '2026-11-19'];
    await h.log.append(days.flatMap((d, i) => Array.from({ length: 20 + i }, (_, k) => ev(`${d}T1${k % 10}:00:00Z`, { user_id: `u${k % 7}`, feature: `f${k % 3}`, url: `/p${k % 4}` }))));
    await h.rollups.rollup!();
    db = openDb(h.dir);
    const written = indexes(db);
    expect([...written.keys()]).toEqual(days);
    db.prepare('DELETE FROM day_breakdowns WHERE day <> ?').run(days[1]);
    const engine = h.rollups.engine!;
    const before = days.map((d) => engine.version(d));
    await backfillIndexes(db, () => engine, sharedRollupWorker(), createSerial(), createRecordingLogger(), () => false);
    expect(indexes(db)).toEqual(written);
    // The indexed days' caches move on; the one that had its index is untouched.
    expect(days.map((d, i) => engine.version(d) !== before[i])).toEqual([true, false, true]);
  });

  it('writes nothing for a day whose head moved since it was read (a rollup wrote it and its index anew)', async () => {
    h = await harness();
    await h.log.append([ev('2026-11-18T10:00:00Z', { user_id: 'a' })]);
    await h.rollups.rollup!();
    const stale = h.rollups.engine!.store.meta.get('2026-11-18')!.head;
    await h.log.append([ev('2026-11-18T11:00:00Z', { user_id: 'b' })]);
    await h.rollups.rollup!();
    db = openDb(h.dir);
    db.prepare('DELETE FROM day_breakdowns').run();
    expect(indexDay(db, '2026-11-18', stale)).toBe(false);
    expect(indexes(db).size).toBe(0);
    expect(indexDay(db, '2026-11-18', h.rollups.engine!.store.meta.get('2026-11-18')!.head)).toBe(true);
    expect(indexes(db).size).toBe(1);
  });
});
