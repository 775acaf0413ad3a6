import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { StoredEvent } from '@tally/protocol';
import type { ClickHouseConfig } from './config.js';
import { clickhouseDdl, clickhouseRow, supportsTtl } from './schema.js';
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

/** ClickHouse over HTTP: one `INSERT ... FORMAT JSONEachRow` per batch (one body of rows); erasure by `ALTER TABLE ... DELETE`. */
export function clickhouseSink(c: ClickHouseConfig): Sink {
  const client = clickhouseClient(c);
  const table = `${c.database}.${c.table}`;
  return {
    name: 'clickhouse',
    async send(batch: ForwardRecord[]) {
      if (batch.length === 0) return;
      const res = await client.exec({ query: `INSERT INTO ${table} FORMAT JSONEachRow`, values: Readable.from([rowsBody(batch)], { objectMode: false }) });
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
 * The batch as one JSONEachRow body, built outside the JS heap: each row's parse and text are
 * garbage the moment its bytes are written, so nothing of it outlives V8's young generation (rows
 * kept as strings until the whole batch was built cost more CPU in garbage collection than building
 * them; docs/benchmarks.md).
 */
export function rowsBody(batch: readonly ForwardRecord[]): Buffer {
  let buf = Buffer.allocUnsafe(batch.length * 1024 + 4096);
  let at = 0;
  for (const r of batch) {
    const row = clickhouseRow(JSON.parse(r.bytes.toString()) as StoredEvent);
    const most = row.length * 3 + 1; // UTF-8 bytes of a UTF-16 string: at most 3 per code unit
    if (at + most > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + most));
      buf.copy(bigger, 0, 0, at);
      buf = bigger;
    }
    at += buf.write(row, at);
    buf[at++] = 10;
  }
  return buf.subarray(0, at);
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
