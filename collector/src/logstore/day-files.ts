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
    for (const [d, f] of open) {
      if (open.size > 2 && d !== day && !f.dirty) {
        open.delete(d);
        await lfs.close(f.fd);
      }
    }
    return file;
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
    peek: (day: string) => open.get(day),
    all: () => [...open.values()],
  };
}

export type DayFiles = ReturnType<typeof createDayFiles>;
