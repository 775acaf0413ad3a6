import { describe, expect, it, beforeAll } from 'vitest';
import { gzipSync } from 'node:zlib';
import { createApp } from '../app.js';
import { makeTestDeps } from '../testing/index.js';
import { ev, gzip, post, type PostOptions } from '../testing/ingest.js';

const LIMIT = 'body is larger than 1048576 bytes (decoded)';
const bad = (error: string) => ({ ok: false, error });
const rejected = (...list: Array<[number, string]>) => ({
  ok: true,
  logged: 1,
  duplicates: 0,
  rejected: list.map(([index, reason]) => ({ index, reason })),
});
/** A valid event first, so each per-event case also proves the rest of the batch is stored. */
const withGood = (...events: unknown[]) => JSON.stringify({ events: [ev(), ...events] });

let gzipBomb: Uint8Array;
beforeAll(() => {
  // gzip members concatenate: 32 × 16 MiB of zeros = 512 MiB decoded from about half a megabyte.
  const member = gzipSync(Buffer.alloc(16 * 1024 * 1024));
  gzipBomb = new Uint8Array(Buffer.concat(Array.from({ length: 32 }, () => member)));
});

interface Case {
  name: string;
  body: () => string | Uint8Array;
  opts?: PostOptions;
  status: number;
  json: unknown;
}

