import { describe, expect, it } from 'vitest';
import { BatchSchema, LIMITS } from '@tally/protocol';

describe('BatchSchema dropped_id', () => {
  it('accepts an id of 1 to LIMITS.idLength characters, with or without dropped', () => {
    for (const id of ['r', 'x'.repeat(LIMITS.idLength)]) {
      expect(BatchSchema.safeParse({ events: [], dropped: 3, dropped_id: id })).toMatchObject({
        success: true,
        data: { dropped: 3, dropped_id: id },
      });
    }
    expect(BatchSchema.safeParse({ events: [], dropped_id: 'r1' }).success).toBe(true);
    expect(BatchSchema.safeParse({ events: [], dropped: 3 }).success).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(LIMITS.idLength + 1)],
    ['a number', 7],
    ['null', null],
  ])('rejects an id that is %s, naming the field', (_name, id) => {
    const parsed = BatchSchema.safeParse({ events: [], dropped: 1, dropped_id: id });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['dropped_id']);
  });
});
