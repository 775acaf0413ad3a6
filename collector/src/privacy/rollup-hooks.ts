import type { Analytics } from '../rollup/analytics.js';

/**
 * What erasure and retention need from the rollup store beyond `rebuildDays`. The methods are looked
 * up at run time so this folder works against whichever version of `Analytics` is wired in; a missing
 * method is a failure, never a silent skip — erasure must not report success while traces remain.
 */
interface RollupPrivacy {
  /** Deletes every per-user row (first-seen, cohorts, distinct-user sets) for these user keys. */
  forgetUsers(keys: string[]): Promise<void> | void;
}

interface RollupRetention {
  /** Deletes rollup rows of days (TALLY_TZ) strictly before `day`; returns the number of rows (or days) removed. */
  purgeRollupsBefore(day: string, opts: { dryRun: boolean }): Promise<RollupPurge> | RollupPurge;
  /**
   * True when every event of this UTC receipt day is reflected in persisted rollups, so the raw file
   * may go (a late event in it may belong to an older day, hence the receipt-day question).
   */
  isRolledUp(receiptDay: string): Promise<boolean> | boolean;
}

export interface RollupPurge {
  days: string[];
  rows: number;
}

export class MissingRollupSupportError extends Error {
  constructor(method: string) {
    super(`the rollup store does not implement ${method}(); refusing to continue`);
    this.name = 'MissingRollupSupportError';
  }
}

function method<T>(analytics: Analytics, name: string): T {
  const fn = (analytics as unknown as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new MissingRollupSupportError(name);
  return (fn as (...a: unknown[]) => unknown).bind(analytics) as T;
}

/** Resolves the rollup side's `forgetUsers` up front, so a missing hook fails before anything is touched. */
export function rollupForgetter(analytics: Analytics): (keys: string[]) => Promise<void> {
  const forget = method<RollupPrivacy['forgetUsers']>(analytics, 'forgetUsers');
  return async (keys) => {
    await forget(keys);
  };
}

export async function purgeRollups(analytics: Analytics, before: string, dryRun: boolean): Promise<RollupPurge> {
  return method<RollupRetention['purgeRollupsBefore']>(analytics, 'purgeRollupsBefore')(before, { dryRun });
}

export async function receiptDayRolledUp(analytics: Analytics, day: string): Promise<boolean> {
  return method<RollupRetention['isRolledUp']>(analytics, 'isRolledUp')(day);
}
