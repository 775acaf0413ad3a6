import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { rowsBody } from '../collector/src/forward/clickhouse.js';
import { COLUMNS } from '../collector/src/forward/row-binary.js';
import { clickhouseDdl } from '../collector/src/forward/schema.js';
import { createSharedReader } from '../collector/src/forward/shared-reader.js';
import type { ForwardRecord } from '../collector/src/forward/sink.js';
import { openLogReader } from '../collector/src/logstore/index.js';
import { startClickHouse } from '../collector/src/forward/testing/servers.js';
import { runAsScript } from './as-script.js';
import { fillLog } from './forward-sinks.js';
import { cpuSeconds, median } from './ingest.js';
import { num } from './knobs.js';

/**
 * What a ClickHouse server spends per inserted event, by insert format and batch size: the
 * forwarder's events (the ingest benchmark's shape, `fillLog`) inserted into the forwarder's table
 * (`clickhouseDdl`) as JSONEachRow, TabSeparated and RowBinary bodies (the forwarder's RowBinary
 * rows are loaded once, and the server itself writes them out in each format, so all three carry
 * the same data), in batches of
 * BENCH_CH_BATCHES (1000,5000,25000). Server CPU counts the inserts and the merges they cause (it
 * waits until no merge runs, minus an idle baseline of the same length). Knobs: BENCH_CH_EVENTS (100000),
 * BENCH_CH_RUNS (2), BENCH_CH_FORMATS (all three), BENCH_CH_SETTINGS (query settings added to each insert).
 */

function post(url: string, query: string, body: Buffer | string, settings = ''): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/?query=${encodeURIComponent(query)}${settings ? `&${settings}` : ''}`, { method: 'POST', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ClickHouse ${res.statusCode}: ${Buffer.concat(chunks).toString()}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sql = (url: string, q: string) => post(url, q, '');

/** Splits a body of `n` rows into bodies of `size` rows, given each row's byte end. */
function split(body: Buffer, ends: number[], size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0, start = 0; i < ends.length; i += size) {
    const end = ends[Math.min(i + size, ends.length) - 1]!;
    out.push(body.subarray(start, end));
    start = end;
  }
  return out;
}

/** Row ends of a RowBinary body of the table's columns (28 columns, types as in the DDL). */
function rowBinaryEnds(b: Buffer): number[] {
  const kinds = ['s', 's', 's', 's', 's', 's', 's', 's', 'u32', 'u64', 'u32', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 'u8'];
  const ends: number[] = [];
  let at = 0;
  while (at < b.length) {
    for (const k of kinds) {
      if (k === 'u32') at += 4;
      else if (k === 'u64') at += 8;
      else if (k === 'u8') at += 1;
      else {
        let len = 0;
        let shift = 0;
        for (;;) {
          const c = b[at++]!;
          len |= (c & 0x7f) << shift;
          if (c < 0x80) break;
          shift += 7;
        }
        at += len;
      }
    }
    ends.push(at);
  }
  return ends;
}

const lineEnds = (b: Buffer) => {
  const ends: number[] = [];
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) ends.push(i + 1);
  return ends;
};

async function settle(url: string): Promise<void> {
  for (;;) {
    const n = Number((await sql(url, 'SELECT count() FROM system.merges')).toString().trim());
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const events = num('BENCH_CH_EVENTS', 100_000);
  const runs = num('BENCH_CH_RUNS', 2);
  const batches = (process.env.BENCH_CH_BATCHES ?? '1000,5000,25000').split(',').map(Number);
  const dataDir = await fillLog(events);
  const ch = await startClickHouse();
  const url = ch.address;
  const pid = ch.proc.pid!;
  const out: Record<string, unknown> = { events };
  try {
    const silent = { info: () => {}, warn: () => {}, error: () => {} };
    const log = await openLogReader({ dataDir, logger: silent });
    const rows: Buffer[] = [];
    let n = 0;
    for (const day of await log.days()) {
      const recs = (await createSharedReader(log, events * 2, true).read(day, 0, events * 2)).filter((r): r is ForwardRecord => r.key !== undefined);
      rows.push(...rowsBody(recs));
      n += recs.length;
    }
    await log.close();
    await sql(url, clickhouseDdl({ database: 'default', table: 'staging' }, 90, false));
    await post(url, `INSERT INTO default.staging (${COLUMNS.join(', ')}) FORMAT RowBinary`, Buffer.concat(rows));
    const all = `SELECT ${COLUMNS.join(', ')} FROM default.staging`;
    const json = await post(url, `${all} FORMAT JSONEachRow`, '', 'output_format_json_quote_64bit_integers=0');
    const tsv = await sql(url, `${all} FORMAT TabSeparated`);
    const rb = await sql(url, `${all} FORMAT RowBinary`);
    const bodies = { JSONEachRow: [json, lineEnds(json)], TabSeparated: [tsv, lineEnds(tsv)], RowBinary: [rb, rowBinaryEnds(rb)] } as const;
    out.bytes_per_event = Object.fromEntries(Object.entries(bodies).map(([k, [b]]) => [k, Math.round(b.length / n)]));
    // Idle baseline: what the server burns per second doing nothing.
    const idle0 = cpuSeconds(pid);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const idlePerS = (cpuSeconds(pid) - idle0) / ((Date.now() - t0) / 1000);
    out.idle_cpu_per_s = idlePerS;
    let t = 0;
    for (const size of batches) {
      for (const [format, [body, ends]] of Object.entries(bodies)) {
        if (process.env.BENCH_CH_FORMATS && !process.env.BENCH_CH_FORMATS.split(',').includes(format)) continue;
        const us: number[] = [];
        const insertUs: number[] = [];
        for (let r = 0; r < runs; r++) {
          const table = `t${t++}`;
          await sql(url, clickhouseDdl({ database: 'default', table }, 90, false));
          const parts = split(body, ends as number[], size);
          const c0 = cpuSeconds(pid);
          const w0 = Date.now();
          for (const p of parts) await post(url, `INSERT INTO default.${table} (${COLUMNS.join(', ')}) FORMAT ${format}`, p, process.env.BENCH_CH_SETTINGS);
          const c1 = cpuSeconds(pid);
          await settle(url);
          await new Promise((r) => setTimeout(r, 500));
          await settle(url);
          const wall = (Date.now() - w0) / 1000;
          const cpu = cpuSeconds(pid) - c0 - idlePerS * wall;
          us.push(Number(((cpu * 1e6) / n).toFixed(2)));
          insertUs.push(Number((((c1 - c0) * 1e6) / n).toFixed(2)));
          await sql(url, `DROP TABLE default.${table}`);
        }
        out[`${format}@${size}`] = { server_cpu_us_per_event: median(us), during_inserts_us_per_event: median(insertUs), runs: us };
        process.stderr.write(`  ${format}@${size}: ${JSON.stringify(out[`${format}@${size}`])}\n`);
      }
    }
  } finally {
    await ch.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return out;
}

runAsScript(import.meta.url, run);
