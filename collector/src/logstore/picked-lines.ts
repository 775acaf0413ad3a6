import type { StoredEvent } from '@tally/protocol';
import type { LogFs } from './fs.js';
import { countNewlines } from './id-lines.js';
import { parseLine, wholeLines, type ReadReport } from './ndjson.js';

/** `[start, newline)` of the lines of `buf[0, len)` (whole lines) worth parsing, in file order. */
export type PickLines = (buf: Buffer, len: number) => Iterable<[number, number]>;

/**
 * The events of `[from, end)` of a day file on lines `pick` chooses, the rest never parsed (the
 * erasure's byte search, a rebuild's date filter). Same rules as every other read (ndjson.ts):
 * whole lines only, a torn tail reported; a picked line that does not parse is reported as corrupt
 * with its line number, an unpicked one is not looked at.
 */
export async function* pickedEvents(lfs: LogFs, path: string, fd: number, from: number, end: number, report: ReadReport, chunk: number, pick: PickLines): AsyncGenerator<StoredEvent> {
  let lineNo = 0;
  for await (const c of wholeLines(lfs, fd, from, end, chunk)) {
    if (!c.whole) {
      report.onTornTail?.(path, c.len);
      break;
    }
    const events: StoredEvent[] = [];
    for (const [start, nl] of pick(c.buf, c.len)) {
      const event = parseLine<StoredEvent>(c.buf.subarray(start, nl));
      if (event) events.push(event);
      else report.onCorrupt(path, lineNo + countNewlines(c.buf, 0, start) + 1);
    }
    lineNo += countNewlines(c.buf, 0, c.len);
    yield* events;
  }
}
