import type { Logger } from '../deps.js';
import type { LogFs } from './fs.js';
import { parseLine } from './ndjson.js';

/**
 * Start-up repair of one day file: a crash can leave a torn last line (a prefix of a write, or
 * garbage after power loss). Cut everything after the last newline, then cut trailing complete
 * lines that do not parse, so nothing torn is ever read as data. Returns the bytes removed.
 */
export async function repairTail(lfs: LogFs, path: string, logger: Logger): Promise<number> {
  const fd = await lfs.open(path, 'r+');
  try {
    const size = await lfs.fstatSize(fd);
    let end = size;
    for (;;) {
      const lineEnd = await lastNewline(lfs, fd, end);
      if (lineEnd + 1 < end) {
        end = lineEnd + 1; // incomplete tail
        continue;
      }
      if (end === 0) break;
      const start = (await lastNewline(lfs, fd, end - 1)) + 1;
      const buf = Buffer.alloc(end - 1 - start);
      await lfs.read(fd, buf, 0, buf.length, start);
      if (parseLine(buf)) break;
      end = start; // complete but unparsable last line
    }
    if (end < size) {
      await lfs.ftruncate(fd, end);
      await lfs.fsync(fd);
      logger.warn('log repaired: cut torn tail', { file: path, bytes: size - end, size_after: end });
    }
    return size - end;
  } finally {
    await lfs.close(fd);
  }
}

/** Offset of the last `\n` strictly before `end`, or -1. */
async function lastNewline(lfs: LogFs, fd: number, end: number): Promise<number> {
  const buf = Buffer.allocUnsafe(64 * 1024);
  let hi = end;
  while (hi > 0) {
    const lo = Math.max(0, hi - buf.length);
    const n = await lfs.read(fd, buf, 0, hi - lo, lo);
    const i = buf.subarray(0, n).lastIndexOf(10);
    if (i !== -1) return lo + i;
    hi = lo;
  }
  return -1;
}
