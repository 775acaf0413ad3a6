import { tmpdir } from 'node:os';
import { loadConfig, type Config } from '../config/config.js';
import type { AppDeps } from '../deps.js';
import type { Rollups } from '../rollup/index.js';
import { createMetrics, type Metrics } from '../ops/metrics.js';
import { createFakeClock, type FakeClock } from './clock.js';
import { createRecordingLedger, type RecordingLedger } from './ledger.js';
import { createMemoryLogStore, type MemoryLogStore } from './log-store.js';
import { createRecordingLogger, type RecordingLogger } from './logger.js';
import { TEST_DASH_KEY } from './collector-process.js';
import { utcDay } from '../shared/index.js';


/**
 * A `Rollups` without SQLite that remembers which days it was asked to rebuild. No engine (the
 * query API answers 503); no rollups: nothing to persist, purge or forget, no day confirmed rolled up.
 */
export interface StubRollups extends Rollups {
  readonly rebuilt: string[][];
}

export function createStubRollups(): StubRollups {
  const rebuilt: string[][] = [];
  return {
    rebuilt,
    async rebuildDays(days) {
      rebuilt.push([...days]);
    },
    close() {},
    today: () => utcDay(Date.now()),
    rollup: async () => ({ ok: true, days: [], events: 0, ms: 0 }),
    rebuildAll: async () => ({ ok: true, days: [], events: 0, ms: 0 }),
    purgeRollupsBefore: () => ({ days: [], rows: 0 }),
    isRolledUp: () => false,
    forgetUsers: () => {},
    completeness: () => [],
  };
}

/** The default fakes, typed as fakes so tests can reach their extras (`log.events`, `clock.advance`...). */
export interface TestDeps extends AppDeps {
  config: Config;
  log: MemoryLogStore;
  ledger: RecordingLedger;
  logger: RecordingLogger;
  clock: FakeClock;
  rollups: StubRollups;
  metrics: Metrics;
}

export type TestOverrides = Partial<Omit<AppDeps, 'config'>> & { config?: Partial<Config> };

/**
 * Deps for `createApp(...)` + `app.request()` tests. Defaults: the embedded config with
 * `dashKey = TEST_DASH_KEY`, `rateLimit = 0` (off, so unrelated tests never see a 429) and
 * `dataDir = os.tmpdir()`; an in-memory log on a fake clock at 2026-11-20T12:00:00Z.
 * `config` overrides are merged into those defaults; any other override replaces the fake
 * (and its type), e.g. `makeTestDeps({ log: realStore })`.
 */
export function makeTestDeps<O extends TestOverrides = {}>(
  overrides?: O,
): Omit<TestDeps, Exclude<keyof O, 'config'>> & Omit<O, 'config'> {
  const clock = overrides?.clock ?? createFakeClock();
  const config: Config = {
    ...loadConfig({}),
    dashKey: TEST_DASH_KEY,
    rateLimit: 0,
    dataDir: tmpdir(),
    ...overrides?.config,
  };
  const defaults: TestDeps = {
    config,
    clock: clock as FakeClock,
    log: createMemoryLogStore(clock),
    ledger: createRecordingLedger(),
    logger: createRecordingLogger(),
    rollups: createStubRollups(),
    metrics: createMetrics(),
  };
  const { config: _ignored, ...rest } = overrides ?? {};
  return { ...defaults, ...rest, config } as never;
}
