import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { openRollups } from '../rollup/index.js';
import { createMemoryLogStore, createRecordingLogger } from '../testing/index.js';
import { ev } from '../testing/rollup.js';
import { scheduleNightly } from './nightly.js';

describe('nightly job', () => {
  it('runs the rollup on its cron schedule, then the after-hook, and stops when told', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-cron-'));
    const log = createMemoryLogStore();
    const logger = createRecordingLogger();
    const { rollups } = await openRollups({ config: { ...loadConfig({}), dataDir: dir }, log, logger, clock: { now: () => Date.now() }, warm: false });
    let hooks = 0;
    const nightly = scheduleNightly({ cron: '* * * * * *' /* every second */, timeZone: 'UTC', logger, rollup: () => rollups.rollup(), after: async () => void hooks++ });
    try {
      await log.append([ev('2020-01-01T10:00:00Z', { user_id: 'a', received_at: '2020-01-01T10:00:00.000Z' })]);
      // Generous: the first rollup starts the rollup worker thread, slow on a loaded machine.
      for (let i = 0; i < 200 && !(rollups.isRolledUp('2020-01-01') && hooks > 0); i++) await new Promise((r) => setTimeout(r, 100));
      expect(rollups.isRolledUp('2020-01-01')).toBe(true);
      expect(hooks).toBeGreaterThan(0);
      expect(logger.lines.some((l) => l.msg === 'nightly rollup')).toBe(true);
    } finally {
      nightly.stop();
    }
    const after = hooks;
    await new Promise((r) => setTimeout(r, 1200));
    expect(hooks).toBe(after);
    rollups.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});
