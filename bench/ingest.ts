import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storedEvents } from '../collector/src/logstore/index.js';
import { statCpuSeconds } from '../collector/src/shared/index.js';
import { startCollector } from '../collector/src/testing/index.js';
import { runAsScript } from './as-script.js';
import { num } from './knobs.js';

/**
 * Ingestion benchmark (issue 2). Load comes from this process (autocannon) over loopback; the
 * collector runs as its own process exactly as `pnpm collector serve` would, with TALLY_FSYNC=always,
 * TALLY_BOT_FILTER=off, TALLY_RATE_LIMIT=0. Each request is a batch of 50 realistic events (~400 B
 * each) with fresh UUIDs, so nothing is deduplicated away. Beside it, the same load against
 * `ceiling-server.ts` (bare node:http, append + group-committed fdatasync). Runs alternate
 * ours/ceiling; figures are medians. Accepted events/s for the collector are counted from the
 * lines that reached the log files, not from status codes.
 * Knobs (env): BENCH_INGEST_RUNS (3), BENCH_INGEST_SECONDS (10), BENCH_INGEST_CONNECTIONS (32),
 * BENCH_INGEST_PROFILE (see below).
 */

/** BENCH_INGEST_PROFILE=<dir>: write a V8 CPU profile of each collector run there (for finding hot spots). */
const PROFILE = process.env.BENCH_INGEST_PROFILE;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 50;

interface CannonResult {
  latency: { p50: number; p99: number; average: number };
  requests: { total: number; average: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
type Cannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

// --- realistic batches -----------------------------------------------------------------------

const FEATURES = ['pricing', 'dashboard', 'settings', 'docs', 'signup_button', 'export'];
const TYPES = ['page_view', 'page_view', 'action', 'page_view', 'action', 'conversion'];

/** 50 event templates, each split around its event_id so a fresh id costs two concatenations. */
function templates(ts: string): [string, string][] {
  return Array.from({ length: BATCH }, (_, i) => {
    const ev = {
      event_id: '@ID@',
      event_type: TYPES[i % TYPES.length],
      ts,
      feature: FEATURES[i % FEATURES.length],
      anonymous_id: `a-${(i * 2654435761) % 1e8}`,
      session_id: `s-${(i * 40503) % 1e6}`,
      url: `https://app.example.com/${FEATURES[i % FEATURES.length]}?ref=newsletter&v=${i}`,
      metadata: { section: 'hero', variant: i % 2 ? 'a' : 'b' },
      context: {
        app_version: '2.14.0',
        browser: 'Chrome',
        os: 'macOS',
        device_type: 'desktop',
        locale: 'en-US',
        screen: '1728x1117',
        sdk: { name: '@tally/browser', version: '0.1.0' },
      },
    };
    const [a, b] = JSON.stringify(ev).split('@ID@') as [string, string];
    return [a, b];
  });
}

export function batchMaker() {
  const ts = new Date().toISOString();
  const parts = templates(ts);
  const run = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  let n = 0;
  const make = () => {
    let body = '{"events":[';
    for (let i = 0; i < BATCH; i++) {
      const c = (n++).toString(16).padStart(12, '0');
      const p = parts[i]!;
      body += (i ? ',' : '') + p[0] + `${run}-0000-4000-8000-${c}` + p[1];
    }
    return `${body}]}`;
  };
  return { make, eventBytes: Math.round(make().length / BATCH) };
}

// --- processes (the collector: collector/src/testing/collector-process.ts) ------------------------

/** The comparison server (`ceiling-server.ts`), ready when its first output line says where it listens. */
function startCeiling(file: string): Promise<{ child: ChildProcess; url: string }> {
  const ready = /"url":"([^"]+)"/;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ceiling-server.ts', file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`did not start: ${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        res({ child, url: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => rej(new Error(`exited ${code}: ${out}`)));
  });
}

function stopCeiling(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null) return res();
    child.once('exit', () => res());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** CPU seconds (user + system) a live process has used so far. */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** Peak resident set size (VmHWM) of a live process, in MiB. */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Events in a data directory's log so far, read as the collector reads it (what was durably accepted). */
export async function countStored(dataDir: string): Promise<number> {
  let n = 0;
  for await (const _ of storedEvents(dataDir)) n++;
  return n;
}

// --- one measured run --------------------------------------------------------------------------

