import { createServer, type Server, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applySchema } from './clickhouse.js';
import { encodeHeaders, kafkaRecord } from './kafka-batch.js';
import { createProducer } from './kafka-producer.js';
import { userKey } from './sink.js';
import { funnelSql, retentionSql, usageSql } from './sql.js';
import { chQuery, freePort, readTopic, startClickHouse, startKafkaMock, type RunningServer } from './testing/servers.js';
import { api, collectorInProcess, ev, ingest, metric, sqlFixture, waitFor } from './testing/support.js';

/**
 * The forwarders against real servers: librdkafka's mock cluster (kcat) and Debian's ClickHouse
 * 18.16 over HTTP, both started here on loopback. Current ClickHouse is covered by sql.chdb.test.ts.
 */

let kafka: RunningServer;
let ch: RunningServer;
beforeAll(async () => {
  [kafka, ch] = await Promise.all([startKafkaMock(), startClickHouse()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([kafka?.stop(), ch?.stop()]);
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => {});
}, 60_000);

let tables = 0;
async function freshTable(url = ch.address): Promise<{ table: string; env: Record<string, string> }> {
  const table = `events_${process.pid}_${++tables}`;
  const env = { TALLY_CLICKHOUSE_URL: url, TALLY_CLICKHOUSE_DATABASE: 'tally_test', TALLY_CLICKHOUSE_TABLE: table };
  return { table: `tally_test.${table}`, env };
}
const count = async (sql: string) => Number((await chQuery(ch.address, sql)).trim());

const DAY = 86_400_000;

describe('forwarding to real Kafka and ClickHouse', () => {
  it('every ingested event reaches Kafka keyed by user and ClickHouse with count() matching', async () => {
    const { table, env } = await freshTable();
    await applySchema({ url: ch.address, database: 'tally_test', table: table.split('.')[1]!, username: 'default', password: '' }, 90);
    const topic = `events-${process.pid}-${tables}`;
    const c = await collectorInProcess({ ...env, TALLY_KAFKA_BROKERS: kafka.address, TALLY_KAFKA_TOPIC: topic, TALLY_FORWARD_BATCH: '100' });
    cleanups.push(c.close);
    const now = Date.now();
    const events = Array.from({ length: 450 }, (_, i) => ev(i % 7 === 0 ? `anon-${i % 13}` : `user-${i % 31}`, 'page_view', new Date(now - (i % 5) * 1000)));
    await ingest(c.app, events);
    await waitFor('both sinks caught up', async () => (await metric(c.app, 'tally_forward_lag_events{sink="kafka"}')) === 0 && (await metric(c.app, 'tally_forward_lag_events{sink="clickhouse"}')) === 0);
    expect(await metric(c.app, 'tally_forward_events_total{sink="kafka"}')).toBe(450);
    expect(await metric(c.app, 'tally_forward_events_total{sink="clickhouse"}')).toBe(450);
    expect(await metric(c.app, 'tally_forward_last_success_timestamp_seconds{sink="clickhouse"}')).toBeGreaterThan(now / 1000 - 1);
    // The forwarder thread reports its own CPU time (Linux /proc), not the process's.
    await waitFor('thread CPU reported', async () => ((await metric(c.app, 'tally_forward_thread_cpu_seconds_total')) ?? 0) > 0);

    const msgs = await readTopic(kafka.address, topic);
    expect(msgs).toHaveLength(450);
    const byId = new Map(msgs.map((m) => [(JSON.parse(m.value) as { event_id: string }).event_id, m]));
    for (const e of events) {
      const m = byId.get(e.event_id as string);
      expect(m, `event ${e.event_id as string} in Kafka`).toBeDefined();
      expect(m!.key).toBe(userKey(e as { user_id?: string; anonymous_id?: string }));
      expect(m!.headers).toContain('tally-schema=1');
    }
    // The value is the stored line as written: the file's lines, in order.
    const stored = (await readFile(`${c.dataDir}/events/${new Date(now).toISOString().slice(0, 10)}.ndjson`, 'utf8')).split('\n').filter(Boolean);
    expect(msgs.map((m) => m.value).sort()).toEqual(stored.sort());

    expect(await count(`SELECT count() FROM ${table}`)).toBe(450);
    expect(await count(`SELECT uniqExact(event_id) FROM ${table}`)).toBe(450);
    const row = JSON.parse(await chQuery(ch.address, `SELECT metadata, sdk_name, user_key FROM ${table} WHERE event_id = '${events[1]!.event_id as string}' FORMAT JSONEachRow`)) as Record<string, string>;
    expect(JSON.parse(row.metadata!)).toEqual(events[1]!.metadata);
    expect(row).toMatchObject({ sdk_name: 'tally-browser', user_key: 'user-1' });
  }, 180_000);

  it('a batch of several MB (over a broker\'s default 1 MB request) reaches Kafka whole: every event once', async () => {
    const topic = `big-${process.pid}-${++tables}`;
    const c = await collectorInProcess({ TALLY_KAFKA_BROKERS: kafka.address, TALLY_KAFKA_TOPIC: topic, TALLY_FORWARD_BATCH: '2000', TALLY_FORWARD_LINGER_MS: '2000' });
    cleanups.push(c.close);
    // ≈ 1.2 KB per stored line: 2000 of them (one batch) are ≈ 2.4 MB, over a broker's 1 MB default.
    const pad = 'x'.repeat(900);
    const events = Array.from({ length: 2000 }, (_, i) => ({ ...ev(`user-${i % 40}`, 'page_view', new Date()), metadata: { pad, i } }));
    await ingest(c.app, events);
    await waitFor('kafka caught up', async () => (await metric(c.app, 'tally_forward_lag_events{sink="kafka"}')) === 0, 120_000);
    const msgs = await readTopic(kafka.address, topic);
    expect(msgs).toHaveLength(2000);
    expect(new Set(msgs.map((m) => (JSON.parse(m.value) as { event_id: string }).event_id)).size).toBe(2000);
  }, 180_000);

  // librdkafka's mock cluster hands out producer ids but does not check sequence numbers (a run
  // with every first sequence 0 passes too): the sequences' place in the bytes is kafka-batch.test.ts's.
  it('the Kafka producer gets a producer id from the broker and sends with it, batch after batch, each user in order', async () => {
    const topic = `idem-${process.pid}-${++tables}`;
    const notices: string[] = [];
    const producer = createProducer({ config: { brokers: [kafka.address], topic, controlTopic: `${topic}-control`, clientId: 'test', tls: false, sasl: undefined }, requestTimeoutMs: 30_000, onNotice: (m) => notices.push(m) });
    cleanups.push(() => producer.close());
    const headers = encodeHeaders({ 'tally-schema': '1' });
    for (let b = 0; b < 5; b++) {
      const records = Array.from({ length: 120 }, (_, i) => kafkaRecord(Buffer.from(`user-${i % 9}`), Buffer.from(JSON.stringify({ b, i }))));
      await producer.send(topic, records, headers);
    }
    expect(producer.idempotent()).toBe(true);
    expect(notices).toEqual([]);
    const msgs = await readTopic(kafka.address, topic);
    expect(msgs).toHaveLength(600);
    // Each user's records are in one partition, in the order sent.
    for (let u = 0; u < 9; u++) {
      const mine = msgs.filter((m) => m.key === `user-${u}`).map((m) => JSON.parse(m.value) as { b: number; i: number });
      expect(mine.map((v) => v.b * 1000 + v.i)).toEqual([...mine.map((v) => v.b * 1000 + v.i)].sort((x, y) => x - y));
      expect(mine).toHaveLength(5 * Math.ceil((120 - u) / 9));
    }
  }, 120_000);

  it('a sink down at start gets everything once it is up; /healthz stays 200 and reports it; lag falls to 0', async () => {
    const port = await freePort();
    const { table, env } = await freshTable(`http://127.0.0.1:${port}`);
    const c = await collectorInProcess({ ...env, TALLY_FORWARD_BATCH: '64' });
    cleanups.push(c.close);
    const events = Array.from({ length: 300 }, (_, i) => ev(`user-${i % 20}`, 'action', new Date(), 'export'));
    await ingest(c.app, events);
    await waitFor('a failed batch', async () => ((await metric(c.app, 'tally_forward_batches_failed_total{sink="clickhouse"}')) ?? 0) > 0);
    const health = await c.app.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, forwarders: [{ sink: 'clickhouse', ok: false, lag_events: 300 }] });
    expect(await metric(c.app, 'tally_forward_lag_events{sink="clickhouse"}')).toBe(300);
    expect(await metric(c.app, 'tally_forward_up{sink="clickhouse"}')).toBe(0);

    const late = await startClickHouse(port);
    cleanups.push(late.stop);
    await applySchema({ url: late.address, database: 'tally_test', table: table.split('.')[1]!, username: 'default', password: '' }, 90);
    await waitFor('lag 0', async () => (await metric(c.app, 'tally_forward_lag_events{sink="clickhouse"}')) === 0, 120_000);
    expect(Number((await chQuery(late.address, `SELECT count() FROM ${table}`)).trim())).toBe(300);
    expect(Number((await chQuery(late.address, `SELECT uniqExact(event_id) FROM ${table}`)).trim())).toBe(300);
    expect(await metric(c.app, 'tally_forward_lag_seconds{sink="clickhouse"}')).toBe(0);
    expect(await (await c.app.request('/healthz')).json()).toMatchObject({ ok: true, forwarders: [{ sink: 'clickhouse', ok: true, lag_events: 0 }] });
  }, 240_000);

  it('ingestion never waits on a sink that accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    const hole: Server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => hole.close(r));
    });
    const { env } = await freshTable(`http://127.0.0.1:${(hole.address() as { port: number }).port}`);
    const c = await collectorInProcess({ ...env, TALLY_FORWARD_BATCH: '10' });
    cleanups.push(c.close);
    await ingest(c.app, [ev('user-first', 'page_view', new Date())]);
    await waitFor('the forwarder is stuck in a send', () => sockets.size > 0);
    // Every batch is acknowledged while the only sink hangs: the log is the buffer.
    const events = Array.from({ length: 2000 }, (_, i) => ev(`user-${i % 50}`, 'page_view', new Date()));
    await ingest(c.app, events);
    expect(await metric(c.app, 'tally_forward_lag_events{sink="clickhouse"}')).toBe(2001);
    expect(await metric(c.app, 'tally_forward_events_total{sink="clickhouse"}')).toBe(0);
    expect((await c.app.request('/healthz')).status).toBe(200);
  }, 120_000);

  it('an erasure while forwarding leaves the person in neither the log nor ClickHouse, and one erasure record on the control topic', async () => {
    const { table, env } = await freshTable();
    await applySchema({ url: ch.address, database: 'tally_test', table: table.split('.')[1]!, username: 'default', password: '' }, 90);
    const topic = `erase-${process.pid}-${tables}`;
    const control = `control-${process.pid}-${tables}`;
    const c = await collectorInProcess({ ...env, TALLY_KAFKA_BROKERS: kafka.address, TALLY_KAFKA_TOPIC: topic, TALLY_KAFKA_CONTROL_TOPIC: control, TALLY_FORWARD_BATCH: '25' });
    cleanups.push(c.close);
    const who = 'erase.me@example.com';
    const mixed = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ev(i % 4 === 0 ? who : `${tag}-${i % 9}`, 'page_view', new Date()));
    const first = mixed(400, 'a');
    await ingest(c.app, first);
    // The erasure runs while the forwarders are busy: part of the person's events sent, part not yet,
    // and other people's events still arriving.
    await waitFor('forwarding under way', async () => ((await metric(c.app, 'tally_forward_events_total{sink="clickhouse"}')) ?? 0) > 0);
    const second = Array.from({ length: 400 }, (_, i) => ev(`b-${i % 9}`, 'page_view', new Date()));
    const sending = ingest(c.app, second);
    const erased = await api<{ removed: number }>(c.app, `/api/analytics/users/${encodeURIComponent(who)}`, { method: 'DELETE' });
    await sending;
    const third = Array.from({ length: 100 }, (_, i) => ev(`c-${i % 9}`, 'page_view', new Date()));
    await ingest(c.app, third);
    const others = [...first, ...second, ...third].filter((e) => e.user_id !== who);
    expect(erased.removed).toBe(100);
    await waitFor('everything forwarded', async () => (await metric(c.app, 'tally_forward_lag_events{sink="clickhouse"}')) === 0 && (await metric(c.app, 'tally_forward_lag_events{sink="kafka"}')) === 0, 120_000);
    await waitFor('the mutation ran', async () => (await count(`SELECT count() FROM ${table} WHERE user_id = '${who}' OR anonymous_id = 'anon-of-${who}'`)) === 0);

    const log = (await readFile(`${c.dataDir}/events/${new Date().toISOString().slice(0, 10)}.ndjson`, 'utf8')).split('\n').filter(Boolean);
    expect(log.filter((l) => l.includes(who))).toEqual([]);
    expect(log.length).toBe(others.length);
    // Nothing lost or repeated after the checkpoint moved with the rewrite.
    await chQuery(ch.address, `OPTIMIZE TABLE ${table} FINAL`);
    const inCh = new Set((await chQuery(ch.address, `SELECT event_id FROM ${table}`)).split('\n').filter(Boolean));
    for (const e of others) expect(inCh.has(e.event_id as string), `${e.event_id as string} in ClickHouse`).toBe(true);
    expect(await count(`SELECT count() FROM ${table}`)).toBe(others.length);

    const records = await readTopic(kafka.address, control);
    expect(records).toHaveLength(1);
    expect(records[0]!.key).toBe(who);
    const value = JSON.parse(records[0]!.value) as Record<string, unknown>;
    expect(Object.keys(value).sort()).toEqual(['erased_at', 'keys', 'type']);
    expect(value).toMatchObject({ type: 'erasure', keys: [who, `anon-of-${who}`] });
    const audit = await readFile(`${c.dataDir}/audit.log`, 'utf8');
    expect(audit).toMatch(/"actor":"forwarder:clickhouse".*"confirmed":true/);
    expect(audit).toMatch(/"actor":"forwarder:kafka".*"confirmed":true/);
    expect(audit).not.toContain(who);
  }, 240_000);

  it('the documented DAU/WAU/MAU, funnel and retention SQL give the API numbers on ClickHouse 18.16', async () => {
    const { table, env } = await freshTable();
    await applySchema({ url: ch.address, database: 'tally_test', table: table.split('.')[1]!, username: 'default', password: '' }, 90);
    const c = await collectorInProcess(env);
    cleanups.push(c.close);
    const events = sqlFixture(Date.now());
    await ingest(c.app, events);
    await waitFor('forwarded', async () => (await metric(c.app, 'tally_forward_lag_events{sink="clickhouse"}')) === 0);
    const usage = await api<{ dau: number; wau: number; mau: number }>(c.app, '/api/analytics/usage?days=30');
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 29 * DAY).toISOString().slice(0, 10);
    const got = JSON.parse(await chQuery(ch.address, `${usageSql(table, from, today)} FORMAT JSONEachRow`)) as Record<string, number | string>;
    expect({ dau: Number(got.dau), wau: Number(got.wau), mau: Number(got.mau) }).toEqual({ dau: usage.dau, wau: usage.wau, mau: usage.mau });

    const steps = ['page_view:pricing', 'action:signup_button', 'conversion:signup'];
    const funnel = await api<{ steps: { users: number }[] }>(c.app, `/api/analytics/funnel?steps=${steps.join(',')}&within=1d&from=${from}&to=${today}`);
    const row = JSON.parse(await chQuery(ch.address, `${funnelSql(table, steps, DAY, from, today)} FORMAT JSONEachRow`)) as Record<string, string | number>;
    const atLeast = steps.map((_, k) => Number(row[`step_${k + 1}`]));
    expect(atLeast).toEqual(funnel.steps.map((s) => s.users));
    expect(atLeast[0]).toBeGreaterThan(atLeast[2]!); // the fixture really has drop-off

    const retention = await api<{ cohorts: { cohort: string; size: number; active: (number | null)[] }[] }>(c.app, `/api/analytics/retention?cohort=day&periods=7&from=${new Date(Date.now() - 20 * DAY).toISOString().slice(0, 10)}&to=${today}`);
    const cells = (await chQuery(ch.address, `${retentionSql(table)} FORMAT JSONEachRow`)).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { cohort: string; k: number; users: string | number });
    expect(retention.cohorts.length).toBeGreaterThan(3);
    for (const cohort of retention.cohorts) {
      cohort.active.forEach((a, k) => {
        if (a !== null) expect(Number(cells.find((r) => r.cohort === cohort.cohort && Number(r.k) === k)?.users ?? 0), `${cohort.cohort} k=${k}`).toBe(a);
      });
    }
  }, 180_000);
});

