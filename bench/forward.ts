import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySchema } from '../collector/src/forward/clickhouse.js';
import { SPACED_MAX_BATCH } from '../collector/src/forward/forwarder.js';
import { startClickHouse, startKafkaMock, type RunningServer } from '../collector/src/forward/testing/servers.js';
import { statCpuSeconds } from '../collector/src/shared/index.js';
import { freePort, startCollector } from '../collector/src/testing/index.js';
import { batchMaker, countStored, cpuSeconds, load, median, peakRssMiB } from './ingest.js';
import { num } from './knobs.js';

/**
 * Forwarding benchmark (issue 15). The collector runs as its own process under the ingestion
 * benchmark's load (autocannon, 32 connections, batches of 50 realistic events, fsync always),
 * without forwarders and with both sinks on (Kafka: librdkafka's mock cluster in kcat; ClickHouse
 * 18.16 over HTTP), side by side in the same run, the order alternating from pair to pair (a shared
 * machine drifts). Reported per pair: ingestion events/s with and without forwarders and their ratio
 * (the cost), collector CPU per event (whole process, and its main thread alone: the forwarders run
 * in a worker thread), each sink's forwarding throughput during the load, and its lag over time
 * (sampled from /metrics every 500 ms): bounded = the lag does not grow over the run (see `trace`:
 * the troughs of the second half rise by under 5 % of the ingestion rate, and its peak is at most
 * 1.5 × the first half's plus one batch of the sink). Then how long the backlog took to drain after the
 * load stopped, and ingestion with a ClickHouse that refuses connections. Each pair also runs both
 * paced at half the rate it ingested without forwarders (below saturation: p99, CPU, lag).
 * The forwarder thread's own CPU per event comes from /metrics (tally_forward_thread_cpu_seconds_total),
 * the sink servers' from /proc. BENCH_FORWARD_PIN=1 pins the sink servers to CPU 1 and this process
 * (the load generator) with the collectors it starts to CPU 0, so that the sinks — on other machines
 * in production — take no CPU from ingestion (the collector then has one core, with or without forwarders).
 * Why ingestion loses throughput is measured too: the main thread's run delay (time it was runnable
 * but had no core, from /proc schedstat) and the event log's fsync count and mean latency (from
 * /metrics). Before each run the sink servers must be idle (ClickHouse merges for seconds after a run).
 * Knobs: BENCH_FORWARD_RUNS (3 pairs), BENCH_FORWARD_SECONDS (20), BENCH_FORWARD_SINKS (kafka,clickhouse), BENCH_FORWARD_PIN (0),
 * BENCH_FORWARD_BATCH (1000: the collector's TALLY_FORWARD_BATCH), TALLY_FORWARD_PRIORITY (passed on to the
 * collectors), BENCH_FORWARD_PACED (1; 0 skips the paced runs), BENCH_FORWARD_SINKS_PRIORITY (normal;
 * idle = the sink servers under SCHED_IDLE: a tiny weight, mostly the CPU nothing else wants), BENCH_FORWARD_SINK_DIR
 * (ClickHouse's data directory; e.g. a tmpfs, so the sinks do not share the collector's disk).
 */

async function metrics(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(tally_forward_\w+)\{sink="(\w+)"\} (\S+)$/.exec(line);
    if (m) out[`${m[1]}:${m[2]}`] = Number(m[3]);
    const t = /^tally_forward_thread_cpu_seconds_total (\S+)$/.exec(line);
    if (t) out.thread_cpu = Number(t[1]);
    const f = /^tally_fsync_duration_seconds_(sum|count) (\S+)$/.exec(line);
    if (f) out[`fsync_${f[1]}`] = Number(f[2]);
  }
  return out;
}

interface LagTrace {
  /** [seconds since the load started, lag in events] every 500 ms. */
  samples: [number, number][];
  max: number;
  end: number;
  /** Largest lag in the first half of the run. */
  max_first_half: number;
  /** Least-squares slope of the lag over the second half, events/s (> 0: growing); swings with the sawtooth. */
  trend_per_s: number;
  /** Slope of the troughs (least lag per 2-s window) over the second half, events/s: what `bounded` reads. */
  trough_trend_per_s: number;
  bounded: boolean;
}

