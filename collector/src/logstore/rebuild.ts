import { performance } from 'node:perf_hooks';
import type { DedupIndex } from './dedup.js';
import type { LogFs } from './fs.js';
import { dayPath, listDays, parseLine, readLines } from './files.js';

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
  onCorrupt: (file: string, offset: number) => void,
): Promise<{ ms: number; ids: number }> {
  const t0 = performance.now();
  const firstDay = new Date(nowMs - windowMs).toISOString().slice(0, 10);
  const cutoff = nowMs - windowMs;
  let ids = 0;
  for (const day of await listDays(lfs, dir)) {
    if (day < firstDay) continue;
    const path = dayPath(dir, day);
    const fd = await lfs.open(path, 'r');
    try {
      const size = await lfs.fstatSize(fd);
      let offset = 0;
      let lastRecv = '';
      let recvMs = 0;
      for await (const line of readLines(lfs, fd, 0, size)) {
        const ev = parseLine(line);
        if (!ev) onCorrupt(path, offset);
        else {
          if (ev.received_at !== lastRecv) {
            lastRecv = ev.received_at;
            recvMs = Date.parse(lastRecv);
          }
          if (recvMs >= cutoff) {
            index.add(ev.event_id, recvMs);
            ids++;
          }
        }
        offset += line.length + 1;
      }
    } finally {
      await lfs.close(fd);
    }
  }
  return { ms: Math.round(performance.now() - t0), ids };
}
