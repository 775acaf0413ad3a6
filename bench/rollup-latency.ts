import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEY, lastJson, must, percentile, startServer } from './rollup.js';
import { num } from './knobs.js';

/**
 * Ingestion latency while `serve` rolls up a big day (issue 10, item 11), against the same run's
 * requests while no rollup runs. One UTC day (yesterday) of BENCH_DAY_EVENTS (2,000,000) generated
 * events waits in the live overlay; `serve` rolls up every 20 s (TALLY_ROLLUP_CRON), and
 * BENCH_CLIENTS (4) clients send batches of 10 events back to back over loopback, timing every
 * request: 8 events of today and 2 late ones of yesterday, so the rollups after the big one append
 * parts to the 2 M-event day (their cost should follow the new events, not the day). Windows come
 * from the rollups' log lines (end time and `ms`). Runs until the big rollup and a later non-empty
 * one have reported and BENCH_AFTER_SECONDS (30) more have passed.
 */
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  type Stats = { requests: number; p50_ms?: number; p99_ms?: number; max_ms?: number };
  return (s.length === 0 ? { requests: 0 } : { requests: s.length, p50_ms: r(percentile(s, 50)), p99_ms: r(percentile(s, 99)), max_ms: r(s[s.length - 1]!) }) as Stats;
};

const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? null : Math.round((a / b) * 100) / 100);

type Rollup = { time: string; ms: number; events: number; days: number; begin: number; end: number; loop_delay_p99_ms?: number; loop_delay_max_ms?: number };

export async function run(): Promise<Record<string, unknown>> {
  const dayEvents = num('BENCH_DAY_EVENTS', 2_000_000);
  const clients = num('BENCH_CLIENTS', 4);
  const afterSeconds = num('BENCH_AFTER_SECONDS', 30);
  const root = await mkdtemp(join(tmpdir(), 'tally-bench-rollup-latency-'));
  const dir = join(root, 'data');
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const env = { TALLY_DATA_DIR: dir, TALLY_DASH_KEY: KEY, TALLY_RATE_LIMIT: '0', TALLY_BOT_FILTER: 'off' };
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const load = [loadavg()[0]!];
  try {
    const gen = lastJson((await must(['generate', '--days', '1', '--events-per-day', String(dayEvents), '--users', '760000', '--end', yesterday, '--data-dir', dir], env)).stdout);
    const rollups: Rollup[] = [];
    let out = '';
    const loadStarted = performance.now();
    server = await startServer({ ...env, TALLY_LOG_LEVEL: 'info', TALLY_ROLLUP_CRON: '*/20 * * * * *' }, (chunk) => {
      out += chunk;
      for (const line of out.split('\n')) {
        if (!line.includes('"nightly rollup"')) continue;
        const j = JSON.parse(line) as Rollup;
        rollups.push({ ...j, end: Date.parse(j.time), begin: Date.parse(j.time) - j.ms });
      }
      out = out.slice(out.lastIndexOf('\n') + 1);
      // Loading 2 M events into the overlay takes minutes on the loaded machine.
    }, 900_000);
    const startupSeconds = (performance.now() - loadStarted) / 1000;
    load.push(loadavg()[0]!);
    const samples: { at: number; ms: number; status: number }[] = [];
    let n = 0;
    const body = () => {
      const now = new Date().toISOString();
      const late = `${yesterday}T12:${String(n % 60).padStart(2, '0')}:00.000Z`;
      const events = Array.from({ length: 10 }, (_, i) => ({ event_id: crypto.randomUUID(), event_type: 'page_view', ts: i < 8 ? now : late, anonymous_id: `lat-${n++ % 1000}`, url: '/during-rollup' }));
      return JSON.stringify({ app: 'web', events });
    };
    let stop = false;
    const client = async () => {
      while (!stop) {
        const at = Date.now();
        const t = performance.now();
        const res = await fetch(`${server!.base}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
        await res.arrayBuffer();
        samples.push({ at, ms: performance.now() - t, status: res.status });
      }
    };
    const running = Array.from({ length: clients }, client);
    const big = () => rollups.find((r) => r.events >= dayEvents / 2);
    const deadline = Date.now() + 20 * 60_000;
    const finished = () => {
      const b = big();
      return b !== undefined && rollups.some((r) => r.end > b.end && r.events > 0) && Date.now() > b.end + afterSeconds * 1000;
    };
    while (!finished() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(running);
    load.push(loadavg()[0]!);
    const b = big();
    if (b === undefined) throw new Error('no rollup of the big day reported within 20 minutes');
    const overlaps = (x: { at: number; ms: number }, r: Rollup) => x.at + x.ms >= r.begin && x.at <= r.end;
    // Baseline: requests overlapping no rollup at all, after the first seconds of connections.
    const warm = (samples[0]?.at ?? 0) + 3000;
    const baseline = samples.filter((x) => x.at > warm && !rollups.some((r) => overlaps(x, r))).map((x) => x.ms);
    const during = samples.filter((x) => overlaps(x, b)).map((x) => x.ms);
    const base = stats(baseline);
    const dur = stats(during);
    const later = rollups.filter((r) => r.end > b.end && r.events > 0);
    return {
      day_events: Number(gen?.events ?? dayEvents),
      serve_startup_seconds: Math.round(startupSeconds),
      load_average_1m: load.map((x) => Math.round(x * 10) / 10),
      clients,
      non_200: samples.filter((x) => x.status !== 200).length,
      // Event-loop delay inside `serve` while it ran (perf_hooks, 10 ms resolution).
      big_rollup: { events: b.events, days: b.days, ms: b.ms, loop_delay_p99_ms: b.loop_delay_p99_ms, loop_delay_max_ms: b.loop_delay_max_ms },
      ingest_no_rollup: base,
      ingest_during_big_rollup: dur,
      // During the big rollup ÷ no rollup, same run (target: p99 ≤ ~1.5, max stall ≤ 100 ms).
      ratio: { p50: ratio(dur.p50_ms, base.p50_ms), p99: ratio(dur.p99_ms, base.p99_ms), max: ratio(dur.max_ms, base.max_ms) },
      // Rollups after the big one: late events appended to the 2 M-event day plus today's.
      later_rollups: later.map((r) => ({ events: r.events, days: r.days, ms: r.ms, loop_delay_max_ms: r.loop_delay_max_ms, ingest_during: stats(samples.filter((x) => overlaps(x, r)).map((x) => x.ms)) })),
    };
  } finally {
    if (server) await server.stop();
    await rm(root, { recursive: true, force: true });
  }
}
