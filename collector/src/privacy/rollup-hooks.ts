import type { Analytics, RollupPurge } from '../rollup/analytics.js';

/**
 * What erasure and retention need from the rollup store beyond `rebuildDays`. These methods are
 * optional on `Analytics` (stand-ins of other folders' tests lack them); here a missing one is a
 * failure, never a silent skip — an erasure must not report success while traces remain, and a
 * purge must not delete a log file nobody confirmed is rolled up.
 */

export type { RollupPurge };

export class MissingRollupSupportError extends Error {
  constructor(method: string) {
    super(`the rollup store does not implement ${method}(); refusing to continue`);
    this.name = 'MissingRollupSupportError';
  }
}

/** Resolves `forgetUsers` up front, so a missing hook fails before anything is touched. */
export function rollupForgetter(analytics: Analytics): (keys: string[]) => Promise<void> {
  if (typeof analytics.forgetUsers !== 'function') throw new MissingRollupSupportError('forgetUsers');
  return async (keys) => {
    await analytics.forgetUsers!(keys);
  };
}

export function rollupRetention(analytics: Analytics): {
  purge(before: string, dryRun: boolean): Promise<RollupPurge>;
  rolledUp(receiptDay: string): Promise<boolean>;
} {
  if (typeof analytics.purgeRollupsBefore !== 'function') throw new MissingRollupSupportError('purgeRollupsBefore');
  if (typeof analytics.isRolledUp !== 'function') throw new MissingRollupSupportError('isRolledUp');
  return {
    purge: async (before, dryRun) => analytics.purgeRollupsBefore!(before, { dryRun }),
    rolledUp: async (day) => analytics.isRolledUp!(day),
  };
}
