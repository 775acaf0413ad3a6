import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClickHouse, type ClickHouse } from './chdb.js';

describe('openClickHouse (chdb in-process)', () => {
  let ch: ClickHouse;
  beforeAll(async () => {
    ch = await openClickHouse();
  }, 60_000);
  afterAll(() => ch?.close());

  it('loads JSONEachRow rows, ignoring unknown fields, and answers SQL as objects', async () => {
    expect(ch.version).toMatch(/^\d+\.\d+/);
    const n = await ch.load('t', 'user String, t UInt64, type String', [
      { user: 'a', t: 1, type: 'x', extra: true },
      { user: 'a', t: 2, type: 'y' },
      { user: 'b', t: 3, type: 'x' },
    ]);
    expect(n).toBe(3);
    const out = await ch.rows<{ user: string; n: number; last: number }>('SELECT user, count() AS n, max(t) AS last FROM t GROUP BY user ORDER BY user');
    expect(out).toEqual([
      { user: 'a', n: 2, last: 2 },
      { user: 'b', n: 1, last: 3 },
    ]);
    expect(await ch.load('empty', 'x UInt8', [])).toBe(0);
    expect(await ch.rows('SELECT * FROM empty')).toEqual([]);
  });

  it('refuses a table name that is not an identifier, and reports SQL errors', async () => {
    await expect(ch.load('t; DROP TABLE t', 'x UInt8', [])).rejects.toThrow(/bad table name/);
    await expect(ch.rows('SELECT no_such_column FROM t')).rejects.toThrow();
  });
});
