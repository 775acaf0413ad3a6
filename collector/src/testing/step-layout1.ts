import type { Db } from '../rollup/db.js';
import { decodeStep } from '../rollup/step-view.js';
import { segmentOf, type StepTimes } from '../rollup/steps.js';

/**
 * A funnel index list in layout 1, as collectors before 2026-12-06 wrote it (u32 users, u32 counts,
 * u32 times after the base, segment triples, then 1-byte segment indexes): for tests that days
 * rolled up then still read right.
 */
export function encodeLayout1(s: StepTimes): Buffer {
  const n = s.users.length;
  const m = s.times.length;
  const local = [...new Set(s.segs)];
  const words = 2 * n + m + 3 * local.length;
  const buf = Buffer.alloc(24 + 4 * words + m);
  const base = m === 0 ? 0 : Math.min(...s.times);
  new Uint32Array(buf.buffer, buf.byteOffset, 4).set([n, m, local.length, 1]);
  buf.writeDoubleLE(base, 16);
  const u32 = new Uint32Array(buf.buffer, buf.byteOffset + 24, words);
  u32.set(s.users);
  for (let i = 0; i < n; i++) u32[n + i] = s.at[i + 1]! - s.at[i]!;
  for (let i = 0; i < m; i++) u32[2 * n + i] = s.times[i]! - base;
  u32.set(local.flatMap((g) => segmentOf(g)), 2 * n + m);
  for (let i = 0; i < m; i++) buf[24 + 4 * words + i] = local.indexOf(s.segs[i]!);
  return buf;
}

/** Rewrites every persisted funnel index list of `db` in layout 1; returns how many. */
export function rewriteStepsInLayout1(db: Db): number {
  const rows = db.prepare('SELECT day, type, feature, data FROM day_steps').all() as { day: string; type: number; feature: number; data: Buffer }[];
  const put = db.prepare('UPDATE day_steps SET data = ? WHERE day = ? AND type = ? AND feature = ?');
  db.transaction(() => {
    for (const r of rows) put.run(encodeLayout1(decodeStep(r.data)), r.day, r.type, r.feature);
  })();
  return rows.length;
}
