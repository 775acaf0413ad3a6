import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StoredEvent } from '../packages/protocol/src/index.js';
import { loadConfig } from '../collector/src/config/index.js';
import { openDb } from '../collector/src/rollup/db.js';
import { openRollups } from '../collector/src/rollup/index.js';
import { createMemoryLogStore, createRecordingLogger } from '../collector/src/testing/index.js';
import { runAsScript } from './as-script.js';

/**
 * What a re-rollup costs after N new events of an already rolled-up day, for two day sizes (issue
 * 10, item 11: "cost follows the new events"). In-process: a day of BENCH_COST_DAYS events each
 * (200000,2000000; ~0.38 users per event, like `generate`) is fed to the live overlay and rolled
 * up, then BENCH_COST_NEW_EVENTS (1000) new events of the same day (a third of them new users)
 * are rolled up again. Reported: wall time, the event loop's busy time during the rollup
 * (`eventLoopUtilization().active`: what ingestion would wait on), its longest gap (a 1 ms timer),
 * and the bytes the re-rollup added to `day_parts` / `day_users`.
 */
const nums = (name: string, fallback: number[]) => {
  const v = process.env[name];
  return v !== undefined && /^\d+(,\d+)*$/.test(v) ? v.split(',').map(Number) : fallback;
};

const DAY = '2026-11-20';
function event(i: number, users: number, prefix = 'anon'): StoredEvent {
  const t = new Date(Date.parse(`${DAY}T00:00:00Z`) + (i % 86_400_000)).toISOString();
  return {
    event_id: crypto.randomUUID(), event_type: i % 3 === 0 ? 'action' : 'page_view', ts: t, time: t, received_at: t, app: 'web',
    anonymous_id: `${prefix}-${(i * 7919) % users}`, url: `/page/${i % 200}`, feature: i % 3 === 0 ? `feature_${i % 40}` : undefined,
    context: { platform: 'web', app_version: `1.${i % 5}.0`, browser: 'Chrome', os: 'Linux', device_type: 'desktop' },
  } as StoredEvent;
}

async function timed(rollup: () => Promise<{ events: number }>) {
  let last = performance.now();
  let maxGap = 0;
  let stop = false;
  const tick = () => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    if (!stop) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const elu = performance.eventLoopUtilization();
  const t0 = performance.now();
  const r = await rollup();
  const ms = performance.now() - t0;
  const busy = performance.eventLoopUtilization(elu).active;
  stop = true;
  return { events: r.events, ms: Math.round(ms), event_loop_busy_ms: Math.round(busy), longest_gap_ms: Math.round(maxGap) };
}

async function day(events: number, fresh: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tally-rollup-cost-'));
  const clock = { now: () => Date.parse(`${DAY}T23:00:00Z`) };
  const { rollups } = await openRollups({ config: { ...loadConfig({}), dataDir: dir }, log: createMemoryLogStore(clock), logger: createRecordingLogger(), clock, warm: false });
  const engine = rollups.engine!;
  const users = Math.round(events * 0.38);
  try {
    for (let i = 0; i < events; i += 10_000) engine.ingest(Array.from({ length: Math.min(10_000, events - i) }, (_, k) => event(i + k, users)), DAY);
    const first = await timed(() => rollups.rollup());
    const bytes = () => {
      const db = openDb(dir);
      try {
        return db.prepare('SELECT (SELECT COALESCE(SUM(length(rows)), 0) FROM day_parts) + (SELECT COALESCE(SUM(length(data)), 0) FROM day_users)').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const before = bytes();
    // A third new visitors, the rest people already seen that day.
    engine.ingest(Array.from({ length: fresh }, (_, k) => (k % 3 === 0 ? event(k, fresh, 'new') : event(events + k, users))), DAY);
    const again = await timed(() => rollups.rollup());
    return { day_events: events, first_rollup: first, re_rollup: { ...again, bytes_written: bytes() - before } };
  } finally {
    rollups.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const fresh = nums('BENCH_COST_NEW_EVENTS', [1000])[0]!;
  const load = [loadavg()[0]!];
  const days = [];
  for (const n of nums('BENCH_COST_DAYS', [200_000, 2_000_000])) days.push(await day(n, fresh));
  load.push(loadavg()[0]!);
  return { new_events: fresh, load_average_1m: load.map((x) => Math.round(x * 10) / 10), days };
}

runAsScript(import.meta.url, run);
