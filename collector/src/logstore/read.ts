import type { StoredEvent } from '@tally/protocol';
import type { LogFs } from './fs.js';
import { dayPath, parseLine } from './files.js';

/** Bytes per read: large enough that the per-read syscall and await cost vanish next to JSON.parse. */
const CHUNK = 4 << 20;

/** One line of a day file: the event (undefined for a corrupt line, already reported) and where the line ends. */
export interface LogRecord {
  event: StoredEvent | undefined;
  /** The stored JSON line as written, without its newline. */
  line: string;
  /** Byte offset just after this line's newline: where a reader resumes (a forwarder's checkpoint). */
  end: number;
}

/** Streams one day file as its events (see `readDayRecords`). */
export async function* readDayFile(
  lfs: LogFs,
  dir: string,
  day: string,
  committedSize: () => number | undefined,
  onCorrupt: (file: string, line: number) => void,
  onTornTail?: (file: string, bytes: number) => void,
): AsyncGenerator<StoredEvent> {
  // Iterates chunks, not records: one async-generator step per line costs more than parsing it.
  for await (const records of readDayChunks(lfs, dir, day, 0, committedSize, onCorrupt, onTornTail, CHUNK)) {
    for (const r of records) if (r.event) yield r.event;
  }
}

/**
 * Streams one day file from byte `from` (0, or the end of a line an earlier read yielded). Reads only
 * up to the committed size when the day is being appended to, so a group that is still being written
 * (or failed and is being cut back) is never seen half-done.
 * A corrupt interior line is reported through `onCorrupt` (logged and counted), never skipped silently;
 * it is yielded with `event: undefined` so a tailing reader can move past it.
 * Bytes after the last newline are not a line: the writable store cuts such a torn tail at open; a
 * read-only reader cannot, so it reports them through `onTornTail` and leaves them alone.
 * Line numbers given to `onCorrupt` count from `from`.
 *
 * Lines are cut on the raw bytes (`indexOf(10)`) and decoded one by one: no decode-and-split of a
 * whole chunk, and only the unfinished last line of a chunk is moved, in place, before the next read.
 * `chunk` bounds the bytes read ahead: a forwarder taking 1000 lines at a time asks for less.
 */
export async function* readDayRecords(
  lfs: LogFs,
  dir: string,
  day: string,
  from: number,
  committedSize: () => number | undefined,
  onCorrupt: (file: string, line: number) => void,
  onTornTail?: (file: string, bytes: number) => void,
  chunk: number = CHUNK,
): AsyncGenerator<LogRecord> {
  for await (const records of readDayChunks(lfs, dir, day, from, committedSize, onCorrupt, onTornTail, chunk)) yield* records;
}

/** The line splitter behind both readers: the records of each chunk read, as one array. */
async function* readDayChunks(
  lfs: LogFs,
  dir: string,
  day: string,
  from: number,
  committedSize: () => number | undefined,
  onCorrupt: (file: string, line: number) => void,
  onTornTail: ((file: string, bytes: number) => void) | undefined,
  chunk: number,
): AsyncGenerator<LogRecord[]> {
  const path = dayPath(dir, day);
  let fd: number;
  try {
    fd = await lfs.open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const end = committedSize() ?? (await lfs.fstatSize(fd));
    let buf = Buffer.allocUnsafe(Math.min(chunk, Math.max(end - from, 1)));
    let have = 0; // bytes of an unfinished line kept at the start of `buf`
    let pos = from;
    let lineNo = 0;
    while (pos < end) {
      if (have === buf.length) {
        // One line longer than the buffer: grow instead of splitting it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const n = await lfs.read(fd, buf, have, Math.min(buf.length - have, end - pos), pos);
      if (n === 0) break;
      pos += n;
      const len = have + n;
      let start = 0;
      const records: LogRecord[] = [];
      for (let nl = buf.indexOf(10, have); nl !== -1 && nl < len; nl = buf.indexOf(10, start)) {
        lineNo++;
        // Cutting at a newline byte never splits a UTF-8 sequence.
        const line = buf.toString('utf8', start, nl);
        const event = parseLine<StoredEvent>(line);
        // `pos - len` is the file offset of buf[0].
        const lineEnd = pos - len + nl + 1;
        start = nl + 1;
        if (!event) onCorrupt(path, lineNo);
        records.push({ event, line, end: lineEnd });
      }
      if (records.length > 0) yield records;
      have = len - start;
      if (have > 0 && start > 0) buf.copy(buf, 0, start, len);
    }
    if (have > 0) onTornTail?.(path, have);
  } finally {
    await lfs.close(fd);
  }
}