interface RunFigures {
  events_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
  peak_rss_mib?: number;
  /** Server CPU time per event: robust to other processes competing for the cores. */
  cpu_us_per_event: number;
}

/** `requestsPerS`: a paced load (autocannon's overallRate) instead of as fast as the server answers. */
export async function load(url: string, path: string, seconds: number, connections: number, make: () => string, requestsPerS?: number) {
  return autocannon({
    url: `${url}${path}`,
    connections,
    duration: seconds,
    ...(requestsPerS !== undefined ? { overallRate: requestsPerS } : {}),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: make() }) }],
  });
}

async function runOurs(seconds: number, connections: number, make: () => string): Promise<RunFigures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tally-bench-ingest-'));
  const collector = await startCollector({
    dataDir,
    env: { TALLY_FSYNC: 'always' },
    nodeArgs: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : [],
  });
  const { url } = collector;
  const pid = collector.proc.pid!;
  try {
    await load(url, '/v1/events', 2, connections, make); // warm-up (JIT), not counted
    const before = await countStored(dataDir);
    const cpu0 = cpuSeconds(pid);
    const r = await load(url, '/v1/events', seconds, connections, make);
    const cpu = cpuSeconds(pid) - cpu0;
    const stored = (await countStored(dataDir)) - before;
    return figures(r, stored, seconds, cpu, pid);
  } finally {
    await collector.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The figures of one run; `stored` is what the server durably took (log lines, or 2xx × batch). */
function figures(r: Awaited<ReturnType<typeof load>>, stored: number, seconds: number, cpu: number, pid: number): RunFigures {
  return {
    events_per_s: Math.round(stored / seconds),
    cpu_us_per_event: Number(((cpu * 1e6) / stored).toFixed(1)),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    peak_rss_mib: peakRssMiB(pid),
  };
}

async function runCeiling(seconds: number, connections: number, make: () => string): Promise<RunFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'tally-bench-ceiling-'));
  const { child, url } = await startCeiling(join(dir, 'raw.ndjson'));
  try {
    await load(url, '/', 2, connections, make);
    const cpu0 = cpuSeconds(child.pid!);
    const r = await load(url, '/', seconds, connections, make);
    const cpu = cpuSeconds(child.pid!) - cpu0;
    return figures(r, r['2xx'] * BATCH, seconds, cpu, child.pid!);
  } finally {
    await stopCeiling(child);
    await rm(dir, { recursive: true, force: true });
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function summarize(runs: RunFigures[]) {
  return {
    events_per_s: median(runs.map((r) => r.events_per_s)),
    p50_ms: median(runs.map((r) => r.p50_ms)),
    p99_ms: median(runs.map((r) => r.p99_ms)),
    cpu_us_per_event: median(runs.map((r) => r.cpu_us_per_event)),
    peak_rss_mib: Math.max(...runs.map((r) => r.peak_rss_mib ?? 0)),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    runs,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const runs = num('BENCH_INGEST_RUNS', 3);
  const seconds = num('BENCH_INGEST_SECONDS', 10);
  const connections = num('BENCH_INGEST_CONNECTIONS', 32);
  const batches = batchMaker();
  const ours: RunFigures[] = [];
  const ceiling: RunFigures[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(await runOurs(seconds, connections, batches.make));
    ceiling.push(await runCeiling(seconds, connections, batches.make));
    process.stderr.write(
      `  run ${i + 1}/${runs}: ours ${ours[i]!.events_per_s} ev/s (${ours[i]!.cpu_us_per_event} µs CPU/event), ` +
        `ceiling ${ceiling[i]!.events_per_s} ev/s (${ceiling[i]!.cpu_us_per_event} µs CPU/event), load ${loadavg()[0]!.toFixed(1)}\n`,
    );
  }
  const o = summarize(ours);
  const c = summarize(ceiling);
  return {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
    setup: { runs, seconds, connections, events_per_batch: BATCH, event_bytes: batches.eventBytes, fsync: 'always' },
    ours: o,
    ceiling: c,
    ratio: Number((o.events_per_s / c.events_per_s).toFixed(2)),
    /** The same comparison in server CPU per event, which other load on the machine distorts less. */
    cpu_ratio: Number((c.cpu_us_per_event / o.cpu_us_per_event).toFixed(2)),
    load_average_1m: Number(loadavg()[0]!.toFixed(1)),
    goal: { events_per_s: 100_000, p99_ms: 50, ratio: 0.6 },
  };
}

runAsScript(import.meta.url, run);
