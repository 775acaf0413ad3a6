import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postBatch, realisticEvent } from '../testing/process-requests.js';
import { killQuietly, startCollector, type CollectorProcess, TEST_DASH_KEY } from '../testing/index.js';
import { generateLog } from '../synth/generate.js';

/**
 * A real `serve` rolls up a day of 60,000 events (its rollup every 3 s) while a client keeps
 * sending batches: every request is answered 200, some of them while the rollup ran (from its log
 * line's end time and duration), and afterwards every event is counted once. How fast it answers
 * is a benchmark (`pnpm bench rollup-latency`), not a test.
 */
describe('ingestion during a rollup (real process)', { timeout: 180_000 }, () => {
  let dir: string;
  let c: CollectorProcess | undefined;
  afterEach(() => {
    killQuietly(c);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps answering and counts every event once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-rollup-process-'));
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const generated = generateLog({ dataDir: dir, days: 1, eventsPerDay: 60_000, users: 20_000, seed: 'rollup-process', end: yesterday }).events;
    // Loading the day into the overlay before listening takes a while on a loaded machine.
    c = await startCollector({ dataDir: dir, env: { TALLY_ROLLUP_CRON: '*/3 * * * * *', TALLY_LOG_LEVEL: 'info' }, startTimeoutMs: 120_000 });
    const requests: { start: number; end: number; status: number }[] = [];
    let rollup: { time: string; ms: number; events: number } | undefined;
    let i = 0;
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const start = Date.now();
      const { status } = await postBatch(c.url, Array.from({ length: 10 }, () => realisticEvent(i++)));
      requests.push({ start, end: Date.now(), status });
      if (rollup !== undefined) break; // one more request after the rollup reported
      const line = c.output().split('\n').find((l) => l.includes('"msg":"nightly rollup"') && !l.includes('"events":0,'));
      if (line !== undefined) rollup = JSON.parse(line) as typeof rollup;
    }
    expect(rollup, c.output().slice(-2000)).toBeDefined();
    expect(rollup!.events).toBeGreaterThanOrEqual(generated);
    expect(requests.filter((r) => r.status !== 200)).toEqual([]);
    const end = Date.parse(rollup!.time);
    const begin = end - rollup!.ms;
    expect(requests.filter((r) => r.end >= begin && r.start <= end).length).toBeGreaterThan(0);
    const res = await fetch(`${c.url}/api/analytics/usage?days=365`, { headers: { 'x-dash-key': TEST_DASH_KEY } });
    expect(((await res.json()) as { total_events: number }).total_events).toBe(generated + i);
  });
});
