import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredEvent } from '@tally/protocol';
import type { LogStore } from '../deps.js';

/**
 * Finding one person in a log of millions of events without parsing millions of lines: the day
 * file is searched for the ids as bytes (memmem over 4 MiB chunks) and only lines that contain one
 * are parsed. Callers still decide on the parsed event, so the search only has to never miss: the
 * log store writes lines with JSON.stringify, which writes an id's characters as they are unless
 * they are `"`, `\` or control characters — ids with those take the slow path (parse every line).
 *
 * Read-only and safe next to ingestion: only complete lines (ending in a newline) are looked at,
 * and an fd keeps reading the file it opened even if a rewrite renames a new one over it.
 */

const CHUNK = 4 << 20;

/** The byte pattern of an id inside a stored line, or undefined when it needs JSON escaping. */
export function needleOf(id: string): Buffer | undefined {
  if (/["\\\u0000-\u001f\ud800-\udfff]/.test(id) || id.length === 0) return undefined;
  return Buffer.from(`"${id}"`, 'utf8');
}

/** The day files' directory when `log` is the file-backed store (it exposes `eventsDir`). */
export function eventsDirOf(log: LogStore): string | undefined {
  const dir = (log as { eventsDir?: unknown }).eventsDir;
  return typeof dir === 'string' ? dir : undefined;
}

/**
 * Events of one day file whose line contains one of `needles` (checked per chunk, so needles added
 * while scanning apply from the next chunk on). Lines that do not parse are skipped.
 */
export async function* scanDay(dir: string, day: string, needles: Buffer[], chunk = CHUNK): AsyncGenerator<StoredEvent> {
  let file;
  try {
    file = await open(join(dir, `${day}.ndjson`), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const buf = Buffer.allocUnsafe(chunk * 2);
    let have = 0;
    let pos = 0;
    for (;;) {
      const { bytesRead } = await file.read(buf, have, buf.length - have, pos);
      pos += bytesRead;
      const total = have + bytesRead;
      const end = total === 0 ? 0 : buf.lastIndexOf(10, total - 1) + 1; // complete lines only
      if (end > 0) {
        for (const line of matchingLines(buf, end, needles)) {
          const event = parse(line);
          if (event !== undefined) yield event;
        }
      }
      if (bytesRead === 0) break;
      // Keep the incomplete tail for the next round; a line longer than a chunk grows the buffer.
      have = total - end;
      if (end === 0 && have >= buf.length) throw new Error(`a line in ${day}.ndjson is longer than ${buf.length} bytes`);
      buf.copy(buf, 0, end, total);
    }
  } finally {
    await file.close();
  }
}

function matchingLines(buf: Buffer, end: number, needles: Buffer[]): Buffer[] {
  const starts = new Set<number>();
  for (const needle of needles) {
    for (let at = buf.indexOf(needle, 0); at !== -1 && at < end; at = buf.indexOf(needle, at + needle.length)) {
      starts.add(buf.lastIndexOf(10, at) + 1);
    }
  }
  return [...starts].sort((a, b) => a - b).map((s) => buf.subarray(s, buf.indexOf(10, s)));
}

function parse(line: Buffer): StoredEvent | undefined {
  try {
    const v = JSON.parse(line.toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' ? (v as StoredEvent) : undefined;
  } catch {
    return undefined;
  }
}
