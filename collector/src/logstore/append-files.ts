import { StorageUnavailableError, type Logger } from '../deps.js';
import { fsyncDir, writeAll, type LogFs } from './fs.js';
import { TMP_SUFFIX, dayPath } from './layout.js';

/** An open day file in append mode (`a+`: readable too, so a deleted file can be restored from it). `size` counts only bytes of fully committed groups. */
export interface DayFile {
  day: string;
  fd: number;
  size: number;
  /** `dev:ino` when opened: a path that no longer leads here means the file was deleted or replaced. */
  identity: string;
  /** Written since the last fdatasync (interval/off policies). */
  dirty: boolean;
  /** Set after a failed group whose cleanup truncate also failed: cut back before the next write. */
  truncateTo: number | undefined;
}

/**
 * The append fds, one per receipt day. Appends only ever target today (and yesterday around
 * midnight), so older days are closed as soon as a newer one opens.
 *
 * Before each write an open file is checked against its path (one stat per group and day file):
 * appends to a file someone deleted would go to an unlinked inode and vanish at the next restart.
 * A deleted file is restored from the still-open descriptor (every acknowledged line is in it) and
 * writing goes on; a file replaced by another one is not ours to overwrite, so writes are refused
 * (503) until an operator sorts it out. Both are logged as errors.
 */
export function createDayFiles(lfs: LogFs, dir: string, logger: Logger) {
  const open = new Map<string, DayFile>();

  async function get(day: string): Promise<DayFile> {
    const have = open.get(day);
    if (have) {
      await verify(have);
      return have;
    }
    await lfs.mkdir(dir);
    const fd = await lfs.open(dayPath(dir, day), 'a+', 0o640);
    const file: DayFile = { day, fd, size: await lfs.fstatSize(fd), identity: await lfs.fdIdentity(fd), dirty: false, truncateTo: undefined };
    open.set(day, file);
    return file;
  }

  /** Checks that the path still names the open file; restores a deleted one. Throws when replaced. */
  async function verify(f: DayFile): Promise<void> {
    const path = dayPath(dir, f.day);
    const now = await lfs.pathIdentity(path);
    if (now === f.identity) return;
    if (now !== undefined) {
      logger.error('log file was replaced by another file while open; refusing writes to it', { file: path });
      throw new StorageUnavailableError(`log file ${path} was replaced while open`);
    }
    logger.error('log file was deleted while open; restoring it from the open descriptor', { file: path, bytes: f.size });
    await restore(f, path);
  }

  async function restore(f: DayFile, path: string): Promise<void> {
    await lfs.mkdir(dir);
    const tmp = path + TMP_SUFFIX;
    const out = await lfs.open(tmp, 'w', 0o640);
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (let pos = 0; pos < f.size; ) {
        const n = await lfs.read(f.fd, buf, 0, Math.min(buf.length, f.size - pos), pos);
        if (n <= 0) throw Object.assign(new Error('short read restoring a deleted log file'), { code: 'EIO' });
        await writeAll(lfs, out, buf, 0, n);
        pos += n;
      }
      await lfs.fdatasync(out);
    } catch (err) {
      await lfs.close(out).catch(() => {});
      await lfs.unlink(tmp).catch(() => {});
      throw err;
    }
    await lfs.close(out);
    await lfs.rename(tmp, path);
    await fsyncDir(lfs, dir);
    const fd = await lfs.open(path, 'a+', 0o640);
    await lfs.close(f.fd).catch(() => {});
    f.fd = fd;
    f.identity = await lfs.fdIdentity(fd);
    logger.error('log file restored; appends continue', { file: path, bytes: f.size });
  }

  /**
   * Closes clean files beyond the two newest days. Called between groups, never inside one: a group
   * may span several receipt days (a backfill, a test), and closing a file it wrote but has not yet
   * fsync'd would turn its fdatasync into EBADF.
   */
  async function trim(): Promise<void> {
    if (open.size <= 2) return;
    const keep = new Set([...open.keys()].sort().slice(-2));
    for (const [d, f] of open) {
      if (keep.has(d) || f.dirty) continue;
      open.delete(d);
      await lfs.close(f.fd);
    }
  }

  async function drop(day: string): Promise<void> {
    const f = open.get(day);
    if (!f) return;
    open.delete(day);
    if (f.dirty) await lfs.fdatasync(f.fd);
    await lfs.close(f.fd);
  }

  /** Verifies every open file (the probe and close run this): a deletion is caught without a write. */
  async function verifyAll(): Promise<void> {
    for (const f of open.values()) await verify(f);
  }

  return {
    get,
    drop,
    trim,
    verifyAll,
    peek: (day: string) => open.get(day),
    all: () => [...open.values()],
  };
}

export type DayFiles = ReturnType<typeof createDayFiles>;
