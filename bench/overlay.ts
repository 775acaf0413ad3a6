import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { StoredEvent } from '../packages/protocol/src/index.js';
import { loadConfig } from '../collector/src/config/index.js';
import { openRollups } from '../collector/src/rollup/index.js';
import { createMemoryLogStore, createRecordingLogger } from '../collector/src/testing/index.js';
import { num } from './knobs.js';

/**
 * Memory of the live overlay per event (what a day costs in RAM before its rollup) and the size of
 * tally.db after the rollup, for ordinary traffic and for events whose url, feature, user id and app
 * version are each new (issue 10). In-process, events fed straight to the overlay (no log store in
 * memory), measured after a full collection.
 * Knobs: BENCH_OVERLAY_EVENTS (1000000), BENCH_UNIQUE_EVENTS (100000).
 */
// A full collection before each reading, without needing `node --expose-gc` on the command line.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const used = () => {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const DAY = '2026-11-20';
const rand = (n: number) => Math.random().toString(36).slice(2, 2 + n).padEnd(n, 'x');

function ordinary(i: number): StoredEvent {
  const t = new Date(Date.parse(`${DAY}T00:00:00Z`) + (i % 86_400_000)).toISOString();
  return {
    event_id: crypto.randomUUID(),
    event_type: i % 3 === 0 ? 'action' : 'page_view',
    ts: t,
    time: t,
    received_at: t,
    app: 'web',
    anonymous_id: `anon-${(i * 7919) % 100_000}`,
    url: `/page/${i % 200}?utm=${i % 7}`,
    feature: i % 3 === 0 ? `feature_${i % 40}` : undefined,
    context: { platform: 'web', app_version: `1.${i % 5}.0`, browser: 'Chrome', os: 'Linux', device_type: 'desktop' },
  } as StoredEvent;
}

function unique(i: number): StoredEvent {
  const t = new Date(Date.parse(`${DAY}T00:00:00Z`) + (i % 86_400_000)).toISOString();
  return {
    event_id: crypto.randomUUID(),
    event_type: 'action',
    ts: t,
    time: t,
    received_at: t,
    app: 'web',
    user_id: `user-${i}-${rand(40)}`,
    url: `/${rand(2000)}`,
    feature: `f-${i}-${rand(60)}`,
    context: { platform: 'web', app_version: `v-${i}-${rand(30)}`, browser: 'Chrome', os: 'Linux', device_type: 'desktop' },
  } as StoredEvent;
}

async function measure(n: number, make: (i: number) => StoredEvent) {
  const dir = mkdtempSync(join(tmpdir(), 'tally-overlay-'));
  const clock = { now: () => Date.parse(`${DAY}T23:00:00Z`) };
  const config = { ...loadConfig({}), dataDir: dir };
  const log = createMemoryLogStore(clock);
  const { rollups } = await openRollups({ config, log, logger: createRecordingLogger(), clock, warm: false });
  const engine = rollups.engine!;
  const before = used();
  for (let i = 0; i < n; i += 1000) {
    const batch: StoredEvent[] = [];
    for (let k = i; k < Math.min(n, i + 1000); k++) batch.push(make(k));
    engine.ingest(batch, DAY);
  }
  const live = used() - before;
  const started = performance.now();
  const report = await rollups.rollup!();
  const rollupMs = Math.round(performance.now() - started);
  const afterRollup = used() - before;
  await rollups.close();
  const size = (f: string) => {
    try {
      return statSync(join(dir, f)).size;
    } catch {
      return 0;
    }
  };
  const dbBytes = size('tally.db') + size('tally.db-wal');
  rmSync(dir, { recursive: true, force: true });
  return {
    events: n,
    overlay_bytes_per_event: Math.round(live / n),
    overlay_mb: Math.round(live / 1e6),
    after_rollup_mb: Math.round(afterRollup / 1e6),
    rollup_ms: rollupMs,
    rollup_report_ms: report.ms,
    tally_db_mb: Math.round(dbBytes / 1e5) / 10,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  return {
    ordinary: await measure(num('BENCH_OVERLAY_EVENTS', 1_000_000), ordinary),
    unique_values: await measure(num('BENCH_UNIQUE_EVENTS', 100_000), unique),
  };
}
