import { describe, expect, it } from 'vitest';
import { createDedupIndex, dedupKey } from './dedup.js';

const H = 3600_000;

describe('dedupKey', () => {
  it('packs UUIDs case-insensitively into 16 one-byte chars', () => {
    const a = dedupKey('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(dedupKey('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe(a);
    expect(a).toHaveLength(16);
    expect([...a].map((c) => c.charCodeAt(0))).toEqual([
      0x0f, 0x8f, 0xad, 0x5b, 0xd9, 0xcb, 0x46, 0x9f, 0xa1, 0x65, 0x70, 0x86, 0x77, 0x28, 0x95, 0x0e,
    ]);
    expect(dedupKey('0f8fad5b-d9cb-469f-a165-70867728950f')).not.toBe(a);
  });

  it('keeps other ids verbatim behind a prefix no packed key can hold', () => {
    expect(dedupKey('my-own-id')).toBe('\u0100my-own-id');
    // 36 chars with dashes in the right places but not hex: not a UUID.
    expect(dedupKey('0g8fad5b-d9cb-469f-a165-70867728950e')).toBe('\u01000g8fad5b-d9cb-469f-a165-70867728950e');
    // A 16-char id whose chars equal some packed UUID still differs from it.
    const packed = dedupKey('41414141-4141-4141-4141-414141414141');
    expect(packed).toBe('A'.repeat(16));
    expect(dedupKey('A'.repeat(16))).not.toBe(packed);
  });

  it('treats a 36-char id as a UUID only when every digit is hex and the dashes are in place', () => {
    const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
    const base = '0f8fad5b-d9cb-469f-a165-70867728950e';
    // Each position replaced by a character that is hex, a dash, or neither (incl. non-ASCII).
    for (let i = 0; i < base.length; i++) {
      for (const ch of ['a', 'F', '9', '-', 'g', 'G', ':', '/', '@', '`', 'é', 'İ', '\u0130', '０']) {
        const id = base.slice(0, i) + ch + base.slice(i + 1);
        const packed = dedupKey(id);
        expect(packed.startsWith('\u0100'), id).toBe(!uuid.test(id));
      }
    }
  });
});

describe('createDedupIndex', () => {
  it('remembers ids for the whole window and forgets them after', () => {
    const idx = createDedupIndex({ windowMs: 48 * H, maxIds: 100 });
    const t0 = Date.parse('2026-11-20T00:00:00Z');
    idx.add('a', t0);
    expect(idx.has('a', t0 + 48 * H - 1)).toBe(true);
    expect(idx.has('a', t0 + 48 * H + 2 * 60_000)).toBe(false);
    expect(idx.has('b', t0)).toBe(false);
  });

  it('sweeps expired ids from the front and keeps live ones', () => {
    const idx = createDedupIndex({ windowMs: 48 * H, maxIds: 100 });
    const t0 = Date.parse('2026-11-20T00:00:00Z');
    idx.add('old', t0);
    idx.add('older-but-later', t0 + H);
    idx.add('new', t0 + 10 * H);
    expect(idx.sweep(t0 + 49 * H + 30 * 60_000)).toBe(2);
    expect(idx.size()).toBe(1);
    expect(idx.has('new', t0 + 49 * H)).toBe(true);
  });

  it('caps memory by forgetting the oldest ids first and says so', () => {
    const evicted: number[] = [];
    const idx = createDedupIndex({ windowMs: 48 * H, maxIds: 1000, onEvictEarly: (n) => evicted.push(n) });
    const t0 = Date.parse('2026-11-20T00:00:00Z');
    for (let i = 0; i < 1001; i++) idx.add(`id${i}`, t0 + i * 60_000);
    expect(idx.size()).toBeLessThanOrEqual(1000);
    expect(idx.has('id0', t0 + 2000 * 60_000)).toBe(false);
    expect(idx.has('id1000', t0 + 2000 * 60_000)).toBe(true);
    expect(evicted.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
