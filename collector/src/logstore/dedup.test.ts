import { describe, expect, it } from 'vitest';
import { compactKey, createDedupIndex } from './dedup.js';

const H = 3600_000;

describe('compactKey', () => {
  it('packs UUIDs case-insensitively into 16 one-byte chars and leaves other ids alone', () => {
    const a = compactKey('0f8fad5b-d9cb-469f-a165-70867728950e');
    const b = compactKey('0F8FAD5B-D9CB-469F-A165-70867728950E');
    expect(a).toEqual(b);
    expect(a.packed).toBe(true);
    expect(a.key).toHaveLength(16);
    expect(a.key.charCodeAt(0)).toBe(0x0f);
    expect(compactKey('0f8fad5b-d9cb-469f-a165-70867728950f').key).not.toBe(a.key);
    expect(compactKey('my-own-id')).toEqual({ packed: false, key: 'my-own-id' });
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
    idx.add('11111111-2222-3333-4444-555555555555', t0 + H);
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