const envelopeCases: Case[] = [
  { name: 'malformed JSON', body: () => '{"events":[', status: 400, json: bad('body is not valid JSON') },
  { name: 'trailing garbage after JSON', body: () => '{"events":[]}x', status: 400, json: bad('body is not valid JSON') },
  { name: 'single-quoted JSON', body: () => "{'events':[]}", status: 400, json: bad('body is not valid JSON') },
  { name: 'NaN literal', body: () => '{"events":[],"dropped":NaN}', status: 400, json: bad('body is not valid JSON') },
  { name: 'empty body', body: () => '', status: 400, json: bad('body is empty') },
  { name: 'whitespace-only body', body: () => ' \n\t ', status: 400, json: bad('body is empty') },
  { name: 'batch is null', body: () => 'null', status: 400, json: bad('body must be a JSON object') },
  { name: 'batch is an array', body: () => '[{"event_type":"page_view"}]', status: 400, json: bad('body must be a JSON object') },
  { name: 'batch is a string', body: () => '"events"', status: 400, json: bad('body must be a JSON object') },
  { name: 'batch is a number', body: () => '42', status: 400, json: bad('body must be a JSON object') },
  { name: 'events missing', body: () => '{}', status: 400, json: bad('events must be an array') },
  { name: 'events is an object', body: () => '{"events":{"0":{}}}', status: 400, json: bad('events must be an array') },
  { name: 'events is a string', body: () => '{"events":"[]"}', status: 400, json: bad('events must be an array') },
  { name: 'events is null', body: () => '{"events":null}', status: 400, json: bad('events must be an array') },
  { name: 'duplicate key, last one wins', body: () => '{"events":[],"events":5}', status: 400, json: bad('events must be an array') },
  ...['yesterday', '2026-11-20T10:00:00', '2026-02-30T10:00:00Z', ''].map((s) => ({
    name: `sent_at ${JSON.stringify(s)}`,
    body: () => JSON.stringify({ events: [ev()], sent_at: s }),
    status: 400,
    json: bad('sent_at must be an ISO-8601 date-time with a time zone, e.g. 2026-11-20T10:00:00.000Z'),
  })),
  { name: 'sent_at a number', body: () => '{"events":[],"sent_at":1763640000000}', status: 400, json: bad('sent_at must be an ISO-8601 date-time with a time zone, e.g. 2026-11-20T10:00:00.000Z') },
  { name: 'app a number', body: () => '{"events":[],"app":7}', status: 400, json: bad('app must be a string of at most 64 characters') },
  { name: 'app 65 characters', body: () => JSON.stringify({ events: [], app: 'a'.repeat(65) }), status: 400, json: bad('app must be a string of at most 64 characters') },
  ...[-1, 1.5, '3', null].map((d) => ({
    name: `dropped ${JSON.stringify(d)}`,
    body: () => JSON.stringify({ events: [], dropped: d }),
    status: 400,
    json: bad('dropped must be a whole number, 0 or more'),
  })),
  ...([['empty', ''], ['257 characters', 'd'.repeat(257)], ['a number', 7], ['null', null]] as const).map(([what, id]) => ({
    name: `dropped_id ${what}`,
    body: () => JSON.stringify({ events: [ev()], dropped: 3, dropped_id: id }),
    status: 400,
    json: bad('dropped_id must be a string of 1 to 256 UTF-16 code units without a lone surrogate'),
  })),
  { name: '__proto__ key on the batch', body: () => '{"events":[],"__proto__":{"polluted":true}}', status: 400, json: bad('body must not have a "__proto__" key') },
  { name: '101 events', body: () => JSON.stringify({ events: Array.from({ length: 101 }, () => ev()) }), status: 413, json: bad('too many events: 101 in one batch, at most 100; split the batch') },
  { name: 'body over 1 MiB (one huge string)', body: () => JSON.stringify({ events: [ev({ feature: 'x'.repeat(1024 * 1024) })] }), status: 413, json: bad(LIMIT) },
  { name: 'Content-Length over the limit', body: () => '{"events":[]}', opts: { headers: { 'content-length': '99999999' } }, status: 413, json: bad(LIMIT) },
  { name: 'gzip bomb (512 MiB decoded)', body: () => gzipBomb, opts: { headers: { 'content-encoding': 'gzip' } }, status: 413, json: bad(LIMIT) },
  { name: 'gzip just over the decoded limit', body: () => gzip(JSON.stringify({ events: [], pad: 'x'.repeat(1024 * 1024) })), opts: { headers: { 'content-encoding': 'gzip' } }, status: 413, json: bad(LIMIT) },
  { name: 'corrupt gzip', body: () => new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]), opts: { headers: { 'content-encoding': 'gzip' } }, status: 400, json: bad('body is not valid gzip data') },
  { name: 'truncated gzip', body: () => gzip('{"events":[]}').slice(0, 12), opts: { headers: { 'content-encoding': 'gzip' } }, status: 400, json: bad('body is not valid gzip data') },
  { name: 'plain JSON labelled gzip', body: () => '{"events":[]}', opts: { headers: { 'content-encoding': 'gzip' } }, status: 400, json: bad('body is not valid gzip data') },
  { name: 'invalid UTF-8 byte', body: () => new Uint8Array([...Buffer.from('{"events":[],"app":"'), 0xff, ...Buffer.from('"}')]), status: 400, json: bad('body is not valid UTF-8') },
  { name: 'UTF-8-encoded lone surrogate', body: () => new Uint8Array([...Buffer.from('{"events":[],"app":"'), 0xed, 0xa0, 0x80, ...Buffer.from('"}')]), status: 400, json: bad('body is not valid UTF-8') },
  { name: 'overlong UTF-8 encoding', body: () => new Uint8Array([...Buffer.from('{"events":[],"app":"'), 0xc0, 0xaf, ...Buffer.from('"}')]), status: 400, json: bad('body is not valid UTF-8') },
  { name: 'invalid UTF-8 inside gzip', body: () => gzip(new Uint8Array([0x7b, 0xfe, 0x7d])), opts: { headers: { 'content-encoding': 'gzip' } }, status: 400, json: bad('body is not valid UTF-8') },
  { name: 'form content type', body: () => 'events=1', opts: { headers: { 'content-type': 'application/x-www-form-urlencoded' } }, status: 415, json: bad('Content-Type must be application/json or text/plain') },
  { name: 'multipart content type', body: () => '{"events":[]}', opts: { headers: { 'content-type': 'multipart/form-data; boundary=x' } }, status: 415, json: bad('Content-Type must be application/json or text/plain') },
  { name: 'no content type', body: () => new TextEncoder().encode('{"events":[]}'), opts: { headers: { 'content-type': '' } }, status: 415, json: bad('Content-Type must be application/json or text/plain') },
  { name: 'application/jsonx', body: () => '{"events":[]}', opts: { headers: { 'content-type': 'application/jsonx' } }, status: 415, json: bad('Content-Type must be application/json or text/plain') },
  ...['br', 'deflate', 'gzip, gzip', 'compress'].map((enc) => ({
    name: `Content-Encoding ${enc}`,
    body: () => '{"events":[]}',
    opts: { headers: { 'content-encoding': enc } },
    status: 415,
    json: bad('Content-Encoding must be gzip or absent'),
  })),
];

