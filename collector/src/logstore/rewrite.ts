import { join } from 'node:path';
import type { StoredEvent } from '@tally/protocol';
import type { Logger } from '../deps.js';
import type { DayFiles } from './append-files.js';
import { fsyncDir, type LogFs } from './fs.js';
import { TMP_SUFFIX, dayPath } from './layout.js';
import { parseLine, readLines } from './ndjson.js';

interface RewriteArgs {
  lfs: LogFs;
  dir: string;
  day: string;
  keep: (event: StoredEvent) => boolean;
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
  let lineNo = 0;
  const copy = async (from: number, to: number) => {
    let kept: string[] = [];
    let keptChars = 0;
    const flush = async () => {
      if (kept.length === 0) return;
      const buf = Buffer.from(`${kept.join('\n')}\n`, 'utf8');
      for (let off = 0; off < buf.length; ) off += await lfs.write(out, buf, off, buf.length - off);
      outSize += buf.length;
      kept = [];
      keptChars = 0;
    };
    for await (const lines of readLines(lfs, src, from, to)) {
      for (const line of lines) {
        lineNo++;
        const ev = parseLine<StoredEvent>(line);
        if (!ev) a.countCorrupt(path, lineNo);
        if (ev && !a.keep(ev)) {
          removed++;
          continue;
        }
        // Kept lines are copied as they were, not re-serialized.
        kept.push(line);
        keptChars += line.length + 1;
      }
      if (keptChars > 1 << 20) await flush();
    }
    await flush();
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

