import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySchema } from '../collector/src/forward/clickhouse.js';
import { startClickHouse, startKafkaMock } from '../collector/src/forward/testing/servers.js';
import { freePort, startCollector } from '../collector/src/testing/index.js';
import { batchMaker, countStored, cpuSeconds, load, median } from './ingest.js';

/**
 * Forwarding benchmark (issue 15). The collector runs as its own process under the ingestion
 * benchmark's load (autocannon, 32 connections, batches of 50 realistic events, fsync always),
 * alternately without forwarders and with both sinks on (Kafka: librdkafka's mock cluster in kcat;
 * ClickHouse 18.16 over HTTP), same run, side by side. Reported: ingestion events/s and server CPU
 * per event with and without forwarders (the cost), each sink's forwarding throughput during the
 * load, the largest lag seen (sampled from /metrics every 250 ms) and how long the backlog took to
 * drain after the load stopped; and ingestion with a ClickHouse that refuses connections. Knobs: BENCH_FORWARD_RUNS (3), BENCH_FORWARD_SECONDS (10).
 */

const num = (name: string, fallback: number) => {
  const v = process.env[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback;
};

async function metrics(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(tally_forward_\w+)\{sink="(\w+)"\} (\S+)$/.exec(line);
    if (m) out[`${m[1]}:${m[2]}`] = Number(m[3]);
  }
  return out;
}

interface Run {
  events_per_s: number;
  cpu_us_per_event: number;
  p99_ms: number;
  forwarded_per_s?: Record<string, number>;
  max_lag_events?: Record<string, number>;
  drain_seconds?: number;
}

async function once(seconds: number, env: Record<string, string>, make: () => string, forwarding: boolean): Promise<Run> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tally-bench-forward-'));
  const collector = await startCollector({ dataDir, env: { TALLY_FSYNC: 'always', ...env } });
  const { url } = collector;
  const pid = collector.proc.pid!;
  try {
    await load(url, '/v1/events', 2, 32, make); // warm-up, not counted
    if (forwarding) {
      const t = Date.now();
      while (Object.entries(await metrics(url)).some(([k, v]) => k.startsWith('tally_forward_lag_events') && v > 0) && Date.now() - t < 120_000) await new Promise((r) => setTimeout(r, 250));
    }
    const before = await countStored(dataDir);
    const m0 = forwarding ? await metrics(url) : {};
    const maxLag: Record<string, number> = {};
    let sampling = forwarding;
    const sampler = (async () => {
      while (sampling) {
        for (const [k, v] of Object.entries(await metrics(url))) if (k.startsWith('tally_forward_lag_events:')) maxLag[k.split(':')[1]!] = Math.max(maxLag[k.split(':')[1]!] ?? 0, v);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const cpu0 = cpuSeconds(pid);
    const r = await load(url, '/v1/events', seconds, 32, make);
    const cpu = cpuSeconds(pid) - cpu0;
    sampling = false;
    await sampler;
    const stored = (await countStored(dataDir)) - before;
    const run: Run = { events_per_s: Math.round(stored / seconds), cpu_us_per_event: Number(((cpu * 1e6) / stored).toFixed(1)), p99_ms: r.latency.p99 };
    if (forwarding) {
      const m1 = await metrics(url);
      run.forwarded_per_s = {};
      for (const sink of ['kafka', 'clickhouse']) run.forwarded_per_s[sink] = Math.round(((m1[`tally_forward_events_total:${sink}`] ?? 0) - (m0[`tally_forward_events_total:${sink}`] ?? 0)) / seconds);
      run.max_lag_events = maxLag;
      const t = Date.now();
      while (Object.entries(await metrics(url)).some(([k, v]) => k.startsWith('tally_forward_lag_events') && v > 0)) {
        if (Date.now() - t > 300_000) throw new Error('forwarders did not drain within 300 s');
        await new Promise((res) => setTimeout(res, 100));
      }
      run.drain_seconds = Number(((Date.now() - t) / 1000).toFixed(1));
    }
    return run;
  } finally {
    await collector.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const runs = num('BENCH_FORWARD_RUNS', 3);
  const seconds = num('BENCH_FORWARD_SECONDS', 10);
  const [kafka, ch] = await Promise.all([startKafkaMock(), startClickHouse()]);
  try {
    const batches = batchMaker();
    const off: Run[] = [];
    const on: Run[] = [];
    const down: Run[] = [];
    for (let i = 0; i < runs; i++) {
      const table = `bench_${process.pid}_${i}`;
      await applySchema({ url: ch.address, database: 'default', table, username: 'default', password: '' }, 90);
      const env = { TALLY_KAFKA_BROKERS: kafka.address, TALLY_KAFKA_TOPIC: `bench-${process.pid}-${i}`, TALLY_CLICKHOUSE_URL: ch.address, TALLY_CLICKHOUSE_TABLE: table };
      off.push(await once(seconds, {}, batches.make, false));
      on.push(await once(seconds, env, batches.make, true));
      // A ClickHouse that refuses connections: ingestion must not notice.
      down.push(await once(seconds, { TALLY_CLICKHOUSE_URL: `http://127.0.0.1:${await freePort()}` }, batches.make, false));
      process.stderr.write(`  run ${i + 1}/${runs}: without ${off[i]!.events_per_s} ev/s (${off[i]!.cpu_us_per_event} µs CPU/event), with ${on[i]!.events_per_s} ev/s (${on[i]!.cpu_us_per_event} µs), forwarded ${JSON.stringify(on[i]!.forwarded_per_s)}, max lag ${JSON.stringify(on[i]!.max_lag_events)}, drain ${on[i]!.drain_seconds} s; sink down ${down[i]!.events_per_s} ev/s p99 ${down[i]!.p99_ms} ms; load ${loadavg()[0]!.toFixed(1)}\n`);
    }
    const without = median(off.map((r) => r.events_per_s));
    const withF = median(on.map((r) => r.events_per_s));
    return {
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, load_average_1m: Number(loadavg()[0]!.toFixed(1)) },
      setup: { runs, seconds, connections: 32, events_per_batch: 50, fsync: 'always', sinks: ['kafka (kcat mock cluster)', 'clickhouse 18.16 (HTTP)'], batch: 1000, linger_ms: 1000 },
      ingest_events_per_s: { without_forwarders: without, with_forwarders: withF },
      ingest_cost: Number((1 - withF / without).toFixed(3)),
      sink_down: { events_per_s: median(down.map((r) => r.events_per_s)), p99_ms: median(down.map((r) => r.p99_ms)) },
      cpu_us_per_event: { without_forwarders: median(off.map((r) => r.cpu_us_per_event)), with_forwarders: median(on.map((r) => r.cpu_us_per_event)) },
      p99_ms: { without_forwarders: median(off.map((r) => r.p99_ms)), with_forwarders: median(on.map((r) => r.p99_ms)) },
      forwarded_per_s: { kafka: median(on.map((r) => r.forwarded_per_s!.kafka!)), clickhouse: median(on.map((r) => r.forwarded_per_s!.clickhouse!)) },
      max_lag_events: { kafka: Math.max(...on.map((r) => r.max_lag_events!.kafka ?? 0)), clickhouse: Math.max(...on.map((r) => r.max_lag_events!.clickhouse ?? 0)) },
      drain_seconds: median(on.map((r) => r.drain_seconds!)),
      goal: { ingest_cost_below: 0.15 },
      runs: { without: off, with: on, sink_down: down },
    };
  } finally {
    await Promise.all([kafka.stop(), ch.stop()]);
  }
}
