import { join } from 'node:path';
import type { LogFs } from './fs.js';
import type { Logger } from '../deps.js';

export const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;
export const TMP_SUFFIX = '.rewrite.tmp';

export const dayPath = (dir: string, day: string) => join(dir, `${day}.ndjson`);

/** UTC receipt day of an ISO-8601 instant. The ingest side writes `toISOString()` (ends in Z) — fast path. */
export function utcDay(iso: string): string {
  if (iso.length >= 20 && iso.charCodeAt(iso.length - 1) === 90 /* Z */) return iso.slice(0, 10);
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`received_at is not a time: ${iso}`);
  return new Date(ms).toISOString().slice(0, 10);
}

export async function listDays(lfs: LogFs, dir: string): Promise<string[]> {
  const names = await lfs.readdir(dir);
  const days: string[] = [];
  for (const n of names) {
    const m = DAY_FILE.exec(n);
    if (m) days.push(m[1]!);
  }
  return days.sort();
}

/**
 * Reads `[start, end)` of a file and yields its lines (without the newline) in batches, one batch
 * per chunk: one UTF-8 decode and one split per 1 MiB instead of a buffer copy per line, which is
 * what makes the start-up rebuild of the dedup index fast.
 */
export async function* readLines(lfs: LogFs, fd: number, start: number, end: number): AsyncGenerator<string[]> {
  const chunk = Buffer.allocUnsafe(1 << 20);
  let carry: Buffer | undefined;
  let pos = start;
  while (pos < end) {
    const n = await lfs.read(fd, chunk, 0, Math.min(chunk.length, end - pos), pos);
    if (n === 0) break;
    pos += n;
    const data: Buffer = carry ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    const lastNl = data.lastIndexOf(10);
    if (lastNl === -1) {
      carry = Buffer.from(data);
      continue;
    }
    // Cutting at a newline byte never splits a UTF-8 sequence.
    const lines = data.toString('utf8', 0, lastNl).split('\n');
    carry = lastNl + 1 < data.length ? Buffer.from(data.subarray(lastNl + 1)) : undefined;
    yield lines;
  }
  // A tail without newline is not a line (start-up repair cuts it; callers read committed sizes only).
  if (carry && carry.length > 0) yield [carry.toString('utf8')];
}

/** Parses one stored line; undefined when it is not a JSON object with an event_id and received_at. */
export function parseLine<T extends { event_id: string; received_at: string }>(line: Buffer | string): T | undefined {
  try {
    const v = JSON.parse(typeof line === 'string' ? line : line.toString('utf8')) as unknown;
    if (v === null || typeof v !== 'object') return undefined;
    const o = v as Record<string, unknown>;
    if (typeof o.event_id !== 'string' || typeof o.received_at !== 'string') return undefined;
    return v as T;
  } catch {
    return undefined;
  }
}

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
