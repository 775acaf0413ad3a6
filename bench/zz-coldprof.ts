import { startCollector } from '../collector/src/testing/index.js';
const KEY = 'bench-key-0123456789abcdef';
const dir = process.argv[2]!;
const days = Number(process.argv[3] ?? 90);
const c = await startCollector({ dataDir: dir, env: { TALLY_DASH_KEY: KEY, TALLY_RATE_LIMIT: '0', TALLY_LOG_LEVEL: 'info' }, nodeArgs: process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [], startTimeoutMs: 600_000, onOutput: (s) => process.stderr.write(s) });
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const get = async (p: string) => { const t = performance.now(); const r = await fetch(`${c.url}/api/analytics/${p}`, { headers: { 'x-dash-key': KEY } }); await r.arrayBuffer(); return [p.slice(0, 40), Math.round(performance.now() - t)]; };
const info = (await (await fetch(`${c.url}/api/analytics/info`, { headers: { 'x-dash-key': KEY } })).json()) as { today: string };
const today = info.today;
const from = addDays(today, -(days - 1)); const prevTo = addDays(from, -1); const prevFrom = addDays(from, -days);
const interval = days > 92 ? 'week' : 'day';
const dims = ['feature', 'event_type', 'url', 'platform', 'app_version', 'browser', 'os', 'device_type', 'app'];
const t0 = performance.now();
const r = await Promise.all([
  get(`usage?days=${Math.min(days, 365)}&to=${today}`), get(`usage?days=${Math.min(days, 365)}&to=${prevTo}`),
  get(`timeseries?metric=active_users&interval=${interval}&from=${from}&to=${today}`), get(`timeseries?metric=active_users&interval=${interval}&from=${prevFrom}&to=${prevTo}`),
  get(`breakdowns?by=${dims.join(',')}&from=${from}&to=${today}&limit=10`), get(`breakdowns?by=${dims.join(',')}&from=${prevFrom}&to=${prevTo}&users=false`),
]);
console.log('cold api all', Math.round(performance.now() - t0), r);
await c.stop();
