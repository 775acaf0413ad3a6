import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, runCli, startCollector, TEST_DASH_KEY, type CliResult } from '../collector/src/testing/index.js';
import { statCpuSeconds, utcDay } from '../collector/src/shared/index.js';
import { runAsScript } from './as-script.js';
import { buildIndex } from '../collector/src/rollup/breakdown-index.js';
import { decodeRows } from '../collector/src/rollup/cube.js';
import { num } from './knobs.js';

/**
 * Metrics benchmark (issue 4): drives the collector exactly as an operator would — the `generate`,
 * `rollup` and `serve` commands as child processes and the query API over loopback HTTP — so it
 * measures the shipped code paths, including JSON encoding and HTTP, not an in-process shortcut.
 *
 * 1. one UTC day of 2,000,000 events → rollup throughput (events / wall-clock seconds of
 *    `collector rollup`, process start-up included, so the figure is conservative; the command's
 *    own report, with its internal timing, is kept next to it) and the size of that day's funnel index;
 * 2. 90 days × BENCH_EVENTS_PER_DAY (150,000) events of a ~100,000-daily-user population → rollups,
 *    then `usage?days=30|365`, 90-day funnel and retention latency (sequential requests) and the
 *    SQLite size per day.
 * 3. one access export and one erasure of a person over HTTP on the 90-day log.
 * Knobs (env): BENCH_DAY_EVENTS (2000000), BENCH_EVENTS_PER_DAY (150000), BENCH_USERS (760000),
 * BENCH_DAYS (90), BENCH_SLICE (10 days per generate+rollup step), BENCH_KEEP=1 keeps the temp data dir,
 * BENCH_QUERY_DIR=<dir> skips 1 and 2 and runs the queries on that data dir (a `ninety-days` folder
 * kept by BENCH_KEEP=1, or a copy of it: the collector writes to it), BENCH_WARM_WAIT_S (900): the
 * longest wait for the collector's start-up warmer before the first-funnel figures.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const KEY = TEST_DASH_KEY;

/** One CLI command (`pnpm collector <args>`) as a child process; `seconds` is its wall-clock time. */
export async function collector(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runCli(args, env, 3_600_000);
}

export async function must(args: string[], env: Record<string, string>): Promise<CliResult> {
  const r = await collector(args, env);
  if (r.code !== 0) throw new Error(`collector ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
  return r;
}

export function lastJson(text: string): Record<string, unknown> | undefined {
  const lines = text.trim().split('\n').reverse();
  for (const l of lines) {
    try {
      const v = JSON.parse(l) as unknown;
      if (v !== null && typeof v === 'object') return v as Record<string, unknown>;
    } catch {
      // not JSON: a log line
    }
  }
  return undefined;
}

/** `collector serve` on a free loopback port (the test harness, with the data dir and env given). */
export async function startServer(env: Record<string, string>, onStdout?: (chunk: string) => void, startTimeoutMs = 300_000): Promise<{ base: string; child: ChildProcess; stop: () => Promise<unknown> }> {
  const { TALLY_DATA_DIR: dataDir, ...rest } = env;
  if (dataDir === undefined) throw new Error('startServer needs TALLY_DATA_DIR');
  const c = await startCollector({ dataDir, env: { TALLY_LOG_LEVEL: 'warn', ...rest }, onOutput: onStdout, startTimeoutMs });
  return { base: c.url, child: c.proc, stop: () => c.stop() };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function latency(base: string, path: string, runs: number): Promise<{ p50_ms: number; p95_ms: number; runs: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { 'x-dash-key': KEY } });
    const body = await res.text();
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${body.slice(0, 500)}`);
    if (i >= 3) times.push(performance.now() - t); // the first answers warm caches
  }
  times.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { p50_ms: round(percentile(times, 50)), p95_ms: round(percentile(times, 95)), runs };
}

async function once(base: string, path: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${base}${path}`, { headers: { 'x-dash-key': KEY } });
  const body = await res.text();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${body.slice(0, 500)}`);
  return Math.round(performance.now() - t);
}

/** CPU time (user + system, all threads) a process has used, in ms; undefined off Linux. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return statCpuSeconds(`/proc/${pid}/stat`) * 1000;
  } catch {
    return undefined;
  }
}

/** One request's wall time and the server's CPU time meanwhile (ms). */
async function onceWithCpu(base: string, path: string, pid: number | undefined): Promise<{ wall_ms: number; server_cpu_ms: number | undefined }> {
  const c0 = cpuMs(pid);
  const wall = await once(base, path);
  const c1 = cpuMs(pid);
  return { wall_ms: wall, server_cpu_ms: c0 === undefined || c1 === undefined ? undefined : c1 - c0 };
}

