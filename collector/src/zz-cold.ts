import { loadConfig } from './config/config.js';
import { openAnalytics } from './rollup/open.js';
import { openLogReader } from './logstore/index.js';
import { breakdownsAsync } from './query/breakdown.js';
import { addDays } from './rollup/time.js';
const dir = process.argv[2]!;
const config = { ...loadConfig({}), dataDir: dir };
const logger = { info() {}, warn() {}, error() {}, debug() {} } as any;
const clock = { now: () => Date.now() };
const log = await openLogReader({ dataDir: dir, logger });
const { analytics } = await openAnalytics({ config, log, logger, clock, schedule: false, warm: false });
const engine = analytics.engine!;
const today = analytics.today!();
for (const n of [90, 365, 90]) {
  const from = addDays(today, -(n - 1));
  const c0 = process.cpuUsage(); const t0 = performance.now();
  await breakdownsAsync(engine, from, today, { pairs: [], none: false, empty: true } as any, 10, true);
  const c1 = process.cpuUsage(c0); const t1 = performance.now();
  await breakdownsAsync(engine, addDays(from, -n), addDays(from, -1), { pairs: [], none: false, empty: true } as any, 100, false);
  const c2 = process.cpuUsage(c0);
  console.log(n, 'this period cpu ms', Math.round((c1.user + c1.system) / 1000), 'wall', Math.round(t1 - t0), 'prev period cpu ms', Math.round((c2.user + c2.system - c1.user - c1.system) / 1000));
}
analytics.close();
