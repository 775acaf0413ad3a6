import { describe, expect, it } from 'vitest';
import { event } from '../testing/logstore.js';
import { requestParts } from './kafka.js';
import { lineOf, type ForwardRecord } from './sink.js';

/** Splitting a batch into produce requests a broker accepts (the real broker path is in forward.servers.test.ts). */

const record = (user: string, pad: string): ForwardRecord => {
  const e = event({ user_id: user, metadata: { pad } });
  const line = Buffer.from(JSON.stringify(e));
  const key = Buffer.from(user);
  return { line, at: 0, len: line.length, key, keyAt: 0, keyLen: key.length, rows: Buffer.alloc(0), rowAt: 0, rowLen: 0, end: 0 };
};

describe('kafka request parts', () => {
  it('keeps every message once, in order, each part under the limit, counting UTF-8 bytes', () => {
    const batch = Array.from({ length: 50 }, (_, i) => record(`u${i}`, i % 2 === 0 ? 'x'.repeat(300) : '汉'.repeat(100)));
    const parts = requestParts(batch, 2000);
    expect(parts.length).toBeGreaterThan(10);
    expect(parts.flat().map((m) => m.line.toString('utf8', m.at, m.at + m.len))).toEqual(batch.map((r) => lineOf(r).toString()));
    expect(parts.flat().map((m) => m.key.toString('utf8', m.keyAt, m.keyAt + m.keyLen))).toEqual(batch.map((_, i) => `u${i}`));
    for (const p of parts) expect(p.reduce((n, m) => n + m.keyLen + m.len + 64, 0)).toBeLessThanOrEqual(2000);
  });

  it('a message larger than the limit goes alone; an empty batch sends nothing', () => {
    const parts = requestParts([record('a', 'x'), record('b', 'y'.repeat(5000)), record('c', 'z')], 2000);
    expect(parts.map((p) => p.map((m) => m.key.toString()))).toEqual([['a'], ['b'], ['c']]);
    expect(requestParts([], 2000)).toEqual([]);
  });
});
