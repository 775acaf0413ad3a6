// private probe (not shipped): in-process query latencies on a rolled-up data dir
import { loadConfig } from './src/config/config.js';
import { openLogStore } from './src/logstore/index.js';
import { openAnalytics } from './src/rollup/open.js';
import { usage } from './src/query/usage.js';
import { funnel } from './src/query/funnel.js';
import { retention } from './src/query/retention.js';
import { resolveSegment } from './src/query/segment.js';
import { addDays } from './src/rollup/time.js';

const dir = process.argv[2]!;
const config = { ...loadConfig({}), dataDir: dir };
const logger = { info() {}, warn() {}, error() {} } as never;
const clock = { now: () => Date.now() };
let t = performance.now();
const log = await openLogStore({ dataDir: dir, fsync: 'off', logger, clock });
console.log('open log', Math.round(performance.now() - t)); t = performance.now();
const { analytics } = await openAnalytics({ config, log, logger, clock, schedule: false });
console.log('open analytics', Math.round(performance.now() - t));
if (process.argv[3] === 'warmwait') await new Promise((r) => setTimeout(r, Number(process.argv[4] ?? 5000)));
const engine = analytics.engine!;
const today = analytics.today!();
const empty = resolveSegment(engine, {});
const from90 = addDays(today, -89);
const steps = [{ event_type: 'page_view', feature: 'pricing' }, { event_type: 'action', feature: 'signup_button' }, { event_type: 'conversion', feature: 'signup' }];
const cases: [string, () => unknown][] = [
  ['usage30', () => usage(engine, today, 30, empty, '')],
  ['usage365', () => usage(engine, today, 365, empty, '')],
  ['usage30 app=web', () => usage(engine, today, 30, resolveSegment(engine, { app: 'web' }), '')],
  ['funnel90', () => funnel(engine, steps, 7 * 86400000, from90, today, empty)],
  ['funnel90 2-step', () => funnel(engine, steps.slice(0, 2), 86400000, from90, today, empty)],
  ['ret week 8', () => retention(engine, 'week', 8, addDays(today, -55), today, today, empty)],
  ['ret week 90d', () => retention(engine, 'week', 8, from90, today, today, empty)],
  ['ret day 30', () => retention(engine, 'day', 30, addDays(today, -29), today, today, empty)],
];
for (const [name, f] of cases) {
  const times: number[] = [];
  for (let i = 0; i < 12; i++) { const s = performance.now(); f(); times.push(performance.now() - s); }
  const first = times[0]!;
  const rest = times.slice(1).sort((a, b) => a - b);
  console.log(name.padEnd(18), 'first', first.toFixed(1), 'p50', rest[5]!.toFixed(1), 'max', rest[10]!.toFixed(1));
}
console.log(JSON.stringify(usage(engine, today, 30, empty, '')).slice(0, 300));
console.log(JSON.stringify(funnel(engine, steps, 7 * 86400000, from90, today, empty)));
analytics.close();
await log.close();
