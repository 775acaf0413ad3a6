import { randomBytes } from 'node:crypto';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * One writer per data directory. Two processes appending to the same day file would break dedup,
 * and a second one starting up would "repair" (truncate) a group the first is still writing — so a
 * second open fails loudly instead. The lock is a file holding the owner's pid; one left behind by a
 * process that died (kill -9, power cut) is recognised by its dead pid and taken over.
 *
 * Every step that decides who holds the lock is atomic on a POSIX file system:
 * - the lock appears complete or not at all: it is written under a private name, then `link`ed to
 *   `LOCK` (fails if `LOCK` exists), so nobody ever reads a half-written pid;
 * - a stale lock is removed by one taker only: each lock carries a random tag, and removing the lock
 *   with tag T needs `LOCK.takeover-T`, created exclusively; under it the taker checks that `LOCK`
 *   still is that same stale file before unlinking it. Then every taker races on `link` again, and
 *   exactly one wins. (A read-delete-create takeover let 2–4 of 4 concurrent openers all "win".)
 */
export class LogLockedError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(`the event log in ${dir} is in use by process ${pid} (only one collector or command may write it at a time)`);
    this.name = 'LogLockedError';
  }
}

/** Directories this process holds or is taking: its own pid in a lock file is stale only if not in here. */
const held = new Set<string>();

interface LockFile {
  pid: number;
  /** The random tag of this lock instance (`ino-<inode>` for a lock written by an older version). */
  tag: string;
  raw: string;
  ino: number;
}

const MAX_ATTEMPTS = 50;

export async function lockDir(dir: string): Promise<() => Promise<void>> {
  const key = resolve(dir);
  if (held.has(key)) throw new LogLockedError(dir, process.pid);
  held.add(key);
  const file = join(dir, 'LOCK');
  const tag = randomBytes(8).toString('hex');
  const content = `${process.pid} ${tag}\n`;
  const tmp = join(dir, `LOCK.${tag}.tmp`);
  try {
    await writeFile(tmp, content, { mode: 0o644 });
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        try {
          await link(tmp, file);
          return release(key, file, content);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const cur = await readLock(file);
        if (cur === undefined) continue; // released or taken over meanwhile: race on link again
        // Our own pid without an entry in `held` is a previous life of this pid (containers reuse pid 1).
        if (cur.pid > 0 && cur.pid !== process.pid && alive(cur.pid)) throw new LogLockedError(dir, cur.pid);
        if (!(await removeStale(dir, file, cur, content))) await pause(attempt);
      }
    } finally {
      await unlink(tmp).catch(() => {});
    }
  } catch (err) {
    held.delete(key);
    throw err;
  }
  held.delete(key);
  throw new Error(`could not lock ${file}`);
}

/** Unlinks the stale lock `cur` if this process is the one taker of it; false when another is. */
async function removeStale(dir: string, file: string, cur: LockFile, content: string): Promise<boolean> {
  const marker = join(dir, `LOCK.takeover-${cur.tag}`);
  try {
    await writeFile(marker, content, { flag: 'wx', mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another taker has it, or one died holding it: a marker older than a few seconds is its leftover.
    const age = Date.now() - ((await stat(marker).catch(() => undefined))?.mtimeMs ?? Date.now());
    if (age > 5_000) await unlink(marker).catch(() => {});
    return false;
  }
  try {
    const again = await readLock(file);
    // Only the very stale file judged above: a tag is never reused, so a new lock never matches.
    if (again !== undefined && again.raw === cur.raw && again.ino === cur.ino) await unlink(file).catch(() => {});
    return true;
  } finally {
    await unlink(marker).catch(() => {});
  }
}

async function readLock(file: string): Promise<LockFile | undefined> {
  try {
    const [raw, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const [pidText, tagText] = raw.trim().split(/\s+/);
    const tag = tagText !== undefined && /^[0-9a-f]{16}$/.test(tagText) ? tagText : `ino-${st.ino}`;
    return { pid: Number.parseInt(pidText ?? '', 10), tag, raw, ino: st.ino };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function release(key: string, file: string, content: string): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    held.delete(key);
    // Never remove a lock that is not ours (e.g. after an operator deleted and someone re-took it).
    if ((await readFile(file, 'utf8').catch(() => '')) === content) await unlink(file).catch(() => {});
  };
}

const pause = (attempt: number) => new Promise((r) => setTimeout(r, 2 + Math.random() * Math.min(50, 2 * attempt)));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
