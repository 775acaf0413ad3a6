import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogReader } from '../logstore/index.js';
import { openClickHouse, type ClickHouse } from '../testing/chdb.js';
import { rowsBody } from './clickhouse.js';
import { COLUMNS } from './row-binary.js';
import { clickhouseDdl } from './schema.js';
import { createSharedReader } from './shared-reader.js';
import type { ForwardRecord } from './sink.js';
import { funnelSql, retentionSql, usageSql } from './sql.js';
import { api, collectorInProcess, ingest, sqlFixture } from './testing/support.js';

/**
 * Current ClickHouse (chdb, in-process) runs the same DDL the sink's `clickhouse-schema` prints and
 * the SQL the README documents, on the rows the ClickHouse sink sends for the collector's stored
 * events (RowBinary, read and encoded by the forwarder's reader); the answers must be the query API's. (ClickHouse 18.16 is covered in forward.servers.test.ts.)
 */

const DAY = 86_400_000;
let ch: ClickHouse;
let c: Awaited<ReturnType<typeof collectorInProcess>>;
let dir: string | undefined;
const TABLE = 'tally.events';

beforeAll(async () => {
  ch = await openClickHouse();
  c = await collectorInProcess({});
  await ingest(c.app, sqlFixture(Date.now()));
  await ch.exec('CREATE DATABASE IF NOT EXISTS tally');
  await ch.exec(clickhouseDdl({ database: 'tally', table: 'events' }, 90));
  const log = await openLogReader({ dataDir: c.dataDir, logger: { info: () => {}, warn: () => {}, error: () => {} } });
  const reader = createSharedReader(log, 1_000_000, true);
  const body: Buffer[] = [];
  for (const day of await log.days()) body.push(...rowsBody((await reader.read(day, 0, 1_000_000)).filter((r): r is ForwardRecord => r.key !== undefined)));
  // chdb takes SQL text: the binary body goes through a file, read with the table's column types.
  dir = await mkdtemp(join(tmpdir(), 'tally-chdb-rows-'));
  const file = join(dir, 'rows.bin');
  await writeFile(file, Buffer.concat(body));
  await log.close();
  const types = new Map([...clickhouseDdl({ database: 'tally', table: 'events' }, 90).matchAll(/^ {4}(\w+) (.+?),?$/gm)].map((m) => [m[1]!, m[2]!]));
  const structure = COLUMNS.map((col) => `${col} ${types.get(col)}`).join(', ');
  // Twice, as at-least-once delivery may: ReplacingMergeTree collapses the copies.
  for (let i = 0; i < 2; i++) await ch.exec(`INSERT INTO ${TABLE} (${COLUMNS.join(', ')}) SELECT * FROM file('${file}', 'RowBinary', '${structure.replaceAll("'", "\\'")}')`);
  await ch.exec(`OPTIMIZE TABLE ${TABLE} FINAL`);
}, 300_000);
afterAll(async () => {
  ch?.close();
  await c?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

describe(`the documented SQL on current ClickHouse (chdb)`, () => {
  it('accepts the DDL with its TTL, and duplicates collapse', async () => {
    expect(ch.version).toMatch(/^2\d\./);
    const [n] = await ch.rows<{ n: number; ids: number }>(`SELECT count() AS n, uniqExact(event_id) AS ids FROM ${TABLE}`);
    expect(n!.n).toBe(n!.ids);
    expect(n!.n).toBe(sqlFixture(Date.now()).length);
    expect((await ch.rows<{ s: string }>(`SELECT engine_full AS s FROM system.tables WHERE database = 'tally' AND name = 'events'`))[0]!.s).toMatch(/TTL time \+ toIntervalDay\(90\)/);
  });

  it('DAU, WAU and MAU equal /api/analytics/usage', async () => {
    for (const days of [30, 7, 1]) {
      const usage = await api<{ dau: number; wau: number; mau: number }>(c.app, `/api/analytics/usage?days=${days}`);
      const [got] = await ch.rows<{ dau: number; wau: number; mau: number }>(usageSql(TABLE, daysAgo(days - 1), today()));
      expect({ dau: Number(got!.dau), wau: Number(got!.wau), mau: Number(got!.mau) }, `days=${days}`).toEqual({ dau: usage.dau, wau: usage.wau, mau: usage.mau });
    }
  });

  it('the funnel SQL (windowFunnel) equals /api/analytics/funnel', async () => {
    const steps = ['page_view:pricing', 'action:signup_button', 'conversion:signup'];
    for (const [within, ms] of [['1d', DAY], ['3d', 3 * DAY], ['30m', 30 * 60_000]] as const) {
      const funnel = await api<{ steps: { users: number }[] }>(c.app, `/api/analytics/funnel?steps=${steps.join(',')}&within=${within}&from=${daysAgo(29)}&to=${today()}`);
      const [row] = await ch.rows<Record<string, number>>(funnelSql(TABLE, steps, ms, daysAgo(29), today()));
      expect(steps.map((_, k) => Number(row![`step_${k + 1}`])), `within=${within}`).toEqual(funnel.steps.map((s) => s.users));
    }
  });

  it('the retention SQL equals /api/analytics/retention (day cohorts)', async () => {
    const periods = 7;
    const from = daysAgo(20);
    const to = daysAgo(7);
    const api_ = await api<{ cohorts: { cohort: string; size: number; active: (number | null)[] }[] }>(c.app, `/api/analytics/retention?cohort=day&periods=${periods}&from=${from}&to=${to}`);
    const rows = await ch.rows<{ cohort: string; k: number; users: number }>(retentionSql(TABLE));
    expect(api_.cohorts.length).toBeGreaterThan(3);
    for (const cohort of api_.cohorts) {
      const mine = rows.filter((r) => r.cohort === cohort.cohort);
      expect(mine.find((r) => r.k === 0)?.users ?? 0, cohort.cohort).toBe(cohort.size);
      cohort.active.forEach((a, k) => {
        if (a !== null) expect(mine.find((r) => r.k === k)?.users ?? 0, `${cohort.cohort} k=${k}`).toBe(a);
      });
    }
  });
});
