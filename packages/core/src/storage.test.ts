import { describe, expect, it, vi } from 'vitest';
import { memoryStorage } from './memory-storage.js';
import { fallbackStorage } from './storage.js';
import type { Storage } from './types.js';

const failing = (message: string): Storage => {
  const no = () => Promise.reject(new Error(message));
  return { get: no, set: no, append: no, head: no, remove: no, wipe: no };
};

describe('fallbackStorage', () => {
  it('moves to the next tier for good when a tier fails to open or a call rejects, retrying the call there', async () => {
    const log = vi.fn();
    const second = memoryStorage();
    const open = vi.fn(() => second);
    const s = fallbackStorage(
      [
        () => {
          throw new Error('first');
        },
        open,
      ],
      log,
    );
    await s.set('k', 1);
    expect(await s.get('k')).toBe(1);
    expect(open).toHaveBeenCalledOnce();
    expect(log).toHaveBeenCalledWith('storage 0 failed', expect.any(Error));
  });

  it('forwards every queue step', async () => {
    const s = fallbackStorage([() => failing('a'), memoryStorage]);
    const e = { event_id: 'e1', event_type: 'x', ts: '', anonymous_id: 'a', session_id: 's' };
    expect(await s.append([e], 10, (c) => c)).toBe(1);
    const h = await s.head(5);
    expect(h.entries.map((x) => x.event)).toEqual([e]);
    expect(await s.remove(h.entries, (c, n) => ({ dropped: c.dropped + n }))).toBe(0);
    expect((await s.head(0)).counters).toEqual({ dropped: 1 });
    await s.wipe();
    expect((await s.head(0)).counters).toEqual({ dropped: 0 });
  });

  it('advances once when concurrent calls fail together', async () => {
    const third = vi.fn(memoryStorage);
    const s = fallbackStorage([() => failing('a'), memoryStorage, third]);
    await Promise.all([s.set('x', 1), s.set('y', 2), s.get('x')]);
    expect(third).not.toHaveBeenCalled();
    expect([await s.get('x'), await s.get('y')]).toEqual([1, 2]);
  });

  it('rejects only when the last tier fails', async () => {
    const s = fallbackStorage([() => failing('first'), () => failing('last')]);
    await expect(s.get('k')).rejects.toThrow('last');
  });
});
