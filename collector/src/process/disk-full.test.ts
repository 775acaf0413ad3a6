import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realisticEvent, storedIds } from '../testing/process-requests.js';
import { killQuietly, startCollector, type CollectorProcess, TEST_DASH_KEY } from '../testing/index.js';
import { fillDisk, mountTmpfs, tmpfsUnavailable } from '../testing/tmpfs.js';

// Issue #10, item 1: a real collector process on a real file system that runs out of space — the
// log's, SQLite's, or both on one — answers 503 with Retry-After (never 500), /healthz says 503 until
// space is back, and every batch is either stored and counted or absent. Space comes back without
// a restart.

const KEY = TEST_DASH_KEY;
let cleanups: (() => void)[] = [];
let running: CollectorProcess | undefined;
afterEach(async () => {
  killQuietly(running);
  if (running) await running.exited;
  running = undefined;
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

function tempRoot(): string {
  const d = mkdtempSync(join(tmpdir(), 'tally-diskfull-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function mount(dir: string, size: string): void {
  const unmount = mountTmpfs(dir, size);
  cleanups.push(unmount);
}

/** Ten events with 2 KB of metadata each, as in the issue. */
const batch = (n: number) =>
  Array.from({ length: 10 }, (_, i) => ({ ...realisticEvent(n * 10 + i), event_id: randomUUID(), metadata: { blob: 'x'.repeat(2000) } }));

async function post(url: string, events: Record<string, unknown>[]) {
  const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

const health = async (url: string) => (await fetch(`${url}/healthz`)).status;

async function api(url: string, path: string) {
  const res = await fetch(`${url}${path}`, { headers: { 'x-dash-key': KEY } });
  expect(res.status).toBe(200);
  return (await res.json()) as any;
}

/** Ledger, live rollup and log agree: exactly the acknowledged events, each once. */
async function expectExact(url: string, dataDir: string, acked: Set<string>): Promise<void> {
  const stored = await storedIds(dataDir);
  expect(new Set(stored).size).toBe(stored.length);
  expect(stored.length).toBe(acked.size);
  for (const id of stored) expect(acked.has(id)).toBe(true);
  const completeness = await api(url, '/api/analytics/completeness?days=2');
  const accepted = completeness.days.reduce((s: number, d: { accepted: number }) => s + d.accepted, 0);
  expect(accepted).toBe(acked.size);
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const series = await api(url, `/api/analytics/timeseries?metric=events&from=${yesterday}&to=${today}`);
  expect(series.points.reduce((s: number, p: { value: number }) => s + p.value, 0)).toBe(acked.size);
}

/**
 * Posts batches until the disk refuses `want` of them; returns the refused batches. Every answer is
 * 200 or 503, and a 503 carries Retry-After.
 */
async function fillUp(url: string, acked: Set<string>, want = 3, max = 400) {
  const refused: Record<string, unknown>[][] = [];
  for (let n = 0; n < max && refused.length < want; n++) {
    const events = batch(n);
    const r = await post(url, events);
    expect([200, 503], JSON.stringify(r.body)).toContain(r.status);
    if (r.status === 200) {
      expect(r.body).toMatchObject({ ok: true, logged: 10, duplicates: 0 });
      for (const e of events) acked.add(e.event_id);
    } else {
      expect(r.retryAfter).toMatch(/^\d+$/);
      expect(r.body).toEqual({ ok: false, error: 'storage unavailable, retry later' });
      refused.push(events);
    }
  }
  expect(refused.length).toBe(want);
  return refused;
}

async function recover(c: CollectorProcess, dataDir: string, acked: Set<string>, ballast: string, refused: Record<string, unknown>[][]) {
  // Nothing is posted between freeing the space and asking: /healthz probes the disk itself.
  rmSync(ballast);
  expect(await health(c.url)).toBe(200);
  for (const events of refused) {
    const r = await post(c.url, events);
    // All ten logged, none a duplicate: the refused batch had left nothing behind.
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, logged: 10, duplicates: 0 });
    for (const e of events) acked.add(e.event_id as string);
  }
  await expectExact(c.url, dataDir, acked);
}

describe.skipIf(tmpfsUnavailable !== undefined)(`disk full (real tmpfs${tmpfsUnavailable ? `; skipped: ${tmpfsUnavailable}` : ''})`, () => {
  it('SQLite fills first: the log append succeeds, the ledger write fails → 503 and the batch is cut again', async () => {
    const dataDir = join(tempRoot(), 'data');
    mount(dataDir, '2m'); // tally.db, its WAL, audit files
    mount(join(dataDir, 'events'), '32m'); // the log has room
    running = await startCollector({ dataDir, env: { TALLY_TZ: 'UTC' } });
    const c = running;
    const acked = new Set<string>();
    await fillUp(c.url, acked, 0, 2);
    const ballast = join(dataDir, 'ballast');
    fillDisk(ballast);
    const refused = await fillUp(c.url, acked);
    expect(c.output()).toMatch(/"msg":"acknowledging a group failed; its unacknowledged lines were cut from the log"/);
    expect(c.output()).not.toMatch(/"msg":"unhandled"/);
    expect(await health(c.url)).toBe(503);
    await expectExact(c.url, dataDir, acked);
    await recover(c, dataDir, acked, ballast, refused);
  }, 120_000);

  it('the log fills first: 503, /healthz 503 at 0 bytes free even after a small batch fits, 200 once space is back', async () => {
    const dataDir = join(tempRoot(), 'data');
    mount(dataDir, '32m');
    mount(join(dataDir, 'events'), '2m');
    running = await startCollector({ dataDir, env: { TALLY_TZ: 'UTC' } });
    const c = running;
    const acked = new Set<string>();
    const ballast = join(dataDir, 'events', 'ballast');
    fillDisk(ballast, 256 * 1024);
    const refused = await fillUp(c.url, acked);
    expect(await health(c.url)).toBe(503);
    // A tiny batch may still fit in a page the log file already has: it does not make /healthz lie.
    const small = [{ ...realisticEvent(1), event_id: randomUUID() }];
    const r = await post(c.url, small);
    if (r.status === 200) acked.add(small[0]!.event_id);
    expect(await health(c.url)).toBe(503);
    await expectExact(c.url, dataDir, acked);
    await recover(c, dataDir, acked, ballast, refused);
  }, 120_000);

  it('one small file system for everything (the reported case): no 500, nothing half-counted', async () => {
    const dataDir = join(tempRoot(), 'data');
    mount(dataDir, '3m');
    running = await startCollector({ dataDir, env: { TALLY_TZ: 'UTC' } });
    const c = running;
    const acked = new Set<string>();
    const ballast = join(dataDir, 'ballast');
    // The collector's files come to a few hundred KB first; then the rest fills up with events.
    fillDisk(ballast, 1024 * 1024);
    const refused = await fillUp(c.url, acked, 5);
    expect(await health(c.url)).toBe(503);
    await expectExact(c.url, dataDir, acked);
    await recover(c, dataDir, acked, ballast, refused);
  }, 120_000);

  it('erasure on a full data dir: 503 with Retry-After, the failed attempt audited, and it works once space is back', async () => {
    const dataDir = join(tempRoot(), 'data');
    mount(dataDir, '3m');
    running = await startCollector({ dataDir, env: { TALLY_TZ: 'UTC' } });
    const c = running;
    const subject = 'erin@example.com';
    const events = [
      ...Array.from({ length: 5 }, (_, i) => ({ ...realisticEvent(i), event_id: randomUUID(), user_id: subject })),
      ...batch(1),
    ];
    expect((await post(c.url, events)).status).toBe(200);
    // An export first creates the audit key and log, as in a running deployment.
    expect((await fetch(`${c.url}/api/analytics/users/${encodeURIComponent(subject)}/export`, { headers: { 'x-dash-key': KEY } })).status).toBe(200);
    const ballast = join(dataDir, 'ballast');
    fillDisk(ballast);
    const del = () => fetch(`${c.url}/api/analytics/users/${encodeURIComponent(subject)}`, { method: 'DELETE', headers: { 'x-dash-key': KEY } });
    const refused = await del();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toEqual({ ok: false, error: 'storage unavailable, retry later' });
    expect(c.output()).toMatch(/"msg":"erasure failed and the audit log is not writable; audit entry kept for the next append"/);
    expect(await health(c.url)).toBe(503);
    rmSync(ballast);
    const ok = await del();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, removed: 5 });
    const audit = readFileSync(join(dataDir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const erasures = audit.filter((a) => a.action === 'erase');
    expect(erasures).toHaveLength(2);
    expect(erasures[0]).toMatchObject({ failed: expect.any(String), code: 'ENOSPC', removed: 0 });
    expect(erasures[1]).toMatchObject({ removed: 5 });
    expect(erasures[1]!.failed).toBeUndefined();
    expect(await storedIds(dataDir)).toHaveLength(10);
  }, 120_000);
});
