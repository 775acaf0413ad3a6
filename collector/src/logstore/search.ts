import type { StoredEvent } from '@tally/protocol';
import type { LogFs } from './fs.js';
import { parseLine, readDay, wholeLines, type ReadReport } from './ndjson.js';

/**
 * Finding one person in a log of millions of events without parsing millions of lines: each chunk
 * of the day file is searched for the ids as bytes (memmem) and only lines that contain one are
 * parsed. Callers still decide on the parsed event, so the search only has to never miss: the log
 * store writes lines with JSON.stringify, which writes an id's characters as they are unless they
 * are `"`, `\` or control characters — an id with those makes the search parse every line.
 *
 * Same rules as every other read (ndjson.ts): whole lines only, committed size only, a torn tail
 * reported; a line that contains an id but does not parse is reported as corrupt (a corrupt line
 * that contains none of them is not looked at, so not counted).
 */

const CHUNK = 4 << 20;

/** The byte pattern of an id inside a stored line, or undefined when it needs JSON escaping. */
export function needleOf(id: string): Buffer | undefined {
  if (/["\\\u0000-\u001f\ud800-\udfff]/.test(id) || id.length === 0) return undefined;
  return Buffer.from(`"${id}"`, 'utf8');
}

/**
 * Events of one day file whose line contains one of `ids`. `ids` may grow while the search runs
 * (links learned on the way): ids added apply from the next chunk on.
 */
export function searchDayFile(
  lfs: LogFs,
  dir: string,
  day: string,
  ids: readonly string[],
  committedSize: () => number | undefined,
  report: ReadReport,
  chunk = CHUNK,
): AsyncGenerator<StoredEvent> {
  return readDay(lfs, dir, day, 0, committedSize, (path, fd, from, end) => search(lfs, path, fd, from, end, ids, report, chunk));
}

async function* search(lfs: LogFs, path: string, fd: number, from: number, end: number, ids: readonly string[], report: ReadReport, chunk: number): AsyncGenerator<StoredEvent> {
  const needles: Buffer[] = [];
  let escaped = false;
  let lineNo = 0;
  for await (const c of wholeLines(lfs, fd, from, end, chunk)) {
    if (!c.whole) {
      report.onTornTail?.(path, c.len);
      break;
    }
    for (let i = needles.length; i < ids.length && !escaped; i++) {
      const n = needleOf(ids[i]!);
      if (n === undefined) escaped = true;
      else needles.push(n);
    }
    const events: StoredEvent[] = [];
    for (const [start, nl] of escaped ? allLines(c.buf, c.len) : matchingLines(c.buf, c.len, needles)) {
      const event = parseLine<StoredEvent>(c.buf.subarray(start, nl));
      if (event) events.push(event);
      else report.onCorrupt(path, lineNo + countNewlines(c.buf, 0, start) + 1);
    }
    lineNo += countNewlines(c.buf, 0, c.len);
    yield* events;
  }
}

/** `[start, newline)` of every line of `buf[0, len)` that contains one of `needles`, in file order. */
function matchingLines(buf: Buffer, len: number, needles: Buffer[]): Array<[number, number]> {
  const starts = new Set<number>();
  for (const needle of needles) {
    for (let at = buf.indexOf(needle, 0); at !== -1 && at < len; at = buf.indexOf(needle, at + needle.length)) {
      starts.add(buf.lastIndexOf(10, at) + 1);
    }
  }
  return [...starts].sort((a, b) => a - b).map((s) => [s, buf.indexOf(10, s)]);
}

function allLines(buf: Buffer, len: number): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  for (let start = 0, nl = buf.indexOf(10); nl !== -1 && nl < len; start = nl + 1, nl = buf.indexOf(10, start)) lines.push([start, nl]);
  return lines;
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i !== -1 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
