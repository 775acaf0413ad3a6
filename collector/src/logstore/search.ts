import type { StoredEvent } from '@tally/protocol';
import type { LogFs } from './fs.js';
import { countNewlines, idLines } from './id-lines.js';
import { parseLine, readDay, wholeLines, type ReadReport } from './ndjson.js';

/**
 * Finding one person in a log of millions of events without parsing millions of lines: only lines
 * that contain one of the ids as bytes are parsed (id-lines.ts). Same rules as every other read
 * (ndjson.ts): whole lines only, committed size only, a torn tail reported; a line that contains an
 * id but does not parse is reported as corrupt (a corrupt line that contains none of them is not
 * looked at, so not counted).
 */

const CHUNK = 4 << 20;

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
  const matcher = idLines(ids);
  let lineNo = 0;
  for await (const c of wholeLines(lfs, fd, from, end, chunk)) {
    if (!c.whole) {
      report.onTornTail?.(path, c.len);
      break;
    }
    const events: StoredEvent[] = [];
    for (const [start, nl] of matcher.lines(c.buf, c.len)) {
      const event = parseLine<StoredEvent>(c.buf.subarray(start, nl));
      if (event) events.push(event);
      else report.onCorrupt(path, lineNo + countNewlines(c.buf, 0, start) + 1);
    }
    lineNo += countNewlines(c.buf, 0, c.len);
    yield* events;
  }
}
