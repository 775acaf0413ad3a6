import { createApp } from '../app.js';
import { makeTestDeps, TEST_DASH_KEY } from './index.js';
import type { Harness } from './rollup.js';

/** The real app around a rollup harness; `get` sends the dash key. */
export function appFor(h: Harness) {
  const deps = makeTestDeps({ log: h.log, clock: h.clock, rollups: h.rollups, ledger: h.ledger, config: { timeZone: h.config.timeZone, dataDir: h.dir } });
  const app = createApp(deps);
  return {
    app,
    get: (path: string, headers: Record<string, string> = {}) => app.request(path, { headers: { 'x-dash-key': TEST_DASH_KEY, ...headers } }),
    json: async (path: string) => {
      const res = await app.request(path, { headers: { 'x-dash-key': TEST_DASH_KEY } });
      return { status: res.status, body: (await res.json()) as any };
    },
  };
}
