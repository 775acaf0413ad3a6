import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postBatch, realisticEvent, storedIds } from '../testing/process-requests.js';
import { killQuietly, startCollector, type CollectorProcess } from '../testing/index.js';
import { SCHED_IDLE, threadPolicy } from '../shared/index.js';
import { applySchema } from './clickhouse.js';
import { chQuery, startClickHouse, type RunningServer } from './testing/servers.js';
import { waitFor } from './testing/support.js';

/**
 * A real collector process forwarding to ClickHouse 18.16 is SIGKILLed while batches are in flight
 * and started again: it resumes from its checkpoint, no event is missing, and the batch sent before
 * the kill but not checkpointed (sent twice) collapses after `OPTIMIZE ... FINAL`.
 */

let ch: RunningServer;
let dataDir: string;
const running: CollectorProcess[] = [];
beforeAll(async () => {
  ch = await startClickHouse();
  dataDir = await mkdtemp(join(tmpdir(), 'tally-fwd-crash-'));
}, 120_000);
afterAll(async () => {
  for (const c of running) killQuietly(c);
  await ch?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function metric(url: string, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it('a forwarder killed mid-stream resumes from its checkpoint: nothing missing, duplicates collapse', async () => {
  const table = 'events_crash';
  await applySchema({ url: ch.address, database: 'tally_test', table, username: 'default', password: '' }, 90);
  const env = { TALLY_CLICKHOUSE_URL: ch.address, TALLY_CLICKHOUSE_DATABASE: 'tally_test', TALLY_CLICKHOUSE_TABLE: table, TALLY_FORWARD_BATCH: '20', TALLY_FORWARD_LINGER_MS: '0' };
  const first = await startCollector({ dataDir, env });
  running.push(first);
  let sent = 0;
  for (let b = 0; b < 40; b++) {
    const res = await postBatch(first.url, Array.from({ length: 100 }, (_, i) => realisticEvent(sent + i)));
    expect(res.status).toBe(200);
    sent += 100;
  }
  await waitFor('forwarding under way', async () => ((await metric(first.url, 'tally_forward_events_total{sink="clickhouse"}')) ?? 0) > 0);
  if (process.platform === 'linux') {
    // TALLY_FORWARD_PRIORITY (default idle) puts the forwarders' thread alone under SCHED_IDLE; ingestion's main thread keeps its policy.
    const pid = first.proc.pid!;
    const policies = readdirSync(`/proc/${pid}/task`).map((t) => threadPolicy(pid, Number(t)));
    expect(policies.filter((p) => p === SCHED_IDLE)).toHaveLength(1);
    expect(threadPolicy(pid, pid)).not.toBe(SCHED_IDLE);
  }
  first.proc.kill('SIGKILL');
  await first.exited;

  const second = await startCollector({ dataDir, env });
  running.push(second);
  await waitFor('caught up after restart', async () => (await metric(second.url, 'tally_forward_lag_events{sink="clickhouse"}')) === 0, 180_000);
  const ids = await storedIds(dataDir);
  expect(ids).toHaveLength(4000);
  const inCh = new Set((await chQuery(ch.address, `SELECT event_id FROM tally_test.${table}`)).split('\n').filter(Boolean));
  for (const id of ids) expect(inCh.has(id), id).toBe(true);
  const before = Number((await chQuery(ch.address, `SELECT count() FROM tally_test.${table}`)).trim());
  expect(before).toBeGreaterThanOrEqual(4000);
  await chQuery(ch.address, `OPTIMIZE TABLE tally_test.${table} FINAL`);
  expect(Number((await chQuery(ch.address, `SELECT count() FROM tally_test.${table}`)).trim())).toBe(4000);
  second.proc.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
}, 300_000);
