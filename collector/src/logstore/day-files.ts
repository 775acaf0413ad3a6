import type { LogFs } from './fs.js';
import { dayPath } from './files.js';

/** An open day file in append mode. `size` counts only bytes of fully committed groups. */
export interface DayFile {
  day: string;
  fd: number;
  size: number;
  /** Written since the last fdatasync (interval/off policies). */
  dirty: boolean;
  /** Set after a failed group whose cleanup truncate also failed: cut back before the next write. */
  truncateTo: number | undefined;
}

/**
 * The append fds, one per receipt day. Appends only ever target today (and yesterday around
 * midnight), so older days are closed as soon as a newer one opens.
 */
export function createDayFiles(lfs: LogFs, dir: string) {
  const open = new Map<string, DayFile>();

  async function get(day: string): Promise<DayFile> {
    const have = open.get(day);
    if (have) return have;
    const fd = await lfs.open(dayPath(dir, day), 'a', 0o640);
    const file: DayFile = { day, fd, size: await lfs.fstatSize(fd), dirty: false, truncateTo: undefined };
    open.set(day, file);
    return file;
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

  return {
    get,
    drop,
    trim,
    peek: (day: string) => open.get(day),
    all: () => [...open.values()],
  };
}

export type DayFiles = ReturnType<typeof createDayFiles>;
