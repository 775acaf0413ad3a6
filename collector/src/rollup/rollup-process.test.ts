import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { postBatch, realisticEvent } from '../testing/process-requests.js';
import { killQuietly, runCli, spawnCli, startCollector, type CollectorProcess, TEST_DASH_KEY } from '../testing/index.js';
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

  it('a rollup killed while the worker stages a day leaves a database the next rollup completes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-rollup-kill-'));
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    // Enough (user, dimensions) rows for several chunks, so staging spans several transactions.
    const generated = generateLog({ dataDir: dir, days: 1, eventsPerDay: 200_000, users: 60_000, seed: 'rollup-kill', end: yesterday }).events;
    const env = { TALLY_DATA_DIR: dir, TALLY_DASH_KEY: TEST_DASH_KEY };
    const file = join(dir, 'tally.db');
    // Staged rows that no head names yet: the state between the worker's writes and the head move.
    const midStage = () => {
      if (!existsSync(file)) return false;
      try {
        const db = new Database(file, { readonly: true });
        try {
          return (db.prepare('SELECT (SELECT COUNT(*) FROM day_parts) > 0 AND (SELECT COUNT(*) FROM day_heads) = 0').pluck().get() as number) === 1;
        } finally {
          db.close();
        }
      } catch {
        return false; // not created or migrated yet
      }
    };
    const proc = spawnCli(['rollup'], env);
    proc.stdout?.resume();
    proc.stderr?.resume();
    let exited = false;
    const exit = new Promise((r) => proc.once('exit', r)).then(() => (exited = true));
    let killed = false;
    while (!exited && !killed) {
      if (midStage()) killed = proc.kill('SIGKILL');
      else await new Promise((r) => setTimeout(r, 5));
    }
    await exit;
    // The worker's staging takes several transactions: polling every few ms sees it.
    expect(killed).toBe(true);
    const finished = await runCli(['rollup'], env);
    expect(finished.code, finished.stderr).toBe(0);
    const db = new Database(file, { readonly: true });
    // Only what the day's head names is left: the killed run's rows went in the clean-up.
    const stray = db.prepare('SELECT COUNT(*) FROM day_parts p JOIN day_heads h ON h.day = p.day WHERE p.rowid NOT BETWEEN h.lo AND h.hi').pluck().get();
    const orphans = db.prepare('SELECT COUNT(*) FROM day_parts WHERE day NOT IN (SELECT day FROM day_heads)').pluck().get();
    // User id lists no head names (the worker writes them too, before the head move).
    const lists = db.prepare('SELECT key FROM day_users').pluck().all() as string[];
    const named = new Set((db.prepare('SELECT key FROM day_user_keys').pluck().all() as string[]).flatMap((k) => k.split(',')));
    db.close();
    expect({ stray, orphans, unnamedLists: lists.filter((k) => !named.has(k)).length }).toEqual({ stray: 0, orphans: 0, unnamedLists: 0 });
    expect(lists.length).toBeGreaterThan(0);
    c = await startCollector({ dataDir: dir, startTimeoutMs: 120_000 });
    const res = await fetch(`${c.url}/api/analytics/usage?days=365`, { headers: { 'x-dash-key': TEST_DASH_KEY } });
    expect(((await res.json()) as { total_events: number }).total_events).toBe(generated);
  });
});