const eventCases: Case[] = [
  { name: 'event is null', body: () => withGood(null), status: 200, json: rejected([1, 'not_an_object']) },
  { name: 'event is an array', body: () => withGood([ev()]), status: 200, json: rejected([1, 'not_an_object']) },
  { name: 'event is a string', body: () => withGood('page_view'), status: 200, json: rejected([1, 'not_an_object']) },
  { name: 'event_type a number', body: () => withGood(ev({ event_type: 5 })), status: 200, json: rejected([1, 'invalid_event_type']) },
  { name: 'event_type upper case', body: () => withGood(ev({ event_type: 'PageView' })), status: 200, json: rejected([1, 'invalid_event_type']) },
  { name: 'event_type missing', body: () => withGood({ ts: '2026-11-20T11:59:00Z' }), status: 200, json: rejected([1, 'invalid_event_type']) },
  { name: 'ts a number', body: () => withGood(ev({ ts: 1763640000000 })), status: 200, json: rejected([1, 'invalid_ts']) },
  { name: 'ts missing', body: () => withGood({ event_type: 'action' }), status: 200, json: rejected([1, 'invalid_ts']) },
  { name: 'ts not a date', body: () => withGood(ev({ ts: '2026-13-01T00:00:00Z' })), status: 200, json: rejected([1, 'invalid_ts']) },
  { name: 'event_id 65 characters', body: () => withGood(ev({ event_id: 'e'.repeat(65) })), status: 200, json: rejected([1, 'invalid_event_id']) },
  { name: 'event_id a number', body: () => withGood(ev({ event_id: 12 })), status: 200, json: rejected([1, 'invalid_event_id']) },
  { name: 'huge user_id string', body: () => withGood(ev({ user_id: 'u'.repeat(100_000) })), status: 200, json: rejected([1, 'invalid_field']) },
  { name: 'url too long', body: () => withGood(ev({ url: 'https://x/' + 'p'.repeat(2048) })), status: 200, json: rejected([1, 'url_too_long']) },
  { name: 'consent with a string', body: () => withGood(ev({ consent: { analytics: 'yes', marketing: false, personalization: false } })), status: 200, json: rejected([1, 'invalid_field']) },
  { name: 'context a string', body: () => withGood(ev({ context: 'chrome' })), status: 200, json: rejected([1, 'invalid_field']) },
  { name: 'metadata an array', body: () => withGood(ev({ metadata: [1, 2] })), status: 200, json: rejected([1, 'metadata_not_object']) },
  { name: 'metadata over 16 KB', body: () => withGood(ev({ metadata: { blob: 'm'.repeat(17_000) } })), status: 200, json: rejected([1, 'metadata_too_large']) },
  { name: 'metadata nested 100,000 deep', body: () => `{"events":[${JSON.stringify(ev())},{"event_type":"action","ts":"2026-11-20T11:59:00Z","metadata":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`, status: 200, json: rejected([1, 'metadata_too_deep']) },
  { name: 'event nested 100,000 arrays deep', body: () => `{"events":[${JSON.stringify(ev())},${'['.repeat(100_000)}${']'.repeat(100_000)}]}`, status: 200, json: rejected([1, 'not_an_object']) },
  { name: '__proto__ key on an event', body: () => `{"events":[${JSON.stringify(ev())},{"event_type":"action","ts":"2026-11-20T11:59:00Z","__proto__":{"polluted":true}}]}`, status: 200, json: rejected([1, 'invalid_field']) },
  { name: '__proto__ key inside metadata', body: () => `{"events":[${JSON.stringify(ev())},{"event_type":"action","ts":"2026-11-20T11:59:00Z","metadata":{"a":{"__proto__":{"polluted":true}}}}]}`, status: 200, json: rejected([1, 'invalid_field']) },
  { name: '__proto__ key spelt with JSON escapes', body: () => `{"events":[${JSON.stringify(ev())},{"event_type":"action","ts":"2026-11-20T11:59:00Z","metadata":{"\\u005f_proto__":{"polluted":true}}}]}`, status: 200, json: rejected([1, 'invalid_field']) },
  { name: 'too old', body: () => withGood(ev({ ts: '2025-11-19T11:59:59.999Z' })), status: 200, json: rejected([1, 'too_old']) },
];

describe('POST /v1/events refuses bad input precisely and stays healthy', () => {
  it.each([...envelopeCases, ...eventCases].map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const deps = makeTestDeps();
    const app = createApp(deps);
    const res = await post(app, c.body(), c.opts);
    expect(res.status).toBe(c.status);
    expect(await res.json()).toEqual(c.json);
    if (c.status === 200) {
      expect(deps.log.events).toHaveLength(1); // the good event of the batch
    } else {
      expect(deps.log.appendCalls).toBe(0);
      expect(deps.ledger.tallies).toEqual([]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    const health = await app.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
  });

  it('has at least 30 cases', () => {
    expect(envelopeCases.length + eventCases.length).toBeGreaterThanOrEqual(30);
  });

  it('inflates a gzip bomb without holding it in memory', async () => {
    const app = createApp(makeTestDeps());
    const before = process.memoryUsage().arrayBuffers;
    const res = await post(app, gzipBomb, { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(413);
    // 512 MiB decoded if it were inflated in full; the guard stops near the 1 MiB limit.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });
});
