import { describe, expect, it } from 'vitest';
import { createIdSet } from './id-set.js';

describe('IdSet', () => {
  it('is exact for UUIDs, other one-byte ids and wide characters, across growth', () => {
    const s = createIdSet(4);
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) {
      ids.push(`e${i}`);
      ids.push(`9b2f3c1e-0000-4000-8000-${String(i).padStart(12, '0')}`);
      ids.push(`é-${i}-ü`);
      ids.push(`日本-${i}`);
    }
    for (const id of ids) expect(s.add(id)).toBe(true);
    expect(s.size).toBe(ids.length);
    for (const id of ids) expect(s.add(id)).toBe(false);
    for (const id of ids) expect(s.has(id)).toBe(true);
    expect(s.size).toBe(ids.length);
    expect(s.has('e5000')).toBe(false);
    expect(s.has('9b2f3c1e-0000-4000-8000-000000005000')).toBe(false);
  });

  it('keeps case and encodings apart', () => {
    const s = createIdSet();
    const lower = '9b2f3c1e-0000-4000-8000-00000000abcd';
    expect(s.add(lower)).toBe(true);
    expect(s.add(lower.toUpperCase())).toBe(true);
    expect(s.has('9b2f3c1e-0000-4000-8000-00000000ABCd')).toBe(false);
    // Same bytes as a latin1 string vs as UTF-16 code units must not collide.
    expect(s.add('ab')).toBe(true);
    expect(s.add('\u6261')).toBe(true);
    expect(s.add('')).toBe(true);
    expect(s.add('')).toBe(false);
    // A 36-character non-UUID with dashes in the UUID places.
    expect(s.add('zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz')).toBe(true);
    expect(s.has('zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzy')).toBe(false);
    expect(s.size).toBe(6);
  });
});
