import type { StoredEvent } from '@tally/protocol';
import type { LogFs } from './fs.js';
import { dayPath } from './layout.js';

/**
 * The one reader of the NDJSON day files. Every reader of the log (`readDay`, a forwarder's
 * `readFrom`, the erasure search, the dedup rebuild, a rewrite) goes through `wholeLines` below, so
 * all of them follow the rules of docs/operations.md the same way:
 * - only whole lines are read: bytes after the last newline (a torn tail, or a group still being
 *   written) are reported, never read as data;
 * - a complete line that does not parse is reported (logged and counted by the store), never
 *   skipped silently;
 * - a day that is being appended to is read up to its committed size only.
 */

/** Bytes per read: large enough that the per-read syscall and await cost vanish next to JSON.parse. */
const CHUNK = 4 << 20;

/** One line of a day file: the event (undefined for a corrupt line, already reported) and where the line ends. */
export interface LogRecord<E = StoredEvent> {
  /** The parsed event, or what the reader's own `LineCheck` made of the line. */
  event: E | undefined;
  /**
   * The stored JSON line's bytes as written, without its newline: a view into a copy of the read
   * chunk that is never reused, so it stays valid (a forwarder sends these bytes as they are and
   * keeps them off the JS heap while a batch waits). Empty from `readDay`, whose readers want only the events.
   */
  bytes: Buffer;
  /** Byte offset just after this line's newline: where a reader resumes (a forwarder's checkpoint). */
  end: number;
}

/** Where a read reports what it did not yield. `line` numbers count from the byte the read started at. */
export interface ReadReport {
  onCorrupt: (file: string, line: number) => void;
  onTornTail?: ((file: string, bytes: number) => void) | undefined;
}

/**
 * `buf[0, len)` holds whole lines (it ends in a newline) read from file offset `offset`; the last
 * chunk of a read has `whole: false` when the file ends in bytes without a newline (only those).
 * `buf` is reused: a consumer must be done with a chunk before asking for the next.
 */
export interface LineChunk {
  buf: Buffer;
  len: number;
  offset: number;
  whole: boolean;
}

/**
 * Reads `[from, end)` of an open file as chunks of whole lines. Lines are never split: only the
 * unfinished last line of a chunk is moved, in place, before the next read, and a line longer than
 * the buffer grows it. `chunk` bounds the bytes read ahead (a forwarder taking 1000 lines asks for less).
 */
export async function* wholeLines(lfs: LogFs, fd: number, from: number, end: number, chunk: number = CHUNK): AsyncGenerator<LineChunk> {
  let buf = Buffer.allocUnsafe(Math.min(chunk, Math.max(end - from, 1)));
  let have = 0; // bytes of an unfinished line kept at the start of `buf`
  let pos = from;
  while (pos < end) {
    if (have === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, have);
      buf = bigger;
    }
    const n = await lfs.read(fd, buf, have, Math.min(buf.length - have, end - pos), pos);
    if (n === 0) break;
    pos += n;
    const len = have + n;
    const cut = buf.lastIndexOf(10, len - 1) + 1; // 0: no newline yet
    if (cut > 0) yield { buf, len: cut, offset: pos - len, whole: true };
    have = len - cut;
    if (have > 0 && cut > 0) buf.copy(buf, 0, cut, len);
  }
  if (have > 0) yield { buf, len: have, offset: pos - have, whole: false };
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
 * Lines of `[start, end)` of an open file (without the newline) in batches, one batch per 1 MiB
 * chunk: one UTF-8 decode and one split per chunk instead of one per line, which is what makes the
 * start-up rebuild of the dedup index fast. Callers read committed sizes (or a repaired file); a
 * tail without newline, should there be one, comes last as a line of its own and fails to parse.
 */
export async function* readLines(lfs: LogFs, fd: number, start: number, end: number): AsyncGenerator<string[]> {
  for await (const c of wholeLines(lfs, fd, start, end, 1 << 20)) {
    // Cutting at a newline byte never splits a UTF-8 sequence.
    yield c.whole ? c.buf.toString('utf8', 0, c.len - 1).split('\n') : [c.buf.toString('utf8', 0, c.len)];
  }
}

/**
 * Opens one day file for reading and runs `read` over `[from, committed size)`; nothing when the
 * day has no file. The committed size is taken when the read starts: a group that is still being
 * written (or failed and is being cut back) is never seen half-done.
 */
