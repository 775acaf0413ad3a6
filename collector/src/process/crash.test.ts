import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postBatch, realisticEvent, storedIds } from '../testing/process-requests.js';
import { killQuietly, startCollector, type CollectorProcess } from '../testing/index.js';

let running: CollectorProcess[] = [];
let dirs: string[] = [];
afterEach(() => {
  running.forEach(killQuietly);
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  running = [];
  dirs = [];
});

const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tally-crash-'));
  dirs.push(d);
  return d;
};

describe('real process', () => {
  it('SIGKILL mid-load: after restart every acknowledged event is stored exactly once, no torn line', async () => {
    const dataDir = tmp();
    const first = await startCollector({ dataDir });
    running.push(first);

    const acked: string[] = [];
    let failedRequests = 0;
    let stop = false;
    const client = async (c: number) => {
      for (let b = 0; b < 400 && !stop; b++) {
        const events = Array.from({ length: 50 }, (_, i) => realisticEvent(c * 100_000 + b * 50 + i));
        try {
          const r = await postBatch(first.url, events);
          if (r.status === 200) {
            expect(r.body).toMatchObject({ ok: true, logged: 50, duplicates: 0 });
            acked.push(...events.map((e) => e.event_id as string));
          }
        } catch {
          failedRequests++; // the connection died with the process: not acknowledged
          return;
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, c) => client(c));
    // Let load build up, then kill without warning while batches are in flight.
    // (≥ 4000 acknowledged events, or at least one after 5 s on a slow machine; 15 s at most).
    for (let i = 0; i < 600 && acked.length < 4000 && !(i >= 200 && acked.length > 0); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThan(0);

    const second = await startCollector({ dataDir });
    running.push(second);
    // The restart repaired any torn tail: every line parses (storedIds throws otherwise).
    const ids = await storedIds(dataDir);
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    const missing = acked.filter((id) => counts.get(id) !== 1);
    expect(missing).toEqual([]);
    expect(counts.size).toBe(ids.length);

    // Acknowledged batches retried after the restart are recognised as duplicates.
    const again = await postBatch(second.url, acked.slice(0, 50).map((event_id) => ({ ...realisticEvent(0), event_id })));
    expect(again.body).toMatchObject({ ok: true, logged: 0, duplicates: 50 });
    second.proc.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 30_000);

  it('dedup survives a clean restart', async () => {
    const dataDir = tmp();
    const events = Array.from({ length: 20 }, (_, i) => realisticEvent(i));
    const a = await startCollector({ dataDir });
    running.push(a);
    expect((await postBatch(a.url, events)).body).toMatchObject({ logged: 20, duplicates: 0 });
    a.proc.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);

    const b = await startCollector({ dataDir });
    running.push(b);
    const fresh = realisticEvent(99);
    expect((await postBatch(b.url, [...events, fresh])).body).toMatchObject({ logged: 1, duplicates: 20 });
    b.proc.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
    expect((await storedIds(dataDir)).sort()).toEqual([...events, fresh].map((e) => e.event_id as string).sort());
  }, 30_000);
});
