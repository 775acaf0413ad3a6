import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/protocol';
import { lineEncoder } from './encode.js';
import { COLUMNS, rowOf } from './row-binary.js';
import { clickhouseDdl } from './schema.js';
import { rowOfRecord } from './sink.js';

/** The RowBinary row the ClickHouse sink sends for a stored event (the servers take it in forward.servers.test.ts and sql.chdb.test.ts). */

/** Reads a row back with the table's column types. */
function decode(row: Buffer): Record<string, unknown> {
  const types = new Map([...clickhouseDdl({ database: 'd', table: 't' }, 90).matchAll(/^ {4}(\w+) (.+?),?$/gm)].map((m) => [m[1]!, m[2]!]));
  const out: Record<string, unknown> = {};
  let at = 0;
  for (const col of COLUMNS) {
    const type = types.get(col);
    if (type === 'String') {
      let len = 0;
      for (let shift = 0; ; shift += 7) {
        const b = row[at++]!;
        len |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
      out[col] = row.toString('utf8', at, at + len);
      at += len;
    } else if (type === "DateTime('UTC')") {
      out[col] = new Date(row.readUInt32LE(at) * 1000).toISOString().slice(0, 19).replace('T', ' ');
      at += 4;
    } else if (type === 'UInt64') {
      out[col] = Number(row.readBigUInt64LE(at));
      at += 8;
    } else if (type === 'UInt8') out[col] = row[at++];
    else throw new Error(`no decoder for ${col} ${type}`);
  }
  expect(at).toBe(row.length);
  return out;
}

const full: StoredEvent = {
  event_id: 'e-1',
  event_type: 'action',
  ts: '2026-11-20T10:00:00.000+01:00',
  time: '2026-11-20T09:00:00.987Z',
  received_at: '2026-11-20T09:00:01.456Z',
  app: 'shop',
  clamped: true,
  feature: 'export',
  user_id: 'u "quoted" \\ back\nline',
  anonymous_id: 'a-1',
  session_id: 's-1',
  url: 'https://x.example/?q=1&r=\u2028',
  metadata: { plan: 'pro', n: 2, nested: { ok: true } },
  consent: { analytics: true, marketing: false, personalization: false },
  context: {
    app_version: '2.1',
    platform: 'web',
    os: 'macOS',
    browser: 'Chrome',
    device_type: 'desktop',
    locale: 'en-US',
    timezone: 'Europe/Paris',
    screen: '1728x1117',
    referrer: 'https://ref.example/',
    title: 'Pricing – "Pro" 汉字',
    sdk: { name: '@tally/browser', version: '0.1.0' },
  },
} as StoredEvent;

describe('the ClickHouse row (RowBinary)', () => {
  it('names every column of the DDL, once', () => {
    const ddl = [...clickhouseDdl({ database: 'd', table: 't' }, 90).matchAll(/^ {4}(\w+) /gm)].map((m) => m[1]);
    expect([...COLUMNS].sort()).toEqual([...ddl].sort());
  });

  it('maps every field of a full event to its column, from the parsed event and from the stored line alike', () => {
    const line = Buffer.from(JSON.stringify(full));
    const fast = lineEncoder(true)(line, 0, line.length)!;
    expect(rowOfRecord(fast).equals(rowOf(full))).toBe(true);
    expect(decode(rowOf(full))).toEqual({
      event_id: 'e-1',
      app: 'shop',
      event_type: 'action',
      feature: 'export',
      user_key: 'u "quoted" \\ back\nline',
      user_id: 'u "quoted" \\ back\nline',
      anonymous_id: 'a-1',
      session_id: 's-1',
      time: '2026-11-20 09:00:00',
      time_ms: Date.parse('2026-11-20T09:00:00.987Z'),
      received_at: '2026-11-20 09:00:01',
      ts: '2026-11-20T10:00:00.000+01:00',
      url: 'https://x.example/?q=1&r=\u2028',
      app_version: '2.1',
      platform: 'web',
      os: 'macOS',
      browser: 'Chrome',
      device_type: 'desktop',
      locale: 'en-US',
      timezone: 'Europe/Paris',
      screen: '1728x1117',
      referrer: 'https://ref.example/',
      title: 'Pricing – "Pro" 汉字',
      sdk_name: '@tally/browser',
      sdk_version: '0.1.0',
      metadata: '{"plan":"pro","n":2,"nested":{"ok":true}}',
      consent: '{"analytics":true,"marketing":false,"personalization":false}',
      clamped: 1,
    });
  });

  it('a minimal event: empty strings for what it lacks, the anonymous id as user key, times not in toISOString form still converted', () => {
    const row = decode(rowOf({ event_id: 'e-2', event_type: 'page_view', ts: 't', time: '2026-11-20T09:00:00+00:00', received_at: '2026-11-20T09:00:05.5Z', anonymous_id: 'anon' } as StoredEvent));
    expect(row).toMatchObject({ user_key: 'anon', user_id: '', app: '', feature: '', url: '', os: '', sdk_name: '', metadata: '', consent: '', clamped: 0 });
    expect(row).toMatchObject({ time: '2026-11-20 09:00:00', time_ms: Date.parse('2026-11-20T09:00:00Z'), received_at: '2026-11-20 09:00:05' });
    expect(Object.keys(row)).toHaveLength(28);
  });
});
