import type { StoredEvent } from '@tally/protocol';
import type { LogFs } from './fs.js';
import { dayPath, parseLine, readLines } from './files.js';

/**
 * Streams one day file. Reads only up to the committed size when the day is being appended to, so
 * a group that is still being written (or failed and is being cut back) is never seen half-done.
 * A corrupt interior line is reported through `onCorrupt` (logged and counted), never skipped silently.
 */
export async function* readDayFile(
  lfs: LogFs,
  dir: string,
  day: string,
  committedSize: () => number | undefined,
  onCorrupt: (file: string, line: number) => void,
): AsyncGenerator<StoredEvent> {
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
    let lineNo = 0;
    for await (const lines of readLines(lfs, fd, 0, end)) {
      for (const line of lines) {
        lineNo++;
        const ev = parseLine<StoredEvent>(line);
        if (ev) yield ev;
        else onCorrupt(path, lineNo);
      }
    }
  } finally {
    await lfs.close(fd);
  }
}