/** Bytes of the funnel index (`day_steps`) per day, read with the collector's own better-sqlite3. */
function funnelIndexBytes(dataDir: string, days: number): Record<string, number> {
  const Database = createRequire(join(ROOT, 'collector', 'package.json'))('better-sqlite3') as new (f: string, o: object) => {
    prepare(sql: string): { get(): unknown };
    close(): void;
  };
  const db = new Database(join(dataDir, 'tally.db'), { readonly: true });
  try {
    const r = db.prepare('SELECT sum(length(data)) AS bytes, count(*) AS lists FROM day_steps').get() as { bytes: number; lists: number };
    return { bytes: r.bytes, bytes_per_day: Math.round(r.bytes / days), lists_per_day: Math.round(r.lists / days) };
  } finally {
    db.close();
  }
}

/**
 * The breakdown index (`day_breakdowns`): bytes per day beside the rows (`day_parts`) it spares an
 * unfiltered breakdown from reading, and what building it costs a rollup — the CPU time of
 * `buildIndex` over the rows of up to `sample` days (the newest), per day, to set beside the
 * rollup's own time per day.
 */
function breakdownIndex(dataDir: string, days: number, sample = 5): Record<string, number> {
  const Database = createRequire(join(ROOT, 'collector', 'package.json'))('better-sqlite3') as new (f: string, o: object) => {
    prepare(sql: string): { get(...a: unknown[]): unknown; pluck(): { all(...a: unknown[]): unknown[] } };
    close(): void;
  };
  const db = new Database(join(dataDir, 'tally.db'), { readonly: true });
  try {
    const ix = db.prepare('SELECT sum(length(data)) AS bytes FROM day_breakdowns').get() as { bytes: number };
    const rows = db.prepare('SELECT sum(length(rows)) AS bytes FROM day_parts').get() as { bytes: number };
    const newest = db.prepare('SELECT day FROM day_heads ORDER BY day DESC LIMIT ?').pluck().all(sample) as string[];
    let cpu = 0;
    for (const day of newest) {
      const sets = (db.prepare('SELECT rows FROM day_parts WHERE day = ? ORDER BY rowid').pluck().all(day) as Buffer[]).map(decodeRows);
      const c = process.cpuUsage();
      buildIndex(sets);
      const d = process.cpuUsage(c);
      cpu += (d.user + d.system) / 1000;
    }
    return { bytes: ix.bytes, bytes_per_day: Math.round(ix.bytes / days), row_bytes_per_day: Math.round(rows.bytes / days), build_cpu_ms_per_day: Math.round(cpu / Math.max(1, newest.length)) };
  } finally {
    db.close();
  }
}

async function sqliteBytes(dataDir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dataDir)) {
    if (/\.(db|sqlite|sqlite3)(-wal|-shm)?$/.test(name)) total += (await stat(join(dataDir, name))).size;
  }
  return total;
}

/** One export and one erasure of a person seen today: what a GDPR request costs on this log. */
async function privacyTimings(base: string, dataDir: string, today: string): Promise<Record<string, unknown>> {
  const head = (await readFile(join(dataDir, 'events', `${today}.ndjson`))).subarray(0, 1 << 16).toString('utf8');
  const id = /"user_id":"([^"]+)"/.exec(head)?.[1];
  if (id === undefined) return { skipped: 'no identified user in the first lines of today' };
  const path = `/api/analytics/users/${encodeURIComponent(id)}`;
  let t = performance.now();
  const exported = await fetch(`${base}${path}/export`, { headers: { 'x-dash-key': KEY } });
  const lines = (await exported.text()).split('\n').filter(Boolean).length;
  const exportSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const erased = await fetch(base + path, { method: 'DELETE', headers: { 'x-dash-key': KEY } });
  const answer = (await erased.json()) as Record<string, unknown>;
  return {
    export_seconds: Number(exportSeconds.toFixed(1)),
    exported_events: lines,
    erase_seconds: Number(((performance.now() - t) / 1000).toFixed(1)),
    erase_status: erased.status,
    removed: answer.removed,
    files_rewritten: Array.isArray(answer.days) ? answer.days.length : undefined,
  };
}

const progress = (msg: string) => process.stderr.write(`bench rollup: ${msg}\n`);

