import type { Clock } from '../deps.js';

/** A clock that only moves when a test says so. */
export interface FakeClock extends Clock {
  /** Jumps to an instant (ms since epoch or an ISO-8601 string). */
  set(at: number | string): void;
  advance(ms: number): void;
}

export const FAKE_CLOCK_START = '2026-11-20T12:00:00.000Z';

export function createFakeClock(start: number | string = FAKE_CLOCK_START): FakeClock {
  let now = toMs(start);
  return {
    now: () => now,
    set(at) {
      now = toMs(at);
    },
    advance(ms) {
      now += ms;
    },
  };
}

function toMs(at: number | string): number {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) throw new Error(`fake clock: not a time: ${String(at)}`);
  return ms;
}
