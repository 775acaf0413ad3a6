import { performance } from 'node:perf_hooks';
import { dedupKey, type DedupIndex } from './dedup.js';
import type { LogFs } from './fs.js';
import { dayPath, listDays } from './layout.js';
import { parseLine, readLines } from './ndjson.js';
import { utcDay } from '../shared/index.js';

/**
 * The collector writes `event_id`, `event_type`, `ts`, `time`, `received_at` first, in that order,
 * with values that need no escaping; reading just that head is several times cheaper than parsing
 * the whole line. Anything else (escaped ids, other writers) falls back to a full parse.
 */
// `app` comes right after `received_at` when present; an app with escapes fails the whole match
// (the lookahead refuses to read past a `"app"` it could not take) and goes to the full parse.
const HEAD =
  /^\{"event_id":"([^"\\]*)","event_type":"[^"\\]*","ts":"[^"\\]*","time":"[^"\\]*","received_at":"([^"\\]*)"(?:,"app":"([^"\\]*)"(?=[,}])|(?!,"app"))/;

function headFields(line: string): { event_id: string; received_at: string; app?: string } | undefined {
  if (line.charCodeAt(line.length - 1) !== 125 /* } */) return undefined;
  const m = HEAD.exec(line);
  if (!m) return undefined;
  // Written by something that puts `app` elsewhere (or a metadata key named so): parse it fully.
  if (m[3] === undefined && line.includes('"app":')) return undefined;
  return m[3] === undefined ? { event_id: m[1]!, received_at: m[2]! } : { event_id: m[1]!, received_at: m[2]!, app: m[3] };
}

/**
 * Refills the dedup index at start-up from the files that can hold ids of the last 48 hours (by
 * received_at), so an SDK retry after a collector restart is still recognised.
 */
export async function rebuildDedup(
  lfs: LogFs,
  dir: string,
  index: DedupIndex,
  nowMs: number,
  windowMs: number,
  onCorrupt: (file: string, line: number) => void,
): Promise<{ ms: number; ids: number }> {
  const t0 = performance.now();
  const firstDay = utcDay(nowMs - windowMs);
  const cutoff = nowMs - windowMs;
  let ids = 0;
  for (const day of await listDays(lfs, dir)) {
    if (day < firstDay) continue;
    const path = dayPath(dir, day);
    const fd = await lfs.open(path, 'r');
    try {
      const size = await lfs.fstatSize(fd);
      let lineNo = 0;
      let lastRecv = '';
      let recvMs = 0;
      for await (const lines of readLines(lfs, fd, 0, size)) {
        for (const line of lines) {
          lineNo++;
          const ev = headFields(line) ?? parseLine<{ event_id: string; received_at: string; app?: string }>(line);
          if (!ev) {
            onCorrupt(path, lineNo);
            continue;
          }
          if (ev.received_at !== lastRecv) {
            lastRecv = ev.received_at;
            recvMs = Date.parse(lastRecv);
          }
          if (recvMs >= cutoff) {
            index.add(dedupKey(ev.event_id, typeof ev.app === 'string' ? ev.app : undefined), recvMs);
            ids++;
          }
        }
      }
    } finally {
      await lfs.close(fd);
    }
  }
  return { ms: Math.round(performance.now() - t0), ids };
}
