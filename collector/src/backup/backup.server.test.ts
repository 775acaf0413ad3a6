import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postBatch, query, realisticEvent, storedIds } from '../testing/process-requests.js';
import { killQuietly, runCli, startCollector, type CollectorProcess, TEST_DASH_KEY } from '../testing/index.js';
import { addDays } from '../shared/index.js';

// A real collector under load from three concurrent senders; `pnpm collector backup` runs as its
// own process meanwhile, then `restore` into a new directory and a second collector on it.

const running: CollectorProcess[] = [];
const dirs: string[] = [];
const tmp = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `tally-${name}-`));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const c of running.splice(0)) killQuietly(c);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const env = (dataDir: string) => ({ TALLY_DATA_DIR: dataDir, TALLY_BOT_FILTER: 'off', TALLY_DASH_KEY: TEST_DASH_KEY });

describe('backup while the collector runs, restore into a new directory', () => {
  it('has every event acknowledged before the backup began exactly once, and the same numbers for closed days', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = addDays(today, -1);
    const data = tmp('data');
    // Closed days: written by the generator and rolled up, as the nightly job would have.
    const gen = await runCli(['generate', '--days', '5', '--end', yesterday, '--events-per-day', '300', '--users', '60', '--seed', '3'], env(data));
    expect(gen.code, gen.stderr).toBe(0);
    const rolled = await runCli(['rollup'], env(data));
    expect(rolled.code, rolled.stderr).toBe(0);
    // A forwarder checkpoint (kept under forward/): copied as it is.
    mkdirSync(join(data, 'forward'), { recursive: true });
    writeFileSync(join(data, 'forward', 'kafka.checkpoint.json'), '{"day":"2026-11-01","offset":123}\n');

    const a = await startCollector({ dataDir: data });
    running.push(a);
    // Load: three senders; each remembers the ids of a batch with the moment its 200 arrived.
    const acked: { ids: string[]; at: number }[] = [];
    let stop = false;
    let n = 0;
    const sender = async () => {
      while (!stop) {
        const events = Array.from({ length: 20 }, () => realisticEvent(n++));
        const r = await postBatch(a.url, events);
        expect(r.status).toBe(200);
        acked.push({ ids: events.map((e) => e.event_id as string), at: Date.now() });
      }
    };
    const senders = [sender(), sender(), sender()];
    while (acked.length < 30) await new Promise((r) => setTimeout(r, 20));

    const began = Date.now();
    const backupDir = join(tmp('backup'), 'b');
    const backup = await runCli(['backup', '--to', backupDir], env(data));
    const ended = Date.now();
    const during = acked.filter((b) => b.at > began && b.at < ended).length;
    stop = true;
    await Promise.all(senders);
    expect(backup.code, backup.stderr).toBe(0);
    // The premise: ingestion went on while the backup ran.
    expect(during).toBeGreaterThan(0);
    const summary = JSON.parse(backup.stdout) as { events: number; skipped: { path: string }[] };
    expect(summary.skipped.map((s) => s.path)).toContain('events/LOCK');

    const before = acked.filter((b) => b.at < began).flatMap((b) => b.ids);
    expect(before.length).toBeGreaterThanOrEqual(600);
    const restored = tmp('restored');
    const r = await runCli(['restore', '--from', backupDir], env(restored));
    expect(r.code, r.stderr).toBe(0);
    const ids = await storedIds(restored);
    expect(ids.length).toBe(summary.events);
    const count = new Map<string, number>();
    for (const id of ids) count.set(id, (count.get(id) ?? 0) + 1);
    expect(before.filter((id) => count.get(id) !== 1)).toEqual([]);
    expect([...count.values()].every((c) => c === 1)).toBe(true);
    expect(readFileSync(join(restored, 'forward', 'kafka.checkpoint.json'), 'utf8')).toBe('{"day":"2026-11-01","offset":123}\n');
    expect(readdirSync(restored)).not.toContain('.restore-partial');

    const b = await startCollector({ dataDir: restored });
    running.push(b);
    const from = addDays(today, -10);
    for (const path of [
      `/api/analytics/timeseries?metric=events&from=${from}&to=${yesterday}`,
      `/api/analytics/timeseries?metric=active_users&from=${from}&to=${yesterday}`,
      `/api/analytics/breakdown?by=feature&from=${from}&to=${yesterday}`,
      `/api/analytics/retention?cohort=day&periods=5&from=${from}&to=${yesterday}`,
    ]) {
      expect(await query(b.url, path), path).toEqual(await query(a.url, path));
    }
    const series = (await query(b.url, `/api/analytics/timeseries?metric=events&from=${from}&to=${yesterday}`)) as { points: { value: number }[] };
    expect(series.points.reduce((s, p) => s + p.value, 0)).toBeGreaterThan(1000);
    const closedCompleteness = async (c: CollectorProcess) =>
      ((await query(c.url, '/api/analytics/completeness?days=10')) as { days: { day: string }[] }).days.filter((d) => d.day !== today);
    const closed = await closedCompleteness(a);
    expect(closed.length).toBeGreaterThan(0);
    expect(await closedCompleteness(b)).toEqual(closed);
  }, 120_000);

  it('restore refuses a non-empty directory and a damaged backup, and changes nothing', async () => {
    const data = tmp('data');
    expect((await runCli(['generate', '--days', '2', '--events-per-day', '50', '--users', '10'], env(data))).code).toBe(0);
    const backupDir = join(tmp('backup'), 'b');
    expect((await runCli(['backup', '--to', backupDir], env(data))).code).toBe(0);
    // A second backup into the same directory would mix two snapshots.
    const again = await runCli(['backup', '--to', backupDir], env(data));
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr).error).toMatch(/is not empty/);

    const target = tmp('target');
    writeFileSync(join(target, 'keep.txt'), 'mine');
    const refused = await runCli(['restore', '--from', backupDir], env(target));
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr).error).toMatch(/refusing to restore into .*: it is not empty/);
    expect(readdirSync(target)).toEqual(['keep.txt']);

    const day = readdirSync(join(backupDir, 'events'))[0]!;
    writeFileSync(join(backupDir, 'events', day), 'not what was backed up\n');
    const empty = join(tmp('target'), 'new');
    const damaged = await runCli(['restore', '--from', backupDir], env(empty));
    expect(damaged.code).toBe(1);
    expect(JSON.parse(damaged.stderr).error).toMatch(new RegExp(`damaged: events/${day} does not match its checksum`));
    expect(() => readdirSync(empty)).toThrow(/ENOENT/);

    const usage = await runCli(['restore'], env(empty));
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr).error).toBe('--from DIR is required');
  }, 120_000);
});
