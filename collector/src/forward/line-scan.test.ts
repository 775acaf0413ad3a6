import type { StoredEvent } from '@tally/protocol';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../logstore/ndjson.js';
import { event } from '../testing/logstore.js';
import { lineEncoder } from './encode.js';
import { newSpans, scanLine } from './line-scan.js';
import { rowOf, stringOf } from './row-binary.js';
import { keyOf, lineOf, rowOfRecord } from './sink.js';

/**
 * The forwarder's byte scan against what it replaces: it must accept exactly the lines `parseLine`
 * accepts, take the user key `user_id ?? anonymous_id` of the parsed event, and write the same
 * ClickHouse row as `rowOf(JSON.parse(line))`.
 */

const spans = newSpans();
const scans = (line: string | Buffer) => {
  const b = typeof line === 'string' ? Buffer.from(line) : line;
  return scanLine(b, 0, b.length, spans);
};

/** What the reference path makes of a line: undefined (corrupt) or its key and row. */
function reference(b: Buffer): { key: string; row: Buffer } | undefined {
  const e = parseLine<StoredEvent>(b);
  if (!e) return undefined;
  const o = e as unknown as Record<string, unknown>;
  return { key: stringOf(o.user_id ?? o.anonymous_id), row: rowOf(e) };
}

function expectSame(line: string | Buffer, canonicalOnly = false): void {
  const b = typeof line === 'string' ? Buffer.from(line) : line;
  // Embedded in a larger buffer, as lines are in a read chunk.
  const chunk = Buffer.concat([Buffer.from('xx\n'), b, Buffer.from('\nyy')]);
  const got = lineEncoder(true)(chunk, 3, 3 + b.length);
  const want = reference(b);
  expect(got === undefined, `validity of ${b.toString()}`).toBe(want === undefined);
  if (got && want) {
    expect(keyOf(got).equals(Buffer.from(want.key)), `key of ${b.toString()}`).toBe(true);
    expect(lineOf(got).equals(b)).toBe(true);
    // `metadata` and `consent` are sent as their bytes in the line, which are JSON.stringify's text
    // of them for every line the collector writes (the reference re-stringifies the parsed value).
    if (Buffer.from(JSON.stringify(JSON.parse(b.toString()))).equals(b) || !canonicalOnly) expect(rowOfRecord(got).equals(want.row), `row of ${b.toString()}`).toBe(true);
  }
}

const base = {
  event_id: 'e-1',
  event_type: 'page_view',
  ts: '2026-11-20T09:59:58.000Z',
  time: '2026-11-20T10:00:00.123Z',
  received_at: '2026-11-20T10:00:01.000Z',
  app: 'web',
};

