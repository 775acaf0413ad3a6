import { mkdir, open, readdir, rename, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { checkDataDir, isEmptyDir, readDataVersions, PART_VERSIONS } from '../datadir/index.js';
import { DAY_FILE, PROBE_FILE } from '../logstore/index.js';
import { copyPrefix, fsyncPath, hashFile } from './copy.js';
import { BACKUP_FORMAT, MANIFEST, type FileKind, type Manifest, type ManifestFile } from './manifest.js';
import { COLLECTOR_VERSION } from './version.js';

export class BackupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefused';
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * What is never copied: the LOCK names a process of this machine; SQLite's -wal/-shm/-journal are
 * folded into the online backup of their database; temp files belong to writes in progress.
 */
function skipReason(rel: string): string | undefined {
  if (rel === 'events/LOCK') return 'lock file of the running process';
  if (rel === `events/${PROBE_FILE}`) return 'disk probe of the running process';
  if (/-(wal|shm|journal)$/.test(rel)) return 'SQLite side file (contained in the database snapshot)';
  if (/\.tmp$/.test(rel)) return 'temporary file of a write in progress';
  return undefined;
}

interface Planned {
  rel: string;
  kind: FileKind;
  mode: number;
  /** Opened at the cut, for files whose prefix up to `size` is copied. */
  fh?: FileHandle;
  size?: number;
}

/**
 * `pnpm collector backup --to DIR` while the collector runs. The cut comes first and is instant:
 * every event-log day file and audit.log is opened and its size taken (an open handle keeps
 * reading the same file even if an erasure replaces it or retention deletes it meanwhile). An
 * acknowledged event was fsync'd before its 200, so it lies within those sizes. Then the SQLite
 * databases go through the online backup API (a consistent snapshot, taken after the cut so the
 * completeness counters include the batches of the log copy), then the prefixes are copied up to
 * their last complete line, then every other file whole; the manifest is written last.
 */
export async function createBackup(opts: { dataDir: string; to: string; now?: () => number }): Promise<Manifest> {
  const now = opts.now ?? Date.now;
  const dataDir = resolve(opts.dataDir);
  const to = resolve(opts.to);
  if (!(await stat(dataDir).catch(() => undefined))?.isDirectory()) throw new BackupRefused(`no data directory at ${dataDir}`);
  if (to === dataDir || to.startsWith(`${dataDir}/`)) throw new BackupRefused('the backup directory must be outside the data directory');
  if (!(await isEmptyDir(to))) throw new BackupRefused(`${to} is not empty: a backup goes into a new or empty directory`);
  await checkDataDir(dataDir, { write: false });
  const parts = { ...Object.fromEntries(Object.keys(PART_VERSIONS).map((p) => [p, 1])), ...(await readDataVersions(dataDir))?.parts };

  const startedAt = new Date(now()).toISOString();
  const planned: Planned[] = [];
  const skipped: Manifest['skipped'] = [];
  try {
    for (const rel of await walk(dataDir)) {
      const why = skipReason(rel);
      if (why) {
        skipped.push({ path: rel, reason: why });
        continue;
      }
      try {
        const kind = await kindOf(dataDir, rel);
        const fh = kind === 'events' || kind === 'lines' ? await open(join(dataDir, rel), 'r') : undefined;
        const st = fh ? await fh.stat() : await stat(join(dataDir, rel));
        planned.push({ rel, kind, mode: st.mode & 0o777, fh, size: fh ? st.size : undefined });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        skipped.push({ path: rel, reason: 'deleted while the backup was being taken' });
      }
    }

    await mkdir(to, { recursive: true });
    const files: ManifestFile[] = [];
    const order = (k: FileKind) => (k === 'sqlite' ? 0 : k === 'events' || k === 'lines' ? 1 : 2);
    for (const p of [...planned].sort((a, b) => order(a.kind) - order(b.kind))) {
      const dest = join(to, p.rel);
      await mkdir(join(dest, '..'), { recursive: true });
      if (p.kind === 'sqlite') {
        files.push({ path: p.rel, kind: p.kind, mode: p.mode, ...(await snapshotSqlite(join(dataDir, p.rel), dest)) });
      } else if (p.fh) {
        const c = await copyPrefix(p.fh, p.size!, dest, p.mode, true);
        files.push({ path: p.rel, kind: p.kind, mode: p.mode, ...c });
      } else {
        const src = await open(join(dataDir, p.rel), 'r').catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return undefined;
          throw err;
        });
        if (!src) {
          skipped.push({ path: p.rel, reason: 'deleted while the backup was being taken' });
          continue;
        }
        try {
          const c = await copyPrefix(src, (await src.stat()).size, dest, p.mode, false);
          files.push({ path: p.rel, kind: p.kind, mode: p.mode, bytes: c.bytes, sha256: c.sha256 });
        } finally {
          await src.close();
        }
      }
    }
    files.sort((a, b) => (a.path < b.path ? -1 : 1));
    const events = files.filter((f) => f.kind === 'events');
    const manifest: Manifest = {
      format: 'tally-backup',
      version: BACKUP_FORMAT,
      collector_version: COLLECTOR_VERSION,
      data_dir: dataDir,
      started_at: startedAt,
      finished_at: new Date(now()).toISOString(),
      parts,
      totals: {
        files: files.length,
        bytes: files.reduce((s, f) => s + f.bytes, 0),
        events: events.reduce((s, f) => s + (f.lines ?? 0), 0),
        event_days: events.length,
      },
      files,
      skipped,
    };
    await writeManifest(to, manifest);
    return manifest;
  } finally {
    await Promise.all(planned.map((p) => p.fh?.close()));
  }
}

/** Every regular file under `dir`, relative, in a stable order. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(join(dir, prefix), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

async function kindOf(dataDir: string, rel: string): Promise<FileKind> {
  if (rel.startsWith('events/') && DAY_FILE.test(rel.slice('events/'.length))) return 'events';
  if (rel === 'audit.log') return 'lines';
  const fh = await open(join(dataDir, rel), 'r');
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(SQLITE_MAGIC) ? 'sqlite' : 'file';
  } finally {
    await fh.close();
  }
}

/**
 * SQLite's online backup: pages are copied from a read transaction. The first step copies 100
 * pages; the callback then asks for all remaining pages in one step, so a collector committing
 * between steps (it writes the ledger on every batch) restarts the copy at most once or twice
 * instead of forever.
 */
async function snapshotSqlite(src: string, dest: string): Promise<{ bytes: number; sha256: string; schema_version: number }> {
  const db = new Database(src, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    await db.backup(dest, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const copy = new Database(dest, { fileMustExist: true });
  let schema: number;
  try {
    schema = copy.pragma('user_version', { simple: true }) as number;
    // The copy must not need a -wal beside it: fold everything into the one file.
    copy.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    copy.close();
  }
  await fsyncPath(dest);
  return { ...(await hashFile(dest)), schema_version: schema };
}

async function writeManifest(to: string, manifest: Manifest): Promise<void> {
  const tmp = join(to, `.${MANIFEST}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(to, MANIFEST));
  await fsyncPath(to);
}

