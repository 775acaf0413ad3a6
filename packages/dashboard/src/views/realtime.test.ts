import { describe, expect, it } from 'vitest';
import { REALTIME_POLL_MS } from './realtime.js';

describe('realtime view', () => {
  // The promise: an acknowledged event appears within 5 s. The collector answers with it at
  // once (e2e/dashboard.test.ts); the view's refresh period is the rest of that bound.
  it('refreshes at most every 5 s', () => {
    expect(REALTIME_POLL_MS).toBeGreaterThan(0);
    expect(REALTIME_POLL_MS).toBeLessThanOrEqual(5000);
  });
});
