import Database from 'better-sqlite3';
import { decodeRows } from './rollup/cube.js';
import { buildIndex, parseIndex, orUsers } from './rollup/breakdown-index.js';
const db = new Database('/tmp/tally-bench-rollup-8o8SgN/ninety-days/tally.db', { readonly: true });
const days = db.prepare('SELECT day FROM days ORDER BY day').pluck().all() as string[];
const ixs: Uint8Array[] = [];
for (const day of days.slice(30, 40)) {
  const blobs = [db.prepare('SELECT rows FROM days WHERE day = ?').pluck().get(day) as Buffer, ...(db.prepare('SELECT rows FROM day_parts WHERE day = ?').pluck().all(day) as Buffer[])].filter(b => b.length > 0);
  ixs.push(buildIndex(blobs.map(decodeRows)));
}
for (let rep = 0; rep < 3; rep++) {
  const bits = new Uint32Array(29000);
  const c0 = process.cpuUsage();
  let dense = 0, all = 0;
  for (const ix of ixs) { const p = parseIndex(ix); for (const e of p.entries) { orUsers(p, e, bits); all += e.users; if (e.users * 32 > 925000 * 0.25) dense += e.users; } }
  const c = process.cpuUsage(c0);
  console.log('or ms/day', (c.user + c.system) / 1000 / ixs.length, 'ids/day', all / ixs.length, 'in dense entries (>25% of id words)', dense / ixs.length);
}
