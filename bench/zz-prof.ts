import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogStore } from '../collector/src/logstore/index.js';
import { createForwardHub } from '../collector/src/forward/hub.js';
import { sinksFor } from '../collector/src/forward/hub.js';
import { applySchema } from '../collector/src/forward/clickhouse.js';
import { startClickHouse, startKafkaMock } from '../collector/src/forward/testing/servers.js';
import { realisticEvent } from '../collector/src/server/process-helpers.js';

const which = process.argv[2] ?? 'both';
const [kafka, ch] = await Promise.all([startKafkaMock(), startClickHouse()]);
const dataDir = await mkdtemp(join(tmpdir(), 'fprof-'));
const logger = { info() {}, warn: (m: string, f?: unknown) => console.error(m, f), error: (m: string, f?: unknown) => console.error(m, f) };
const log = await openLogStore({ dataDir, fsync: 'off', logger, clock: { now: () => Date.now() } });
const N = 60000;
for (let i = 0; i < N; i += 1000) {
  const evs = Array.from({ length: 1000 }, (_, k) => { const e = realisticEvent(i + k) as Record<string, unknown>; return { ...e, time: e.ts, received_at: new Date().toISOString() }; });
  await log.append(evs as never);
}
await applySchema({ url: ch.address, database: 'default', table: 'p', username: 'default', password: '' }, 90);
const config = { batchSize: 1000, lingerMs: 0, kafka: which !== 'clickhouse' ? { brokers: [kafka.address], topic: 'p', controlTopic: 'pc', clientId: 'p', tls: false, sasl: undefined } : undefined, clickhouse: which !== 'kafka' ? { url: ch.address, database: 'default', table: 'p', username: 'default', password: '' } : undefined };
const sinks = which === 'noop' ? [{ name: 'clickhouse' as const, send: async () => {}, erase: async () => {}, close: async () => {} }] : await sinksFor(config);
const hub = (await createForwardHub({ config, dataDir, log, clock: { now: () => Date.now() }, logger, sinks }))!;
const c0 = process.cpuUsage(); const t0 = Date.now();
await hub.start();
while (hub.status().some((s) => s.forwarded < N)) await new Promise((r) => setTimeout(r, 20));
const c = process.cpuUsage(c0);
console.log(which, 'wall', Date.now() - t0, 'ms; cpu µs/event', ((c.user + c.system) / N).toFixed(1));
await hub.stop(); await log.close(); await kafka.stop(); await ch.stop();
process.exit(0);
