import type { Clock } from './types.js';

// Core is compiled without DOM or Node typings on purpose; these exist on every JS platform it targets.
declare function setTimeout(fn: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;

export const realClock: Clock = {
  now: Date.now,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h),
};

/**
 * `crypto.randomUUID` exists only in secure contexts (an http:// page has none) and not in every
 * React Native engine. The fallback is a v4-shaped id from `Math.random`: ids only need to be
 * unique, not unguessable, and the collector deduplicates by them within one app.
 */
export const defaultUuid = (): string =>
  (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.() ||
  '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (d) => (+d ^ ((Math.random() * 16) >> (+d / 4))).toString(16));
