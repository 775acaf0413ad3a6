import { join } from 'node:path';
import type { StoredEvent } from '@tally/protocol';
import { nodeLogFs } from './fs.js';
import { listDays } from './layout.js';
import { readDayFile } from './ndjson.js';

/**
 * Reading a data directory's log from outside the collector: what tests and benchmarks use to see
 * what a collector (running or stopped) stored. The same reader and rules as the collector's own
 * reads; it takes no LOCK and writes nothing.
 * - A corrupt complete line always throws: no test should pass over a damaged log.
 * - Bytes after the last newline are, while a collector runs, a group still being written: left
 *   for the next read by default; `tornTail: 'throw'` makes them an error (a stopped or crashed
 *   collector must leave none behind after its restart's repair).
 */
export async function* storedEvents(dataDir: string, opts: { tornTail?: 'skip' | 'throw' } = {}): AsyncGenerator<StoredEvent> {
  const dir = join(dataDir, 'events');
  const days = await listDays(nodeLogFs, dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const report = {
    onCorrupt: (file: string, line: number) => {
      throw new Error(`${file}: line ${line} is not a stored event`);
    },
    onTornTail: (file: string, bytes: number) => {
      if (opts.tornTail === 'throw') throw new Error(`${file}: torn last line (${bytes} bytes without a newline)`);
    },
  };
  for (const day of days) yield* readDayFile(nodeLogFs, dir, day, () => undefined, report);
}

/** Every stored event of the data directory, in day and file order (see `storedEvents`). */
export async function readStoredEvents(dataDir: string, opts: { tornTail?: 'skip' | 'throw' } = {}): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const e of storedEvents(dataDir, opts)) events.push(e);
  return events;
}
