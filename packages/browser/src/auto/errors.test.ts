// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trackErrors } from './errors.js';

const stops: Array<() => void> = [];
function setup(active = () => true) {
  const track = vi.fn();
  stops.push(trackErrors({ track }, active));
  return track;
}
const fire = (message: string, filename = 'https://site/app.js', error?: unknown) =>
  dispatchEvent(new ErrorEvent('error', { message, filename, lineno: 3, colno: 9, error }));
const reject = (reason: unknown) => {
  const e = new Event('unhandledrejection') as Event & { reason?: unknown };
  e.reason = reason;
  dispatchEvent(e);
};

// Fake timers: the rate limit's minute must pass without waiting for it.
beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout'] }));
afterEach(() => {
  stops.splice(0).forEach((s) => s());
  vi.useRealTimers();
});

describe('error tracking', () => {
  it('reports an uncaught error with message, source, line, col and a stack cut to 1 KB', () => {
    const track = setup();
    const error = new Error('x is undefined');
    error.stack = 'Error: x is undefined\n' + '    at f (https://site/app.js:3:9)\n'.repeat(100);
    fire('Uncaught Error: x is undefined', undefined, error);
    expect(track).toHaveBeenCalledOnce();
    const [type, feature, meta] = track.mock.calls[0]!;
    expect([type, feature]).toEqual(['error', 'error']);
    expect(meta).toMatchObject({ message: 'Uncaught Error: x is undefined', source: 'https://site/app.js', line: 3, col: 9 });
    expect(meta.stack).toHaveLength(1024);
    expect(error.stack.startsWith(meta.stack)).toBe(true);
  });

  it('reports unhandled rejections of errors and of other values', () => {
    const track = setup();
    reject(new TypeError('bad'));
    reject('plain string');
    expect(track.mock.calls.map((c) => [c[1], c[2].message])).toEqual([
      ['unhandledrejection', 'bad'],
      ['unhandledrejection', 'plain string'],
    ]);
  });

  it('reports each message+source once', () => {
    const track = setup();
    for (let i = 0; i < 50; i++) fire('same');
    fire('same', 'https://site/other.js');
    expect(track).toHaveBeenCalledTimes(2);
  });

  it('reports at most 10 distinct errors per rolling minute', () => {
    const track = setup();
    for (let i = 0; i < 100; i++) fire('loop ' + i);
    expect(track).toHaveBeenCalledTimes(10);
    vi.advanceTimersByTime(59_999);
    fire('late');
    expect(track).toHaveBeenCalledTimes(10);
    vi.advanceTimersByTime(1);
    // Rate-limited messages were not marked as seen: one of them can be reported later.
    fire('loop 50');
    expect(track).toHaveBeenCalledTimes(11);
    expect(track.mock.lastCall![2].message).toBe('loop 50');
  });

  it('frees the budget a minute after each report, not all at once', () => {
    const track = setup();
    for (let i = 0; i < 5; i++) fire('early ' + i);
    vi.advanceTimersByTime(30_000);
    for (let i = 0; i < 10; i++) fire('mid ' + i);
    expect(track).toHaveBeenCalledTimes(10);
    vi.advanceTimersByTime(30_000);
    for (let i = 0; i < 10; i++) fire('late ' + i);
    expect(track).toHaveBeenCalledTimes(15);
  });

  it('does nothing while inactive, and nothing after stop', () => {
    const track = setup(() => false);
    fire('e1');
    stops.splice(0).forEach((s) => s());
    const again = vi.fn();
    trackErrors({ track: again }, () => true)();
    fire('e2');
    expect(track).not.toHaveBeenCalled();
    expect(again).not.toHaveBeenCalled();
  });

  it('survives a rejection reason whose toString throws', () => {
    const track = setup();
    expect(() =>
      reject({
        toString() {
          throw new Error('nope');
        },
      }),
    ).not.toThrow();
    expect(track).not.toHaveBeenCalled();
  });
});