/** Sections 1 and 2: the one-day rollup and the 90-day data set (returned: its data dir). */
async function buildDatasets(root: string, result: Record<string, unknown>, o: { dayEvents: number; perDay: number; users: number; days: number }): Promise<string> {
  const { dayEvents, perDay, users, days } = o;
  // 1. Rollup throughput on one big day (yesterday, so it is a closed day).
  const oneDir = join(root, 'one-day');
  const yesterday = utcDay(Date.now() - 86_400_000);
  const env1 = { TALLY_DATA_DIR: oneDir, TALLY_DASH_KEY: KEY };
  const gen1 = lastJson((await must(['generate', '--days', '1', '--events-per-day', String(dayEvents), '--users', String(users), '--end', yesterday, '--data-dir', oneDir], env1)).stdout);
  result.generator = { events: gen1?.events, seconds: gen1?.seconds, events_per_s: gen1?.eventsPerSecond, bytes: gen1?.bytes };
  // Fixed cost of the command (tsx start-up, opening the log and SQLite) on an empty data dir,
  // subtracted below so the figure is the work of rolling up, not of starting a process.
  const empty = join(root, 'empty');
  const baseline = await must(['rollup'], { TALLY_DATA_DIR: empty });
  // Plain `rollup` is the nightly operation: read the day's log once, persist its rollup.
  const roll1 = await must(['rollup'], env1);
  const work = Math.max(roll1.seconds - baseline.seconds, 1e-3);
  result.rollup_one_day = {
    events: dayEvents,
    wall_seconds: Number(roll1.seconds.toFixed(2)),
    startup_seconds: Number(baseline.seconds.toFixed(2)),
    events_per_s: Math.round(dayEvents / work),
    events_per_s_wall: Math.round(dayEvents / roll1.seconds),
    command_ms: lastJson(roll1.stdout)?.ms,
    funnel_index: funnelIndexBytes(oneDir, 1),
    breakdown_index: breakdownIndex(oneDir, 1),
  };
  progress(JSON.stringify(result));
  await rm(oneDir, { recursive: true, force: true });

  // 2. 90 days ending today, generated and rolled up in slices of BENCH_SLICE days — as nightly
  //    rollups would meet them, and so one rollup never holds the whole period in memory.
  const dir = join(root, 'ninety-days');
  const env2 = { TALLY_DATA_DIR: dir, TALLY_DASH_KEY: KEY, TALLY_RATE_LIMIT: '0' };
  const today = utcDay(Date.now());
  const slice = num('BENCH_SLICE', 10);
  let events = 0;
  let usersSum = 0;
  let genSeconds = 0;
  let rollSeconds = 0;
  for (let first = days - 1; first >= 0; first -= slice) {
    const from = utcDay(Date.now() - first * 86_400_000);
    const to = utcDay(Date.now() - Math.max(0, first - slice + 1) * 86_400_000);
    const gen = lastJson((await must(['generate', '--days', String(days), '--events-per-day', String(perDay), '--users', String(users), '--end', today, '--data-dir', dir, '--only-from', from, '--only-to', to], env2)).stdout);
    events += Number(gen?.events ?? 0);
    usersSum += Number(gen?.meanDailyUsers ?? 0) * Number(gen?.days ?? 0);
    genSeconds += Number(gen?.seconds ?? 0);
    const roll = await must(['rollup'], env2);
    rollSeconds += Math.max(roll.seconds - baseline.seconds, 1e-3);
    progress(`90 days: generated and rolled up ${from}..${to}`);
  }
  result.dataset = { events, events_per_day: perDay, mean_daily_users: Math.round(usersSum / days), generate_seconds: Number(genSeconds.toFixed(1)) };
  result.rollup_all = { seconds: Number(rollSeconds.toFixed(1)), events_per_s: Math.round(events / rollSeconds) };
  progress(JSON.stringify(result));
  const sqlite = await sqliteBytes(dir);
  result.sqlite = { bytes: sqlite, bytes_per_day: Math.round(sqlite / days) };

  result.breakdown_index = breakdownIndex(dir, days);
  result.funnel_index = funnelIndexBytes(dir, days);
  return dir;
}

