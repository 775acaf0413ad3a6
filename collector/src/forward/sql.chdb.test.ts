import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/protocol';
import { openClickHouse, type ClickHouse } from '../testing/chdb.js';
import { clickhouseDdl, clickhouseRow } from './schema.js';
import { funnelSql, retentionSql, usageSql } from './sql.js';
import { api, collectorInProcess, ingest, sqlFixture } from './testing/support.js';

/**
 * Current ClickHouse (chdb, in-process) runs the same DDL the sink's `clickhouse-schema` prints and
 * the SQL the README documents, on the rows the ClickHouse sink sends for the collector's stored
 * events; the answers must be the query API's. (ClickHouse 18.16 is covered in forward.servers.test.ts.)
 */

const DAY = 86_400_000;
let ch: ClickHouse;
let c: Awaited<ReturnType<typeof collectorInProcess>>;
const TABLE = 'tally.events';

beforeAll(async () => {
  ch = await openClickHouse();
  c = await collectorInProcess({});
  await ingest(c.app, sqlFixture(Date.now()));
  await ch.exec('CREATE DATABASE IF NOT EXISTS tally');
  await ch.exec(clickhouseDdl({ database: 'tally', table: 'events' }, 90));
  const rows: string[] = [];
  for (const day of await c.deps.log.days()) for await (const e of c.deps.log.readDay(day)) rows.push(clickhouseRow(e as StoredEvent));
  // Twice, as at-least-once delivery may: ReplacingMergeTree collapses the copies.
  await ch.exec(`INSERT INTO ${TABLE} FORMAT JSONEachRow\n${rows.join('\n')}`);
  await ch.exec(`INSERT INTO ${TABLE} FORMAT JSONEachRow\n${rows.join('\n')}`);
  await ch.exec(`OPTIMIZE TABLE ${TABLE} FINAL`);
}, 300_000);
afterAll(async () => {
  ch?.close();
  await c?.close();
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
