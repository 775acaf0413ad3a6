import { join } from 'node:path';
import type { StoredEvent } from '@tally/protocol';
import type { Logger } from '../deps.js';
import type { DayFiles } from './append-files.js';
import { fsyncDir, writeAll, type LogFs } from './fs.js';
import { TMP_SUFFIX, dayPath } from './layout.js';
import { allLines, countNewlines, idLines, type IdLines } from './id-lines.js';
import { parseLine, wholeLines } from './ndjson.js';

/** Read size: large enough that a day file is a few dozen reads and writes. */
const CHUNK = 1 << 20;

interface RewriteArgs {
  lfs: LogFs;
  dir: string;
  day: string;
  keep: (event: StoredEvent) => boolean;
  /**
   * The person's ids, when the rewrite removes one person (erasure): only lines that contain one
   * of them as bytes are parsed and shown to `keep`; every other line is copied unread. The array
   * may grow while the rewrite runs (`keep` learning links); the rest of the chunk is searched
   * again with the new ids. Without it every line is parsed and shown to `keep`, in order.
   */
  ids?: readonly string[] | undefined;
  logger: Logger;
  files: DayFiles;
  /** Runs a function alone between write groups. */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  countCorrupt: (file: string, line: number) => void;
}

/**
 * Atomic rewrite of one day file (erasure). Two phases so ingestion keeps flowing:
 * 1. without holding the writer, copy the kept lines of the committed prefix to a temp file;
 * 2. between two write groups, copy the kept lines appended meanwhile, fsync the temp file, rename
 *    it over the original, fsync the directory and reopen the append fd on the new file.
 * Kept lines are copied as they were; a corrupt line is kept too (it cannot be judged, and dropping
 * it would lose data silently). Returns the number of events removed.
 */
export async function rewriteDayFile(a: RewriteArgs): Promise<number> {
  const { lfs, dir, day } = a;
  const path = dayPath(dir, day);
  const tmp = join(dir, `.${day}.ndjson${TMP_SUFFIX}`);
  const mid = await a.exclusive(async () => a.files.peek(day)?.size);

  let src: number;
  try {
    src = await lfs.open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const out = await lfs.open(tmp, 'w', 0o640);
  let removed = 0;
  let outSize = 0;
  let lineNo = 0; // lines of the chunks before the current one, for corrupt-line reports
  const write = async (buf: Buffer, from: number, to: number) => {
    await writeAll(lfs, out, buf, from, to);
    outSize += to - from;
  };
  // Every line is a candidate without ids: parsed, shown to `keep` in order, and checked for corruption.
  const candidates: IdLines = a.ids ? idLines(a.ids) : { lines: allLines, grew: () => false };
  /**
   * Copies `[from, to)` of the source, leaving out the lines `keep` refuses. Bytes are copied as
   * they were (never re-serialized), in spans between removed lines, straight from the read buffer.
   */
  const copy = async (from: number, to: number) => {
    for await (const c of wholeLines(lfs, src, from, to, CHUNK)) {
      if (!c.whole) {
        // Only a file changed behind the store's back ends without a newline (a torn tail is cut at
        // open): kept, as a line of its own, like any line that cannot be judged.
        lineNo++;
        a.countCorrupt(path, lineNo);
        await write(c.buf, 0, c.len);
        await write(NEWLINE, 0, 1);
        break;
      }
      const { buf, len } = c;
      let copied = 0; // bytes of this chunk written or left out so far
      let lines = candidates.lines(buf, len);
      for (let i = 0; i < lines.length; i++) {
        const [start, nl] = lines[i]!;
        const ev = parseLine<StoredEvent>(buf.subarray(start, nl));
        if (!ev) a.countCorrupt(path, lineNo + countNewlines(buf, 0, start) + 1);
        if (ev && !a.keep(ev)) {
          removed++;
          await write(buf, copied, start);
          copied = nl + 1;
        }
        if (candidates.grew()) {
          // A link learned: what is left of the chunk may hold the new id's lines.
          lines = candidates.lines(buf, len, nl + 1);
          i = -1;
        }
      }
      await write(buf, copied, len);
      lineNo += countNewlines(buf, 0, len);
    }
  };

  try {
    const phase1End = mid ?? (await lfs.fstatSize(src));
    await copy(0, phase1End);
    await a.exclusive(async () => {
      const end = a.files.peek(day)?.size ?? (await lfs.fstatSize(src));
      await copy(phase1End, end);
      await lfs.fsync(out);
      await lfs.close(out);
      await lfs.rename(tmp, path);
      await fsyncDir(lfs, dir);
      // The append fd still points at the old inode: reopen so new lines land in the new file.
      await a.files.drop(day);
    });
  } catch (err) {
    await lfs.close(out).catch(() => {});
    await lfs.unlink(tmp).catch(() => {});
    throw err;
  } finally {
    await lfs.close(src);
  }
  a.logger.info('log day rewritten', { day, removed, bytes: outSize });
  return removed;
}


const NEWLINE = Buffer.from('\n');
