import type { StoredEvent } from '@tally/protocol';
import type { LogFs } from './fs.js';
import { idLines } from './id-lines.js';
import { readDay, type ReadReport } from './ndjson.js';
import { pickedEvents } from './picked-lines.js';

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
  const matcher = idLines(ids);
  return readDay(lfs, dir, day, 0, committedSize, (path, fd, from, end) => pickedEvents(lfs, path, fd, from, end, report, chunk, matcher.lines));
}