export async function run(): Promise<Record<string, unknown>> {
  const dayEvents = num('BENCH_DAY_EVENTS', 2_000_000);
  const perDay = num('BENCH_EVENTS_PER_DAY', 150_000);
  const users = num('BENCH_USERS', 760_000);
  const days = num('BENCH_DAYS', 90);
  const queryDir = process.env.BENCH_QUERY_DIR;
  const root = await mkdtemp(join(tmpdir(), 'tally-bench-rollup-'));
  const result: Record<string, unknown> = { setup: queryDir === undefined ? { dayEvents, perDay, users, days } : { queryDir, days } };
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    let dir: string;
    if (queryDir === undefined) dir = await buildDatasets(root, result, { dayEvents, perDay, users, days });
    else {
      dir = queryDir;
      result.funnel_index = funnelIndexBytes(dir, days);
    }
    const today = utcDay(Date.now());
    const env2 = { TALLY_DATA_DIR: dir, TALLY_DASH_KEY: KEY, TALLY_RATE_LIMIT: '0', TALLY_LOG_LEVEL: 'info' };
    // The start-up warmer (query/warm.ts) reads every day's rows for the dashboard's breakdowns, a
    // day per turn of the event loop, for the first minute or more after a start: a funnel asked
    // meanwhile waits for it. The first-funnel figures are taken once it is done, as on a collector
    // that has been up a few minutes; `funnel_first_http.right_after_start` is one taken before.
    let warmAt: number | undefined;
    const started = await startServer(env2, (chunk) => {
      if (warmAt === undefined && chunk.includes('breakdown caches warm')) warmAt = performance.now();
    });
    server = started;
    const upAt = performance.now();
    const pid = started.child.pid;
    const from = utcDay(Date.now() - (days - 1) * 86_400_000);
    const path = (steps: string, within: string) => `/api/analytics/funnel?steps=${steps}&within=${within}&from=${from}&to=${today}`;
    const afterStart = await onceWithCpu(started.base, path('page_view:docs,action:export,conversion:upgrade', '7d'), pid);
    const waitS = num('BENCH_WARM_WAIT_S', 900);
    while (warmAt === undefined && performance.now() - upAt < waitS * 1000) await new Promise((r) => setTimeout(r, 500));
    // Cold: the first funnel with a step set never asked (reads the funnel index of every day);
    // selective steps, then broad ones (every page view, action and conversion). Goal: ≤ 1 s each.
    const selective = await onceWithCpu(started.base, path('page_view:pricing,action:signup_button,conversion:signup', '7d'), pid);
    const broad = await onceWithCpu(started.base, path('page_view,action,conversion', '1d'), pid);
    result.funnel_first_http = {
      selective_ms: selective.wall_ms,
      broad_ms: broad.wall_ms,
      goal_ms: 1000,
      met: selective.wall_ms <= 1000 && broad.wall_ms <= 1000,
      server_cpu_ms: { selective: selective.server_cpu_ms, broad: broad.server_cpu_ms },
      warmer_done_s_after_up: warmAt === undefined ? `not seen within ${waitS} s` : Number(((warmAt - upAt) / 1000).toFixed(1)),
      right_after_start: { steps: 'page_view:docs,action:export,conversion:upgrade', ...afterStart },
    };
    progress(JSON.stringify({ funnel_first_http: result.funnel_first_http }));
    result.latency_http = {
      usage_30: await latency(started.base, '/api/analytics/usage?days=30', 100),
      usage_365: await latency(started.base, '/api/analytics/usage?days=365', 100),
      funnel_90: await latency(started.base, `/api/analytics/funnel?steps=page_view:pricing,action:signup_button,conversion:signup&within=7d&from=${from}&to=${today}`, 30),
      retention_90: await latency(started.base, `/api/analytics/retention?cohort=week&periods=8&from=${from}&to=${today}`, 30),
    };
    const usage = await fetch(`${started.base}/api/analytics/usage?days=30`, { headers: { 'x-dash-key': KEY } });
    const u = (await usage.json()) as Record<string, unknown>;
    result.usage_30_answer = { dau: u.dau, mau: u.mau, total_events: u.total_events };
    progress(JSON.stringify({ funnel_index: result.funnel_index, funnel_first_http: result.funnel_first_http, latency_http: result.latency_http }));
    // A failed privacy request (an erasure that outlives fetch's 5-minute header timeout on a
    // loaded machine) must not throw away the figures measured above.
    // (Not on a BENCH_QUERY_DIR: an erasure would change the data set kept for reruns.)
    if (queryDir === undefined) result.privacy_http = await privacyTimings(started.base, dir, today).catch((err: unknown) => ({ error: String(err) }));
  } finally {
    if (server) await server.stop();
    if (process.env.BENCH_KEEP !== '1') await rm(root, { recursive: true, force: true });
    else result.kept = root;
  }
  return result;
}

runAsScript(import.meta.url, run);
