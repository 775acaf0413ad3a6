// private probe (not shipped): rollup engine throughput on pre-parsed events (log read excluded)
import { openSync, readSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@tally/protocol';
import { loadConfig } from './src/config/config.js';
import { createFakeClock, createMemoryLogStore, createRecordingLogger } from './src/testing/index.js';
import { openAnalytics } from './src/rollup/open.js';

const file = process.argv[2]!;
const N = Number(process.argv[3] ?? 1_000_000);
const fd = openSync(file, 'r');
const chunk = Buffer.allocUnsafe(1 << 20);
const events: StoredEvent[] = [];
let pos = 0, carry = '';
while (events.length < N) {
  const r = readSync(fd, chunk, 0, chunk.length, pos);
  if (!r) break;
  pos += r;
  const lines = (carry + chunk.toString('utf8', 0, r)).split('\n');
  carry = lines.pop()!;
  for (const l of lines) if (events.length < N) events.push(JSON.parse(l));
}
const dir = mkdtempSync(join(tmpdir(), 'tally-eprobe-'));
const clock = createFakeClock('2026-11-22T06:00:00.000Z');
const log = createMemoryLogStore(clock);
const { analytics } = await openAnalytics({ config: { ...loadConfig({}), dataDir: dir }, log, logger: createRecordingLogger(), clock, schedule: false });
const t0 = performance.now();
for (let i = 0; i < events.length; i += 10_000) analytics.engine!.ingest(events.slice(i, i + 10_000), events[i]!.received_at.slice(0, 10));
const t1 = performance.now();
const rep = await analytics.rollup!();
const t2 = performance.now();
console.log(JSON.stringify({ events: events.length, ingest_ms: Math.round(t1 - t0), flush_ms: Math.round(t2 - t1), events_per_s: Math.round(events.length / ((t2 - t0) / 1000)), ingest_per_s: Math.round(events.length / ((t1 - t0) / 1000)), days: rep.days }));
const ids = analytics.engine!.live;
analytics.close();
rmSync(dir, { recursive: true, force: true });