const tricky: string[] = [
  JSON.stringify(event({ user_id: 'u-1' })),
  JSON.stringify(event({ anonymous_id: 'a-1' })),
  JSON.stringify({ ...base }),
  // a user_id only inside metadata, or in context, is not the event's
  JSON.stringify({ ...base, anonymous_id: 'anon', metadata: { user_id: 'nested', deeper: [{ user_id: 'x' }] } }),
  JSON.stringify({ ...base, anonymous_id: 'anon', context: { user_id: 'ctx' } }),
  JSON.stringify({ ...base, metadata: { user_id: 'first' }, user_id: 'top' }),
  // escapes and unicode in keys and values
  JSON.stringify({ ...base, user_id: 'u "quoted" \\ back\nline\t\u0001' }),
  JSON.stringify({ ...base, user_id: 'ünïcødé 汉字 😀' }),
  JSON.stringify({ ...base, user_id: '\ud800 lone surrogate' }),
  '{"event_id":"e","received_at":"2026-11-20T10:00:01.000Z","time":"2026-11-20T10:00:00.000Z","user\\u005fid":"escaped-key"}',
  '{"event_id":"e","received_at":"2026-11-20T10:00:01.000Z","user_id":"\\u0075\\/\\"x"}',
  // duplicates: the last one counts, for context as a whole too
  '{"event_id":"e","received_at":"r","user_id":"first","user_id":"second"}',
  '{"event_id":"e","received_at":"r","context":{"os":"a","sdk":{"name":"n"}},"context":{"browser":"b"}}',
  '{"event_id":"e","received_at":"r","context":{"os":"a"},"context":null}',
  '{"event_id":"e","received_at":"r","user_id":null,"anonymous_id":"a"}',
  '{"event_id":"e","received_at":"r","user_id":null}',
  // types no collector writes: handled the reference way
  '{"event_id":"e","received_at":"r","user_id":5}',
  '{"event_id":"e","received_at":"r","user_id":{"a":1},"anonymous_id":"x"}',
  '{"event_id":"e","received_at":"r","context":{"os":true,"sdk":"str"}}',
  '{"event_id":"e","received_at":"r","context":[{"os":"in-array"}],"time":7}',
  '{"event_id":"e","received_at":"r","metadata":null,"consent":"granted","clamped":true}',
  '{"event_id":"e","received_at":"r","metadata":[1,0.0025,-1e+21,true,false,null,"s",{}],"clamped":false}',
  // times: the per-second memo of Date.parse must give Date.parse's answer
  ...['2026-11-20T10:00:00.999Z', '2026-11-20T10:00:00.001Z', '2026-11-20T10:00:01.000Z', '2026-11-20T10:00:01.1x3Z', '2026-11-20T10:00:01.5Z', '2026-11-20T25:00:00.000Z', '2026-11-20T10:00:01.250Z', '2026-11-20T10:00:01+01:00', 'not a time'].map((t) =>
    JSON.stringify({ ...base, time: t, received_at: t, user_id: 'u' }),
  ),
  // whitespace JSON allows
  ' \t{ "event_id" : "e" ,\r"received_at":"r" , "user_id" : "w" } \t',
  // not accepted by parseLine
  '',
  '   ',
  '[]',
  '"string"',
  '{}',
  '{"event_id":"e"}',
  '{"event_id":1,"received_at":"r"}',
  '{"event_id":"e","received_at":null}',
  '{"event_id":"e","received_at":"r"',
  '{"event_id":"e","received_at":"r"}}',
  '{"event_id":"e","received_at":"r"} x',
  '{"event_id":"e","received_at":"r",}',
  '{"event_id":"e",,"received_at":"r"}',
  '{"event_id":"e" "received_at":"r"}',
  '{"event_id":"e","received_at":"r","a":01}',
  '{"event_id":"e","received_at":"r","a":1.}',
  '{"event_id":"e","received_at":"r","a":.5}',
  '{"event_id":"e","received_at":"r","a":-}',
  '{"event_id":"e","received_at":"r","a":1e}',
  '{"event_id":"e","received_at":"r","a":+1}',
  '{"event_id":"e","received_at":"r","a":tru}',
  '{"event_id":"e","received_at":"r","a":nul}',
  '{"event_id":"e","received_at":"r","a":"\\x"}',
  '{"event_id":"e","received_at":"r","a":"\\u12G4"}',
  '{"event_id":"e","received_at":"r","a":"tab\there"}',
  '{"event_id":"e","received_at":"r","a":[1,]}',
  '{"event_id":"e","received_at":"r","a":{"b":1,}}',
  '{"event_id":"e","received_at":"r","a":{1:2}}',
  '{"event_id":"e","received_at":"r","a":\'x\'}',
  '\ufeff{"event_id":"e","received_at":"r"}',
  '{"event_id":"e","received_at":"r","a":"unterminated}',
  '{"event_id":"e","received_at":"r","a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}',
  `{"event_id":"e","received_at":"r","a":${'['.repeat(200)}${']'.repeat(200)}}`,
  `{"event_id":"e","received_at":"r","a":${'['.repeat(200)}${']'.repeat(199)}}`,
];

describe('the forwarder scan of a stored line', () => {
  it('agrees with parseLine, the user key and the reference row on tricky lines', () => {
    for (const line of tricky) expectSame(line);
    // Numbers JSON.stringify would write otherwise: valid, same key; metadata kept as stored.
    expectSame('{"event_id":"e","received_at":"r","user_id":"u","metadata":[2.5e-3,-0,1E2]}', true);
  });

  it('reads invalid UTF-8 as JSON.parse does (U+FFFD), never swallowing a quote', () => {
    const good = Buffer.from(JSON.stringify({ ...base, user_id: 'AB', metadata: { k: 'CD' } }));
    for (const bad of [[0xff], [0xe2, 0x82], [0xc3], [0xf0, 0x9f, 0x98]]) {
      for (const at of ['AB', 'CD'].map((s) => good.indexOf(s) + 1)) {
        expectSame(Buffer.concat([good.subarray(0, at), Buffer.from(bad), good.subarray(at)]));
      }
      // outside any string: not JSON
      expectSame(Buffer.concat([good.subarray(0, 1), Buffer.from(bad), good.subarray(1)]));
    }
  });

  it('agrees with parseLine on every one-byte mutation of stored lines', () => {
    const lines = [
      JSON.stringify(event({ user_id: 'u-ü "q"', metadata: { user_id: 'm', n: [1, -2.5e3, true, null] }, consent: { analytics: true, marketing: false, personalization: false } } as unknown as Partial<StoredEvent>)),
      '{"event_id":"e","received_at":"r","a":1,"b":"\\u0041\\n","c":[{}],"d":-0.5E+2}',
    ];
    const bytes = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x20, 0x30, 0x2d, 0x2e, 0x65, 0x75, 0x6e, 0x74, 0x66, 0x01, 0x80, 0xff];
    let tried = 0;
    for (const line of lines) {
      const b = Buffer.from(line);
      for (let i = 0; i < b.length; i++) {
        for (const v of bytes) {
          const m = Buffer.from(b);
          m[i] = v;
          expectSame(m, true);
          tried++;
        }
        expectSame(Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]), true);
      }
    }
    expect(tried).toBeGreaterThan(1000);
  });

  it('does not take a nested user_id for the user key', () => {
    const line = Buffer.from('{"event_id":"e","received_at":"r","metadata":{"user_id":"m"},"anonymous_id":"a"}');
    expect(scans(line)).toBe(true);
    const got = lineEncoder(false)(line, 0, line.length);
    expect(got && keyOf(got).toString()).toBe('a');
  });
});