export async function* readDay<T>(
  lfs: LogFs,
  dir: string,
  day: string,
  from: number,
  committedSize: () => number | undefined,
  read: (path: string, fd: number, from: number, end: number) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const path = dayPath(dir, day);
  let fd: number;
  try {
    fd = await lfs.open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    yield* read(path, fd, from, committedSize() ?? (await lfs.fstatSize(fd)));
  } finally {
    await lfs.close(fd);
  }
}

/** Streams one day file as its events (see `readDayRecords`). */
export async function* readDayFile(
  lfs: LogFs,
  dir: string,
  day: string,
  committedSize: () => number | undefined,
  report: ReadReport,
): AsyncGenerator<StoredEvent> {
  // Iterates chunks, not records: one async-generator step per line costs more than parsing it.
  for await (const records of readDay(lfs, dir, day, 0, committedSize, (path, fd, from, end) => recordChunks(lfs, path, fd, from, end, report, CHUNK, false, parseCheck))) {
    for (const r of records) if (r.event) yield r.event;
  }
}

/**
 * Streams one day file from byte `from` (0, or the end of a line an earlier read yielded). A corrupt
 * interior line is yielded with `event: undefined` (and reported) so a tailing reader can move past it.
 */
export async function* readDayRecords(
  lfs: LogFs,
  dir: string,
  day: string,
  from: number,
  committedSize: () => number | undefined,
  report: ReadReport,
  chunk: number = CHUNK,
): AsyncGenerator<LogRecord> {
  for await (const records of readDay(lfs, dir, day, from, committedSize, (path, fd, f, end) => recordChunks(lfs, path, fd, f, end, report, chunk, true, parseCheck))) yield* records;
}

/**
 * `readDayRecords` one read chunk at a time, each line checked by `check` instead of `parseLine`:
 * a reader that takes thousands of lines per call (a forwarder) skips an async-generator step per
 * line, which cost more than its own work on the line. The records carry no `bytes` (a view per
 * line costs as much again): `check` sees each line in a copy of the chunk that is never reused,
 * and keeps what it needs of it.
 */
export function readDayRecordChunks<E>(
  lfs: LogFs,
  dir: string,
  day: string,
  from: number,
  committedSize: () => number | undefined,
  report: ReadReport,
  chunk: number,
  check: LineCheck<E>,
): AsyncGenerator<LogRecord<E>[]> {
  return readDay(lfs, dir, day, from, committedSize, (path, fd, f, end) => recordChunks(lfs, path, fd, f, end, report, chunk, true, check, false));
}

/**
 * A reader's own check of a line in place of `parseLine` (a forwarder scans the bytes without
 * building the event): what it keeps of the line `buf[start, end)`, or undefined for exactly the
 * lines `parseLine` rejects, which are then reported as corrupt like any other.
 */
export type LineCheck<E> = (buf: Buffer, start: number, end: number) => E | undefined;

const parseCheck: LineCheck<StoredEvent> = (buf, start, end) => parseLine<StoredEvent>(buf.toString('utf8', start, end));

/** Every record's `bytes` when the reader only wants the events (`readDay`): no chunk copy, no view per line. */
const NO_BYTES = Buffer.alloc(0);

/**
 * The records of each chunk, as one array. Lines are cut on the raw bytes and decoded one by one;
 * `keepBytes`: the chunk is copied (lines stay valid after the read), and with `lineViews` each
 * record gets its line's bytes (`readFrom`), else `NO_BYTES`.
 */
async function* recordChunks<E>(
  lfs: LogFs,
  path: string,
  fd: number,
  from: number,
  end: number,
  report: ReadReport,
  chunk: number,
  keepBytes: boolean,
  check: LineCheck<E>,
  lineViews = keepBytes,
): AsyncGenerator<LogRecord<E>[]> {
  let lineNo = 0;
  for await (const c of wholeLines(lfs, fd, from, end, chunk)) {
    if (!c.whole) {
      report.onTornTail?.(path, c.len);
      break;
    }
    const { len, offset } = c;
    // `wholeLines` reuses its buffer: records that keep their bytes keep views of a copy of it.
    let buf = c.buf;
    if (keepBytes) {
      // Not Buffer.from(view): that zero-fills the copy before it writes it.
      buf = Buffer.allocUnsafeSlow(len);
      c.buf.copy(buf, 0, 0, len);
    }
    const records: LogRecord<E>[] = [];
    for (let start = 0, nl = buf.indexOf(10); nl !== -1 && nl < len; start = nl + 1, nl = buf.indexOf(10, start)) {
      lineNo++;
      const event = check(buf, start, nl);
      if (!event) report.onCorrupt(path, lineNo);
      records.push({ event, bytes: lineViews ? buf.subarray(start, nl) : NO_BYTES, end: offset + nl + 1 });
    }
    yield records;
  }
}