interface Run {
  events_per_s: number;
  cpu_us_per_event: number;
  main_thread_cpu_us_per_event: number;
  /** autocannon in this process: at saturation it shares the cores with everything else. */
  load_generator_cpu_us_per_event: number;
  /** The forwarder thread alone (its own /proc figure, from /metrics). */
  forwarder_thread_cpu_us_per_event?: number;
  /** kcat's mock broker and ClickHouse together: on other machines in production. */
  sink_servers_cpu_us_per_event?: number;
  sink_server_cpu_us_per_event_each?: { kafka: number; clickhouse: number };
  p99_ms: number;
  /** Milliseconds per second of load the collector's main thread was runnable but had no core. */
  main_thread_run_delay_ms_per_s: number;
  /** The event log's fsyncs during the load: how many per second, and their mean latency. */
  fsyncs_per_s: number;
  fsync_mean_ms: number;
  /** The collector's peak resident set (VmHWM, warm-up included): the forwarders' read window and batches live outside the JS heap. */
  peak_rss_mib: number;
  forwarded_per_s?: Record<string, number>;
  lag?: Record<string, LagTrace>;
  drain_seconds?: number;
}

/** Seconds one thread of a process spent runnable but waiting for a core (schedstat's run_delay). */
function threadRunDelaySeconds(pid: number, tid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
}

/** CPU seconds of one thread of a process (the main thread's id is the process id). */
function threadCpuSeconds(pid: number, tid: number): number {
  return statCpuSeconds(`/proc/${pid}/task/${tid}/stat`);
}

function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Whether a sink kept up. A forwarder's lag is a sawtooth: it grows until a batch goes and drops
 * when the sink acknowledges it, with a period of up to a linger for ClickHouse (one insert per
 * linger of up to SPACED_MAX_BATCH events) and an amplitude of up to a second of ingestion. A least-
 * squares slope through a sawtooth that large swings by ± amplitude / duration, so growth is read
 * from the troughs: the least lag of each 2-s window (two lingers, so each holds a send) of the
 * second half. Not keeping up: troughs rising by more than 5 % of the ingestion rate, or a second
 * half whose peak exceeds the first half's by half again plus one batch of the sink.
 */
function trace(samples: [number, number][], seconds: number, ingestPerS: number, batch: number): LagTrace {
  const first = samples.filter(([t]) => t < seconds / 2);
  const second = samples.filter(([t]) => t >= seconds / 2);
  const max = Math.max(0, ...samples.map(([, v]) => v));
  const maxFirst = Math.max(0, ...first.map(([, v]) => v));
  const end = samples.length > 0 ? samples[samples.length - 1]![1] : 0;
  const troughs = new Map<number, [number, number]>();
  for (const [t, v] of second) {
    const w = Math.floor(t / 2);
    const have = troughs.get(w);
    if (have === undefined || v < have[1]) troughs.set(w, [t, v]);
  }
  const troughTrend = slope([...troughs.values()]);
  const maxSecond = Math.max(0, ...second.map(([, v]) => v));
  const bounded = troughTrend < 0.05 * ingestPerS && maxSecond <= 1.5 * maxFirst + batch;
  return { samples, max, end, max_first_half: maxFirst, trend_per_s: Math.round(slope(second)), trough_trend_per_s: Math.round(troughTrend), bounded };
}

/** CPU seconds the sink servers have used (every thread of each process). */
const serversCpu = (servers: RunningServer[]) => servers.reduce((a, s) => a + cpuSeconds(s.proc.pid!), 0);

/**
 * Waits until the sink servers are idle (under 5 % of a core over half a second, at most 60 s):
 * ClickHouse merges the parts of a run for seconds after it, which took CPU from whichever run came
 * next (in a pair run "with" first, the "without" run paid for the merges).
 */
async function settle(servers: RunningServer[]): Promise<number> {
  const t = Date.now();
  for (;;) {
    const c0 = serversCpu(servers);
    await new Promise((r) => setTimeout(r, 500));
    const c1 = serversCpu(servers);
    if (c1 - c0 < 0.025 || Date.now() - t > 60_000) return (Date.now() - t) / 1000;
  }
}

