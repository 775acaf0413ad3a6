import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySchema } from '../collector/src/forward/clickhouse.js';
import { createForwarder, sinksFor, type ForwardConfig } from '../collector/src/forward/index.js';
import { sharedReaderFor } from '../collector/src/forward/hub.js';
import { startClickHouse, startKafkaMock, type RunningServer } from '../collector/src/forward/testing/servers.js';
import { openLogReader, openLogStore, type OpenLogStore } from '../collector/src/logstore/index.js';

type StoredEvent = Parameters<OpenLogStore['append']>[0][number];
import { runAsScript } from './as-script.js';
import { batchMaker, cpuSeconds, median } from './ingest.js';
import { num } from './knobs.js';

/**
 * Forwarding cost per sink, without ingestion beside it: a log of BENCH_FORWARD_EVENTS realistic
 * stored events (the ingest benchmark's events as the collector stores them) is replayed in this
 * process (`forward --replay`'s path, batch 1000) to Kafka alone, ClickHouse alone, and both at once
 * through one shared reader (as the collector's forwarder thread runs them). Reported: the
 * forwarders' CPU per event (read, parse, encode, send; a replay writes no checkpoints) and the sink
 * servers' CPU per event (kcat's mock broker, ClickHouse 18.16), which in production run on other
 * machines. CPU per event hardly depends on what else the machine runs, unlike events/s.
 * Knobs: BENCH_FORWARD_EVENTS (100000), BENCH_FORWARD_SINK_RUNS (3), BENCH_FORWARD_SINKS (kafka,clickhouse,both).
 */

const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** A data dir holding `n` stored events of the ingest benchmark's shape, on today's day file. */
export async function fillLog(n: number): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tally-bench-sinks-'));
  const log = await openLogStore({ dataDir, fsync: 'off', logger: silent, clock: { now: () => Date.now() } });
  const make = batchMaker().make;
  try {
    for (let done = 0; done < n; ) {
      const now = new Date().toISOString();
      const batch: StoredEvent[] = [];
      for (const w of (JSON.parse(make()) as { events: Record<string, unknown>[] }).events) {
        if (done + batch.length >= n) break;
        const { event_id, event_type, ts, context, ...rest } = w;
        batch.push({ event_id, event_type, ts, time: now, received_at: now, app: 'bench', ...rest, context: { ...(context as object), platform: 'web' } } as StoredEvent);
      }
      await log.append(batch);
      done += batch.length;
    }
  } finally {
    await log.close();
  }
  return dataDir;
}

interface SinkCost {
  events: number;
  /** This process's CPU (the forwarders: read, parse, encode, send) per event forwarded to every sink. */
  forwarder_cpu_us_per_event: number;
  /** The sink servers' CPU per event (on another machine in production). */
  server_cpu_us_per_event: number;
  events_per_s: number;
}

/** Replays the whole log to `sinks` at once, sharing one reader as the collector's forwarders do. */
async function replay(dataDir: string, config: ForwardConfig, servers: RunningServer[]): Promise<SinkCost> {
  const sinks = await sinksFor(config, silent);
  const log = await openLogReader({ dataDir, logger: silent });
  const reader = sharedReaderFor(log, sinks, config.batchSize);
  try {
    const fs = sinks.map((sink) => createForwarder({ sink, log, reader, dataDir, batchSize: config.batchSize, lingerMs: 0, clock: { now: () => Date.now() }, logger: silent, replayFrom: '2000-01-01' }));
    const srvCpu = () => servers.reduce((a, s) => a + cpuSeconds(s.proc.pid!), 0);
    const cpu0 = process.cpuUsage();
    const srv0 = srvCpu();
    const t0 = process.hrtime.bigint();
    await Promise.all(fs.map((f) => f.drain()));
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const srv = srvCpu() - srv0;
    const n = Math.min(...fs.map((f) => f.status().forwarded));
    return {
      events: n,
      forwarder_cpu_us_per_event: Number(((cpu.user + cpu.system) / n).toFixed(2)),
      server_cpu_us_per_event: Number(((srv * 1e6) / n).toFixed(2)),
      events_per_s: Math.round(n / wall),
    };
  } finally {
    await Promise.all(sinks.map((s) => s.close()));
    await log.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const events = num('BENCH_FORWARD_EVENTS', 100_000);
  const runs = num('BENCH_FORWARD_SINK_RUNS', 3);
  const only = (process.env.BENCH_FORWARD_SINKS ?? 'kafka,clickhouse,both').split(',');
  const dataDir = await fillLog(events);
  const [kafka, ch] = await Promise.all([startKafkaMock(), startClickHouse()]);
  const results: Record<'kafka' | 'clickhouse' | 'both', SinkCost[]> = { kafka: [], clickhouse: [], both: [] };
  try {
    for (let i = 0; i < runs; i++) {
      const base = { batchSize: 1000, lingerMs: 0, priority: 0, kafka: undefined, clickhouse: undefined };
      const kc = (name: string) => ({ brokers: [kafka.address], topic: `sinks-${process.pid}-${name}-${i}`, controlTopic: `sinks-control-${process.pid}`, clientId: 'bench', tls: false, sasl: undefined });
      const cc = async (name: string) => {
        const c = { url: ch.address, database: 'default', table: `sinks_${process.pid}_${name}_${i}`, username: 'default', password: '' };
        await applySchema(c, 90);
        return c;
      };
      if (only.includes('kafka')) results.kafka.push(await replay(dataDir, { ...base, kafka: kc('k') }, [kafka]));
      if (only.includes('clickhouse')) results.clickhouse.push(await replay(dataDir, { ...base, clickhouse: await cc('c') }, [ch]));
      if (only.includes('both')) results.both.push(await replay(dataDir, { ...base, kafka: kc('b'), clickhouse: await cc('b') }, [kafka, ch]));
      process.stderr.write(`  run ${i + 1}/${runs}: ${JSON.stringify({ kafka: results.kafka[i], clickhouse: results.clickhouse[i], both: results.both[i] })}\n`);
    }
  } finally {
    await Promise.all([kafka.stop(), ch.stop(), rm(dataDir, { recursive: true, force: true })]);
  }
  const summary = (rs: SinkCost[]) => ({
    forwarder_cpu_us_per_event: median(rs.map((r) => r.forwarder_cpu_us_per_event)),
    server_cpu_us_per_event: median(rs.map((r) => r.server_cpu_us_per_event)),
    events_per_s: median(rs.map((r) => r.events_per_s)),
    runs: rs,
  });
  return { events, batch: 1000, kafka: summary(results.kafka), clickhouse: summary(results.clickhouse), both_shared_reader: summary(results.both) };
}


runAsScript(import.meta.url, run);
