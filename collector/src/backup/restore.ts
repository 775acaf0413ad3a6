import { chmod, copyFile, mkdir, readdir, rename, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isEmptyDir, newerParts } from '../datadir/index.js';
import { SCHEMA_VERSION } from '../rollup/index.js';
import { fsyncPath, hashFile } from './copy.js';
import { readManifest } from './manifest.js';
import { BackupRefused } from './snapshot.js';

const STAGING = '.restore-partial';

export interface RestoreReport {
  ok: true;
  data_dir: string;
  files: number;
  bytes: number;
  events: number;
  started_at: string;
}

/**
 * `pnpm collector restore --from DIR` into a new or empty data directory. Nothing is written until
 * the whole backup has been checked (manifest, versions, every file's size and sha256). The files
 * are copied into `<data dir>/.restore-partial/` and moved into place when all are there, so an
 * interrupted restore leaves only that folder (delete it and run again).
 */
export async function restoreBackup(opts: { from: string; dataDir: string }): Promise<RestoreReport> {
  const from = resolve(opts.from);
  const dataDir = resolve(opts.dataDir);
  const manifest = await readManifest(from);
  const newer = newerParts(manifest.parts);
  const db = manifest.files.find((f) => f.path === 'tally.db');
  if (db?.schema_version !== undefined && db.schema_version > SCHEMA_VERSION) {
    newer.push(`tally.db schema ${db.schema_version}, this collector knows up to ${SCHEMA_VERSION}`);
  }
  if (newer.length > 0) {
    throw new BackupRefused(`the backup in ${from} was made by a newer Tally collector (${newer.join('; ')}): restore it with that version or newer`);
  }
  if (!(await isEmptyDir(dataDir))) {
    throw new BackupRefused(`refusing to restore into ${dataDir}: it is not empty (restore into a new or empty directory; nothing was changed)`);
  }
  for (const f of manifest.files) {
    const actual = await hashFile(join(from, f.path)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new BackupRefused(`the backup in ${from} is incomplete: ${f.path} is missing`);
      throw err;
    });
    if (actual.bytes !== f.bytes || actual.sha256 !== f.sha256) {
      throw new BackupRefused(`the backup in ${from} is damaged: ${f.path} does not match its checksum in the manifest`);
    }
  }

  const staging = join(dataDir, STAGING);
  await mkdir(staging, { recursive: true });
  for (const f of manifest.files) {
    const dest = join(staging, f.path);
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(join(from, f.path), dest);
    await chmod(dest, f.mode & 0o777);
    await fsyncPath(dest);
  }
  for (const dir of new Set(manifest.files.map((f) => dirname(join(staging, f.path))))) await fsyncPath(dir);
  // Moving the top-level entries out of the staging folder keeps every rename on one file system,
  // even when the data directory is a mount point.
  for (const name of await readdir(staging)) await rename(join(staging, name), join(dataDir, name));
  await rmdir(staging);
  await fsyncPath(dataDir);
  return {
    ok: true,
    data_dir: dataDir,
    files: manifest.files.length,
    bytes: manifest.totals.bytes,
    events: manifest.totals.events,
    started_at: manifest.started_at,
  };
}