async function once(seconds: number, env: Record<string, string>, make: () => string, forwarding: boolean, servers: RunningServer[], eventsPerS?: number): Promise<Run> {
  await settle(servers);
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
    const m0 = await metrics(url);
    const samples: Record<string, [number, number][]> = {};
    let sampling = forwarding;
    const t0 = Date.now();
    const sampler = (async () => {
      while (sampling) {
        const at = (Date.now() - t0) / 1000;
        for (const [k, v] of Object.entries(await metrics(url))) {
          if (k.startsWith('tally_forward_lag_events:')) (samples[k.split(':')[1]!] ??= []).push([Number(at.toFixed(1)), v]);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const cpu0 = cpuSeconds(pid);
    const main0 = threadCpuSeconds(pid, pid);
    const delay0 = threadRunDelaySeconds(pid, pid);
    const srv0 = serversCpu(servers);
    const each0 = servers.map((s) => cpuSeconds(s.proc.pid!));
    const gen0 = process.cpuUsage();
    const r = await load(url, '/v1/events', seconds, 32, make, eventsPerS === undefined ? undefined : Math.max(1, Math.round(eventsPerS / 50)));
    const cpu = cpuSeconds(pid) - cpu0;
    const mainCpu = threadCpuSeconds(pid, pid) - main0;
    const delay = threadRunDelaySeconds(pid, pid) - delay0;
    // One read of /metrics at the end of the load serves the fsync and the forwarders' figures.
    const m1 = await metrics(url);
    const fsyncs = (m1.fsync_count ?? 0) - (m0.fsync_count ?? 0);
    const srvCpu = serversCpu(servers) - srv0;
    const each = servers.map((s, i) => cpuSeconds(s.proc.pid!) - each0[i]!);
    const gen = process.cpuUsage(gen0);
    sampling = false;
    await sampler;
    const stored = (await countStored(dataDir)) - before;
    const run: Run = {
      events_per_s: Math.round(stored / seconds),
      cpu_us_per_event: Number(((cpu * 1e6) / stored).toFixed(1)),
      main_thread_cpu_us_per_event: Number(((mainCpu * 1e6) / stored).toFixed(1)),
      load_generator_cpu_us_per_event: Number(((gen.user + gen.system) / stored).toFixed(1)),
      p99_ms: r.latency.p99,
      main_thread_run_delay_ms_per_s: Number(((delay * 1000) / seconds).toFixed(1)),
      fsyncs_per_s: Math.round(fsyncs / seconds),
      fsync_mean_ms: fsyncs > 0 ? Number(((((m1.fsync_sum ?? 0) - (m0.fsync_sum ?? 0)) * 1000) / fsyncs).toFixed(2)) : 0,
      peak_rss_mib: peakRssMiB(pid),
    };
    if (forwarding) {
      if (m1.thread_cpu !== undefined && m0.thread_cpu !== undefined) run.forwarder_thread_cpu_us_per_event = Number((((m1.thread_cpu - m0.thread_cpu) * 1e6) / stored).toFixed(1));
      run.sink_servers_cpu_us_per_event = Number(((srvCpu * 1e6) / stored).toFixed(1));
      // `servers` is [kcat's broker, ClickHouse] (see run()).
      run.sink_server_cpu_us_per_event_each = { kafka: Number(((each[0]! * 1e6) / stored).toFixed(1)), clickhouse: Number(((each[1]! * 1e6) / stored).toFixed(1)) };
      run.forwarded_per_s = {};
      for (const sink of ['kafka', 'clickhouse']) run.forwarded_per_s[sink] = Math.round(((m1[`tally_forward_events_total:${sink}`] ?? 0) - (m0[`tally_forward_events_total:${sink}`] ?? 0)) / seconds);
      run.lag = {};
      for (const [sink, s] of Object.entries(samples)) run.lag[sink] = trace(s, seconds, run.events_per_s, sink === 'clickhouse' ? SPACED_MAX_BATCH : 1000);
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

const lagNote = (l: Record<string, LagTrace> | undefined) =>
  Object.entries(l ?? {})
    .map(([sink, t]) => `${sink} max ${t.max} end ${t.end} trend ${t.trend_per_s}/s troughs ${t.trough_trend_per_s}/s ${t.bounded ? 'bounded' : 'GROWING'}`)
    .join(', ');

export async function run(): Promise<Record<string, unknown>> {
  const runs = num('BENCH_FORWARD_RUNS', 3);
  const seconds = num('BENCH_FORWARD_SECONDS', 20);
  const sinks = (process.env.BENCH_FORWARD_SINKS ?? 'kafka,clickhouse').split(',');
  const pin = process.env.BENCH_FORWARD_PIN === '1';
  const paced = process.env.BENCH_FORWARD_PACED !== '0';
  const sinkPriority = process.env.BENCH_FORWARD_SINKS_PRIORITY === 'idle' ? 'idle' : 'normal';
  const batch = num('BENCH_FORWARD_BATCH', 1000);
  // BENCH_FORWARD_SINK_DIR: where ClickHouse keeps its data (a tmpfs gives the sinks a disk of their own, as elsewhere in production).
  const sinkDir = process.env.BENCH_FORWARD_SINK_DIR;
  const [kafka, ch] = await Promise.all([startKafkaMock(), startClickHouse(undefined, sinkDir)]);
  const servers = [kafka, ch];
  if (pin) {
    // Sinks on CPU 1; this process (the load generator) and every collector it starts on CPU 0.
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    for (const s of servers) execFileSync('taskset', ['-a', '-p', '-c', '1', String(s.proc.pid)], { stdio: 'ignore' });
  }
  if (sinkPriority === 'idle') {
    // SCHED_IDLE for every thread of the sink servers (threads they start later inherit it): they then
    // mostly run on a core nothing else wants (a tiny weight, not a strict priority), yet still get the spare CPU.
    for (const s of servers) execFileSync('chrt', ['--idle', '-a', '-p', '0', String(s.proc.pid)], { stdio: 'ignore' });
  }
  try {
    const batches = batchMaker();
    const off: Run[] = [];
    const on: Run[] = [];
    const down: Run[] = [];
    const pacedOff: Run[] = [];
    const pacedOn: Run[] = [];
    const ratios: number[] = [];
    const loads: number[] = [];
    for (let i = 0; i < runs; i++) {
      const table = `bench_${process.pid}_${i}`;
      await applySchema({ url: ch.address, database: 'default', table, username: 'default', password: '' }, 90);
      const env = {
        ...(sinks.includes('kafka') ? { TALLY_KAFKA_BROKERS: kafka.address, TALLY_KAFKA_TOPIC: `bench-${process.pid}-${i}` } : {}),
        ...(sinks.includes('clickhouse') ? { TALLY_CLICKHOUSE_URL: ch.address, TALLY_CLICKHOUSE_TABLE: table } : {}),
        ...(batch !== 1000 ? { TALLY_FORWARD_BATCH: String(batch) } : {}),
        // The collectors do not inherit this process's environment (testEnv): pass the knob on.
        ...(process.env.TALLY_FORWARD_PRIORITY !== undefined ? { TALLY_FORWARD_PRIORITY: process.env.TALLY_FORWARD_PRIORITY } : {}),
      };
      // Alternating order: whichever runs second is not always the one a drifting machine favours.
      if (i % 2 === 0) {
        off.push(await once(seconds, {}, batches.make, false, servers));
        on.push(await once(seconds, env, batches.make, true, servers));
      } else {
        on.push(await once(seconds, env, batches.make, true, servers));
        off.push(await once(seconds, {}, batches.make, false, servers));
      }
      ratios.push(on[i]!.events_per_s / off[i]!.events_per_s);
      // Paced at half of what this pair ingested without forwarders: below saturation, the cost is
      // latency and CPU, and the question is whether the forwarders keep up.
      const rate = Math.round(off[i]!.events_per_s / 2);
      if (!paced) {
        // BENCH_FORWARD_PACED=0: saturation only (no paced figures are reported).
      } else if (i % 2 === 0) {
        pacedOff.push(await once(seconds, {}, batches.make, false, servers, rate));
        pacedOn.push(await once(seconds, env, batches.make, true, servers, rate));
      } else {
        pacedOn.push(await once(seconds, env, batches.make, true, servers, rate));
        pacedOff.push(await once(seconds, {}, batches.make, false, servers, rate));
      }
      loads.push(Number(loadavg()[0]!.toFixed(1)));
      process.stderr.write(`  pair ${i + 1}/${runs} (${i % 2 === 0 ? 'without first' : 'with first'}): without ${off[i]!.events_per_s} ev/s (${off[i]!.cpu_us_per_event} µs CPU/event), with ${on[i]!.events_per_s} ev/s (${on[i]!.cpu_us_per_event} µs, main thread ${on[i]!.main_thread_cpu_us_per_event} µs, forwarder thread ${on[i]!.forwarder_thread_cpu_us_per_event} µs, sink servers ${on[i]!.sink_servers_cpu_us_per_event} µs: ${JSON.stringify(on[i]!.sink_server_cpu_us_per_event_each)}), ratio ${ratios[i]!.toFixed(3)}, main-thread run delay ${off[i]!.main_thread_run_delay_ms_per_s} → ${on[i]!.main_thread_run_delay_ms_per_s} ms/s, fsyncs ${off[i]!.fsyncs_per_s}/s ${off[i]!.fsync_mean_ms} ms → ${on[i]!.fsyncs_per_s}/s ${on[i]!.fsync_mean_ms} ms, forwarded ${JSON.stringify(on[i]!.forwarded_per_s)}, lag ${lagNote(on[i]!.lag)}, drain ${on[i]!.drain_seconds} s, peak RSS ${off[i]!.peak_rss_mib} → ${on[i]!.peak_rss_mib} MiB${paced ? `; paced at ${rate} ev/s: p99 ${pacedOff[i]!.p99_ms} → ${pacedOn[i]!.p99_ms} ms, main-thread CPU ${pacedOff[i]!.main_thread_cpu_us_per_event} → ${pacedOn[i]!.main_thread_cpu_us_per_event} µs/event, lag ${lagNote(pacedOn[i]!.lag)}` : ''}; load ${loads[i]}\n`);
    }
    // A ClickHouse that refuses connections: ingestion must not notice (once, after the pairs).
    const downPair = { off: await once(seconds, {}, batches.make, false, servers), down: await once(seconds, { TALLY_CLICKHOUSE_URL: `http://127.0.0.1:${await freePort()}` }, batches.make, false, servers) };
    down.push(downPair.down);
    process.stderr.write(`  sink down: ${downPair.down.events_per_s} ev/s p99 ${downPair.down.p99_ms} ms, without forwarders ${downPair.off.events_per_s} ev/s p99 ${downPair.off.p99_ms} ms\n`);
    const ratio = median(ratios);
    const coLocated = sinkPriority === 'normal' && sinkDir === undefined && !pin;
    const met = 1 - ratio < 0.15 && on.every((r) => Object.values(r.lag ?? {}).every((t) => t.bounded));
    return {
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, load_average_1m_per_pair: loads },
      setup: { pairs: runs, seconds, connections: 32, events_per_batch: 50, fsync: 'always', sinks: sinks.map((x) => (x === 'kafka' ? 'kafka (kcat mock cluster)' : 'clickhouse 18.16 (HTTP)')), batch, linger_ms: 1000, forwarders: 'worker thread', paced_runs: paced, sink_data_dir: sinkDir ?? 'the OS temp dir (the collector\'s disk)', sink_servers_priority: sinkPriority === 'idle' ? 'SCHED_IDLE (partly as if on machines of their own)' : 'normal (competing with the collector)', forwarder_priority: process.env.TALLY_FORWARD_PRIORITY ?? 'idle', pinned: pin ? 'load generator + collector on CPU 0, sink servers on CPU 1' : 'no (everything shares every core)' },
      ingest_events_per_s: { without_forwarders: median(off.map((r) => r.events_per_s)), with_forwarders: median(on.map((r) => r.events_per_s)) },
      ratio_with_to_without_per_pair: ratios.map((r) => Number(r.toFixed(3))),
      ingest_cost: Number((1 - ratio).toFixed(3)),
      lag_bounded_every_pair: on.every((r) => Object.values(r.lag ?? {}).every((t) => t.bounded)),
      sink_down: { events_per_s: downPair.down.events_per_s, p99_ms: downPair.down.p99_ms, without_forwarders_events_per_s: downPair.off.events_per_s, without_forwarders_p99_ms: downPair.off.p99_ms },
      cpu_us_per_event: {
        without_forwarders: median(off.map((r) => r.cpu_us_per_event)),
        with_forwarders: median(on.map((r) => r.cpu_us_per_event)),
        with_forwarders_main_thread: median(on.map((r) => r.main_thread_cpu_us_per_event)),
        without_forwarders_main_thread: median(off.map((r) => r.main_thread_cpu_us_per_event)),
        forwarder_thread: median(on.map((r) => r.forwarder_thread_cpu_us_per_event ?? NaN)),
        sink_servers: median(on.map((r) => r.sink_servers_cpu_us_per_event ?? NaN)),
        sink_server_kafka: median(on.map((r) => r.sink_server_cpu_us_per_event_each?.kafka ?? NaN)),
        sink_server_clickhouse: median(on.map((r) => r.sink_server_cpu_us_per_event_each?.clickhouse ?? NaN)),
      },
      /**
       * The forwarder thread's CPU per event as a share of what ingesting an event costs the
       * collector without forwarders: the collector's own added CPU, what matters where the sinks
       * run on other machines (the co-located figure above also pays the sink servers' CPU).
       */
      forwarder_thread_cpu_relative_to_ingestion: Number((median(on.map((r) => r.forwarder_thread_cpu_us_per_event ?? NaN)) / median(off.map((r) => r.cpu_us_per_event))).toFixed(3)),
      load_generator_cpu_us_per_event: median(off.map((r) => r.load_generator_cpu_us_per_event)),
      /** The collector's CPU per event that forwarding adds, as a share of it with forwarders (what ingestion loses when the collector's cores are the limit and the sinks run elsewhere). */
      collector_cpu_share_of_forwarding: Number((1 - median(off.map((r) => r.cpu_us_per_event)) / median(on.map((r) => r.cpu_us_per_event))).toFixed(3)),
      p99_ms: { without_forwarders: median(off.map((r) => r.p99_ms)), with_forwarders: median(on.map((r) => r.p99_ms)) },
      forwarded_per_s: { kafka: median(on.map((r) => r.forwarded_per_s!.kafka!)), clickhouse: median(on.map((r) => r.forwarded_per_s!.clickhouse!)) },
      max_lag_events: { kafka: Math.max(...on.map((r) => r.lag?.kafka?.max ?? 0)), clickhouse: Math.max(...on.map((r) => r.lag?.clickhouse?.max ?? 0)) },
      drain_seconds: median(on.map((r) => r.drain_seconds!)),
      paced_at_half: !paced ? 'not run (BENCH_FORWARD_PACED=0)' : {
        events_per_s: { without_forwarders: median(pacedOff.map((r) => r.events_per_s)), with_forwarders: median(pacedOn.map((r) => r.events_per_s)) },
        p99_ms: { without_forwarders: median(pacedOff.map((r) => r.p99_ms)), with_forwarders: median(pacedOn.map((r) => r.p99_ms)) },
        cpu_us_per_event: {
          without_forwarders: median(pacedOff.map((r) => r.cpu_us_per_event)),
          with_forwarders: median(pacedOn.map((r) => r.cpu_us_per_event)),
          with_forwarders_main_thread: median(pacedOn.map((r) => r.main_thread_cpu_us_per_event)),
          forwarder_thread: median(pacedOn.map((r) => r.forwarder_thread_cpu_us_per_event ?? NaN)),
          sink_servers: median(pacedOn.map((r) => r.sink_servers_cpu_us_per_event ?? NaN)),
        },
        lag_end_events: { kafka: Math.max(...pacedOn.map((r) => r.lag?.kafka?.end ?? 0)), clickhouse: Math.max(...pacedOn.map((r) => r.lag?.clickhouse?.end ?? 0)) },
        forwarded_per_s: { kafka: median(pacedOn.map((r) => r.forwarded_per_s!.kafka!)), clickhouse: median(pacedOn.map((r) => r.forwarded_per_s!.clickhouse!)) },
        max_lag_events: { kafka: Math.max(...pacedOn.map((r) => r.lag?.kafka?.max ?? 0)), clickhouse: Math.max(...pacedOn.map((r) => r.lag?.clickhouse?.max ?? 0)) },
        lag_bounded_every_pair: pacedOn.every((r) => Object.values(r.lag ?? {}).every((t) => t.bounded)),
      },
      goal: {
        ingest_cost_below: 0.15,
        lag_bounded: true,
        met,
        // Only the default set-up is the co-located measure; the knobs keep the sinks out of the collector's way.
        sinks: coLocated ? 'co-located: same cores at the same priority, same disk' : 'kept out of the collector\'s way by the knobs in setup',
        met_co_located: coLocated ? met : undefined,
      },
      main_thread_run_delay_ms_per_s: { without_forwarders: median(off.map((r) => r.main_thread_run_delay_ms_per_s)), with_forwarders: median(on.map((r) => r.main_thread_run_delay_ms_per_s)) },
      peak_rss_mib: { without_forwarders: median(off.map((r) => r.peak_rss_mib)), with_forwarders: median(on.map((r) => r.peak_rss_mib)) },
      fsync: {
        per_s: { without_forwarders: median(off.map((r) => r.fsyncs_per_s)), with_forwarders: median(on.map((r) => r.fsyncs_per_s)) },
        mean_ms: { without_forwarders: median(off.map((r) => r.fsync_mean_ms)), with_forwarders: median(on.map((r) => r.fsync_mean_ms)) },
      },
      runs: { without: off, with: on, paced_without: pacedOff, paced_with: pacedOn, sink_down: down },
    };
  } finally {
    await Promise.all([kafka.stop(), ch.stop()]);
  }
}
