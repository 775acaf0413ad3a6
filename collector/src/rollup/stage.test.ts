import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCubeBuilder } from './cube.js';
import { openDb, type Db } from './db.js';
import { stageDays, type StageJob } from './stage.js';
import { createStepLog, segmentId, segmentTriples } from './steps.js';

describe('staging a day (the rollup worker\'s writes)', () => {
  let db: Db | undefined;
  let dir: string | undefined;
  afterEach(() => {
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const job = (day: string, users: number, head?: StageJob['head']): StageJob => {
    const b = createCubeBuilder();
    const steps = createStepLog();
    const d = new Uint32Array(9);
    for (let i = 0; i < users * 3; i++) {
      d[2] = 1 + (i % 2);
      d[5] = i % 3;
      b.add(i % users, d, 1_000 + i);
      steps.add(i % users, d[2]!, 0, 1_000 + i, segmentId(0, 0, 0));
    }
    const v = b.view();
    return { day, mode: head === undefined ? 'whole' : 'part', head, indexed: true, rows: v.rows, users: v.users, steps: steps.data(), segments: segmentTriples() };
  };

  it('deletes what a staging whose head never moved (a crash before the head move) left: rows, funnel index and user lists', () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-stage-'));
    db = openDb(dir);
    const day = '2026-11-18';
    stageDays(db, [job(day, 500)]); // never committed
    const [again] = stageDays(db, [job(day, 500)]);
    const head = again!.head;
    const all = <T>(q: string) => db!.prepare(q).pluck().all() as T[];
    expect(all<number>('SELECT rowid FROM day_parts').every((id) => id >= head.lo && id <= head.hi)).toBe(true);
    expect(new Set(all<string>('SELECT DISTINCT day FROM day_steps'))).toEqual(new Set(head.keys));
    expect(all<string>('SELECT key FROM day_users')).toEqual(head.userKeys);
    expect([...again!.users]).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('a part writes only the users new to the day, and a crashed part\'s list goes in the next staging', () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-stage-'));
    db = openDb(dir);
    const day = '2026-11-18';
    const [whole] = stageDays(db, [job(day, 1_000)]);
    stageDays(db, [job(day, 1_010, whole!.head)]); // a part that never got its head moved
    const [part] = stageDays(db, [job(day, 1_020, whole!.head)]);
    const lists = db.prepare('SELECT key, length(data) n FROM day_users ORDER BY rowid').all() as { key: string; n: number }[];
    expect(lists.map((l) => l.key)).toEqual(part!.head.userKeys);
    // 1,000 users as written whole, then the 20 new ones (4 bytes each), not the day again.
    expect(lists.map((l) => l.n)).toEqual([1_000 * 4, 20 * 4]);
    expect(part!.users.length).toBe(1_020);
  });
});

describe('sweep at start-up', () => {
  it('deletes what no head names: a crash between the head move and the clean-up, and a day without a head', async () => {
    const { sweep } = await import('./stage.js');
    const dir = mkdtempSync(join(tmpdir(), 'tally-sweep-'));
    const db = openDb(dir);
    try {
      const b = createCubeBuilder();
      const steps = createStepLog();
      const d = new Uint32Array(9);
      d[2] = 1;
      for (let i = 0; i < 300; i++) {
        b.add(i % 100, d, 1_000 + i);
        steps.add(i % 100, 1, 0, 1_000 + i, segmentId(0, 0, 0));
      }
      const v = b.view();
      const mk = (day: string): StageJob => ({ day, mode: 'whole', indexed: true, rows: v.rows, users: v.users, steps: steps.data(), segments: segmentTriples() });
      const [old] = stageDays(db, [mk('2026-11-18')]);
      // The head moved to a rebuild of the day, then the process died before `collect`.
      const [rebuilt] = stageDays(db, [{ ...mk('2026-11-18'), mode: 'replace', head: old!.head }]);
      const h = rebuilt!.head;
      db.prepare('INSERT INTO day_heads (day, lo, hi, step_keys, base, parts) VALUES (?, ?, ?, ?, 0, 0)').run('2026-11-18', h.lo, h.hi, h.keys.join(','));
      db.prepare('INSERT INTO day_user_keys (day, key) VALUES (?, ?)').run('2026-11-18', h.userKeys.join(','));
      // A day whose head was dropped (a rebuild found nothing left), its rows not yet deleted.
      stageDays(db, [mk('2026-11-19')]);
      sweep(db);
      const all = <T>(q: string) => db.prepare(q).pluck().all() as T[];
      expect(all<number>('SELECT rowid FROM day_parts')).toEqual(Array.from({ length: h.hi - h.lo + 1 }, (_, i) => h.lo + i));
      expect(new Set(all<string>('SELECT DISTINCT day FROM day_steps'))).toEqual(new Set(h.keys));
      expect(all<string>('SELECT key FROM day_users')).toEqual(h.userKeys);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
