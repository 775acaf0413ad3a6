import type { StoredEvent } from '@tally/protocol';
import type { LogFs } from './fs.js';
import { allLines } from './id-lines.js';
import { readDay, type ReadReport } from './ndjson.js';
import { pickedEvents } from './picked-lines.js';

/**
 * Reading one day file for a few event days only (a rollup rebuild after an erasure): a day file
 * holds the events received that day, and late events of earlier days sit in the next week's
 * files, a few hundred among 150,000 others. Parsing every line of eight files to rebuild one day
 * was most of an erasure's time, so a line whose event time is provably on another UTC date is
 * skipped unparsed.
 *
 * "Provably": in a JSON string every `"` is written `\"`, so `,"` or `{"` never occurs inside
 * one; the first `"time":"` is a key when a `,` or `{` stands right before it (the collector
 * writes no whitespace), and it is the event's own `time` (not a key of a nested object) when no
 * `{` or `[` byte precedes it after the line's opening brace. The collector writes `time` fourth,
 * after three plain strings, so that holds for every line it writes. Any doubt (no such key,
 * another byte before it, a bracket before it, a value that is not 24-character ISO text) and the
 * line is parsed and yielded like any other: callers still decide on the parsed event.
 *
 * Lines skipped unparsed are not checked for corruption, so a corrupt one among them is not counted
 * (as in the erasure's search, search.ts); a corrupt line that is parsed is reported.
 */

const TIME_KEY = Buffer.from('"time":"');
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const COMMA = 0x2c;
const CHUNK = 4 << 20;

/** The UTC date (`YYYY-MM-DD`) of the line's top-level `time`, or undefined when not certain. */
export function lineTimeDate(buf: Buffer, start: number, end: number): string | undefined {
  const at = buf.indexOf(TIME_KEY, start);
  if (at === -1 || at >= end) return undefined;
  // `\"time":"` would be the end of a key like `a"time` (an escaped quote), not the `time` key.
  if (at === start || (buf[at - 1] !== COMMA && buf[at - 1] !== OPEN_BRACE)) return undefined;
  for (let i = start + 1; i < at; i++) if (buf[i] === OPEN_BRACE || buf[i] === OPEN_BRACKET) return undefined;
  const from = at + TIME_KEY.length;
  // `Date#toISOString` text: 2026-11-20T10:00:00.000Z, then the closing quote.
  if (from + 25 > end || buf[from + 24] !== 0x22 || buf[from + 23] !== 0x5a || buf[from + 10] !== 0x54) return undefined;
  return buf.toString('latin1', from, from + 10);
}

/** Events of one day file, leaving out lines whose event time is provably not on one of `utcDates`. */
export function readDayForDates(
  lfs: LogFs,
  dir: string,
  day: string,
  utcDates: ReadonlySet<string>,
  committedSize: () => number | undefined,
  report: ReadReport,
): AsyncGenerator<StoredEvent> {
  const pick = function* (buf: Buffer, len: number): Iterable<[number, number]> {
    for (const line of allLines(buf, len)) {
      const date = lineTimeDate(buf, line[0], line[1]);
      if (date === undefined || utcDates.has(date)) yield line;
    }
  };
  return readDay(lfs, dir, day, 0, committedSize, (path, fd, from, end) => pickedEvents(lfs, path, fd, from, end, report, CHUNK, pick));
}
