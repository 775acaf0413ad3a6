import type { Clock } from './types.js';

// Core is compiled without DOM or Node typings on purpose; these exist on every JS platform it targets.
declare function setTimeout(fn: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;

export const realClock: Clock = {
  now: Date.now,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  // Hermes 0.12's host throws on clearTimeout(undefined) (the scheduler's first clear): never pass one on.
  clearTimeout: (h) => h && clearTimeout(h),
};
