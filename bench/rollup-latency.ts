import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEY, lastJson, must, percentile, startServer } from './rollup.js';

/**
 * Ingestion latency while `serve` rolls up a big day (issue 10, item 11). One UTC day of
 * BENCH_DAY_EVENTS (2,000,000) generated events waits in the live overlay; `serve` runs with its
 * rollup every 30 s (TALLY_ROLLUP_CRON), and BENCH_CLIENTS (4) clients each send batches of 10
 * events back to back over loopback, timing every request, until the first rollup has reported.
 * Requests that overlap the rollup (from its log line: end time and `ms`) are compared with the
 * ones before it, in the same run.
 */
const num = (name: string, fallback: number) => {
  const v = process.env[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback;
};

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return s.length === 0 ? { requests: 0 } : { requests: s.length, p50_ms: r(percentile(s, 50)), p99_ms: r(percentile(s, 99)), max_ms: r(s[s.length - 1]!) };
};

export async function run(): Promise<Record<string, unknown>> {
  const dayEvents = num('BENCH_DAY_EVENTS', 2_000_000);
  const clients = num('BENCH_CLIENTS', 4);
  const root = await mkdtemp(join(tmpdir(), 'tally-bench-rollup-latency-'));
  const dir = join(root, 'data');
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const env = { TALLY_DATA_DIR: dir, TALLY_DASH_KEY: KEY, TALLY_RATE_LIMIT: '0', TALLY_BOT_FILTER: 'off' };
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const gen = lastJson((await must(['generate', '--days', '1', '--events-per-day', String(dayEvents), '--users', '760000', '--end', yesterday, '--data-dir', dir], env)).stdout);
    let rollup: { time: string; ms: number; events: number } | undefined;
    let out = '';
    const loadStarted = performance.now();
    server = await startServer({ ...env, TALLY_LOG_LEVEL: 'info', TALLY_ROLLUP_CRON: '*/30 * * * * *' }, (chunk) => {
      out += chunk;
      for (const line of out.split('\n')) {
        if (!line.includes('"nightly rollup"')) continue;
        const j = JSON.parse(line) as { time: string; ms: number; events: number };
        if (rollup === undefined && j.events > 0) rollup = j;
      }
      out = out.slice(out.lastIndexOf('\n') + 1);
    });
    const startupSeconds = (performance.now() - loadStarted) / 1000;
    const samples: { at: number; ms: number; status: number }[] = [];
    let n = 0;
    const body = () => {
      const ts = new Date().toISOString();
      const events = Array.from({ length: 10 }, () => ({ event_id: crypto.randomUUID(), event_type: 'page_view', ts, anonymous_id: `lat-${n++ % 1000}`, url: '/during-rollup' }));
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
    const deadline = Date.now() + 15 * 60_000;
    while (rollup === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await Promise.all(running);
    if (rollup === undefined) throw new Error('no rollup reported within 15 minutes');
    const end = Date.parse(rollup.time);
    const begin = end - rollup.ms;
    const during = samples.filter((x) => x.at + x.ms >= begin && x.at <= end).map((x) => x.ms);
    const before = samples.filter((x) => x.at + x.ms < begin).map((x) => x.ms);
    return {
      day_events: Number(gen?.events ?? dayEvents),
      serve_startup_seconds: Math.round(startupSeconds),
      rollup: { events: rollup.events, ms: rollup.ms },
      clients,
      non_200: samples.filter((x) => x.status !== 200).length,
      ingest_before_rollup: stats(before),
      ingest_during_rollup: stats(during),
    };
  } finally {
    if (server) await server.stop();
    await rm(root, { recursive: true, force: true });
  }
}
