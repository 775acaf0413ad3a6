import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from './config.js';
import { COLUMNS } from './row-binary.js';
import { clickhouseDdl, supportsTtl } from './schema.js';
import type { ForwardRecord, Sink } from './sink.js';

/** Fails an attempt that hangs, so a stuck server only delays (the forwarder retries), never blocks an erasure forever. */
const REQUEST_TIMEOUT_MS = 30_000;

export function clickhouseClient(c: ClickHouseConfig): ClickHouseClient {
  return createClient({
    url: c.url,
    username: c.username,
    password: c.password,
    database: c.database,
    request_timeout: REQUEST_TIMEOUT_MS,
    // The forwarder retries whole batches itself; a client-side retry would hide failures from the metrics.
    keep_alive: { enabled: true },
    // Failures are the forwarder's to report (a warning with its backoff, /metrics), not one console dump per attempt.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/**
 * ClickHouse over HTTP: one `INSERT ... FORMAT RowBinary` per batch (one body of rows, the columns
 * named, so a table with more columns or another order still gets each value in its column);
 * erasure by `ALTER TABLE ... DELETE`. RowBinary rather than JSONEachRow: the server parses it at
 * a third of the CPU (docs/benchmarks.md), and the rows are written as the log is read (encode.ts).
 */
export function clickhouseSink(c: ClickHouseConfig): Sink {
  const client = clickhouseClient(c);
  const table = `${c.database}.${c.table}`;
  const insert = `INSERT INTO ${table} (${COLUMNS.join(', ')}) FORMAT RowBinary`;
  return {
    name: 'clickhouse',
    spaced: true,
    async send(batch: ForwardRecord[]) {
      if (batch.length === 0) return;
      const res = await client.exec({ query: insert, values: Readable.from(rowsBody(batch), { objectMode: false }) });
      // The answer to an INSERT is empty; reading it to the end frees the keep-alive socket.
      for await (const _ of res.stream);
    },
    async erase(keys: string[]) {
      if (keys.length === 0) return;
      // Mutations run asynchronously on the server; the rows stop being read once it completes.
      // Literals, not query parameters: ClickHouse 18.16 has no `{name:Type}` parameters.
      const list = keys.map(sqlString).join(', ');
      await client.command({ query: `ALTER TABLE ${table} DELETE WHERE user_id IN (${list}) OR anonymous_id IN (${list})` });
    },
    close: () => client.close(),
  };
}

/**
 * The batch's rows (written when each line was read) as the request body: the rows of
 * consecutive lines lie end to end in the same slab, so the body is a few views of the slabs, not
 * a copy (copying a 25,000-row batch into one buffer cost more than writing the rows).
 */
export function rowsBody(batch: readonly ForwardRecord[]): Buffer[] {
  const parts: Buffer[] = [];
  let cur: Buffer | undefined;
  let from = 0;
  let to = 0;
  for (const r of batch) {
    if (r.rows === cur && r.rowAt === to) to += r.rowLen;
    else {
      if (cur !== undefined && to > from) parts.push(cur.subarray(from, to));
      cur = r.rows;
      from = r.rowAt;
      to = from + r.rowLen;
    }
  }
  if (cur !== undefined && to > from) parts.push(cur.subarray(from, to));
  return parts;
}

/** `clickhouse-schema --apply`: creates the table, leaving out the TTL where the server lacks it. Returns the DDL run. */
export async function applySchema(c: ClickHouseConfig, retentionDays: number): Promise<{ version: string; ddl: string; ttl: boolean }> {
  // The target database may not exist yet: connect to `default` to create it.
  const client = clickhouseClient({ ...c, database: 'default' });
  try {
    const rs = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    const version = ((await rs.json()) as { v: string }[])[0]!.v;
    const ttl = supportsTtl(version);
    const ddl = clickhouseDdl(c, retentionDays, ttl);
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${c.database}` });
    await client.command({ query: ddl });
    return { version, ddl, ttl };
  } finally {
    await client.close();
  }
}

/** A ClickHouse string literal: backslash and quote escaped (the only two that end or alter one). */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
