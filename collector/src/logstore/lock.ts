import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * One writer per data directory. Two processes appending to the same day file would break dedup,
 * and a second one starting up would "repair" (truncate) a group the first is still writing — so a
 * second open fails loudly instead. The lock is a file holding the owner's pid; one left behind by a
 * process that died (kill -9, power cut) is recognised by its dead pid and taken over.
 */
export class LogLockedError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(`the event log in ${dir} is in use by process ${pid} (only one collector or command may write it at a time)`);
    this.name = 'LogLockedError';
  }
}

/** Directories this process holds: its own pid in a lock file is stale only if it is not in here. */
const held = new Set<string>();

export async function lockDir(dir: string): Promise<() => Promise<void>> {
  const key = resolve(dir);
  if (held.has(key)) throw new LogLockedError(dir, process.pid);
  const file = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      held.add(key);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        held.delete(key);
        await unlink(file).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    // Our own pid without an entry in `held` is a previous life of this pid (containers reuse pid 1).
    if (pid > 0 && pid !== process.pid && alive(pid)) throw new LogLockedError(dir, pid);
    await unlink(file).catch(() => {});
  }
  throw new Error(`could not lock ${file}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
