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

/**
 * `crypto.randomUUID` exists only in secure contexts (an http:// page has none) and not in every
 * React Native engine. The fallback is a v4-shaped id from `Math.random`: ids only need to be
 * unique, not unguessable, and the collector deduplicates by them within one app.
 */
export const defaultUuid = (): string =>
  (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.() ||
  'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => ((Math.random() * 16) | 0).toString(16));
