import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Small tmpfs mounts for disk-full tests: a real file system that really runs out of space.
 * Needs root (and CAP_SYS_ADMIN); `tmpfsUnavailable` says why not when it cannot be done here.
 */
export const tmpfsUnavailable: string | undefined = (() => {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (CI runs as root)';
  const dir = mkdtempSync(join(tmpdir(), 'tally-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'mount -t tmpfs failed (no CAP_SYS_ADMIN in this container)';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

/** Mounts a tmpfs of `size` (e.g. "2m") at `dir` (created if needed); returns the unmount. */
export function mountTmpfs(dir: string, size: string): () => void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return () => {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  };
}

export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/**
 * Writes `path` until only `leave` bytes stay free on its file system (0: until ENOSPC) and returns
 * its size. Deleting it later frees the space again.
 */
export function fillDisk(path: string, leave = 0): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 0x61);
  let size = 0;
  try {
    for (;;) {
      const free = freeBytes(join(path, '..'));
      if (free <= leave) break;
      const n = Math.min(chunk.length, free - leave);
      try {
        size += writeSync(fd, chunk, 0, n);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return size;
}
