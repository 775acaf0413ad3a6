import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postBatch, realisticEvent, storedIds } from '../testing/process-requests.js';
import { killQuietly, startCollector, type CollectorProcess, TEST_DASH_KEY } from '../testing/index.js';

// Issue #10, item 6: today's NDJSON file deleted under a running collector. Appends would go to the
// unlinked inode and vanish at the next restart; the collector notices, restores the file from its
// open descriptor, says so loudly, and loses no acknowledged event.

let running: CollectorProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  killQuietly(running);
  running = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const today = () => new Date().toISOString().slice(0, 10);
const events = (from: number) => Array.from({ length: 20 }, (_, i) => realisticEvent(from + i));

describe("today's log file deleted while the collector runs", () => {
  it('is restored with every acknowledged event, before the next write and at /healthz, and survives a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-deleted-'));
    running = await startCollector({ dataDir: dir });
    const acked: string[] = [];
    const send = async (from: number) => {
      const batch = events(from);
      const r = await postBatch(running!.url, batch);
      expect(r.status, running!.output()).toBe(200);
      acked.push(...batch.map((e) => e.event_id as string));
    };
    const file = () => join(dir!, 'events', `${today()}.ndjson`);

    // Deleted, then a write: caught before the group is written.
    await send(0);
    unlinkSync(file());
    await send(100);
    expect(running.output()).toMatch(/"level":"error","msg":"log file was deleted while open; restoring it from the open descriptor"/);
    expect((await storedIds(dir)).sort()).toEqual([...acked].sort());

    // Deleted, and no write follows: /healthz notices (it checks the open files) and restores it.
    unlinkSync(file());
    const h = await fetch(`${running.url}/healthz`);
    expect(h.status, await h.clone().text()).toBe(200);
    expect((await storedIds(dir)).sort()).toEqual([...acked].sort());

    // Deleted again, then a clean stop: restored at close.
    unlinkSync(file());
    running.proc.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
    expect((await storedIds(dir)).sort()).toEqual([...acked].sort());

    running = await startCollector({ dataDir: dir });
    await send(200);
    expect((await storedIds(dir)).sort()).toEqual([...acked].sort());
    const res = await fetch(`${running.url}/api/analytics/completeness?days=1`, { headers: { 'x-dash-key': TEST_DASH_KEY } });
    expect(((await res.json()) as { days: { accepted: number }[] }).days[0]!.accepted).toBe(acked.length);
  }, 60_000);
});
