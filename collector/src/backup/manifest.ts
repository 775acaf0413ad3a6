import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Version of the backup layout itself (this file and where parts go); restore refuses newer ones. */
export const BACKUP_FORMAT = 1;
export const MANIFEST = 'manifest.json';

/**
 * How a file was copied: `events` (a day file up to its last complete line at the cut),
 * `sqlite` (online backup API: a consistent snapshot while the collector writes), `lines`
 * (append-only text such as audit.log, up to its last complete line), `file` (copied whole).
 */
export type FileKind = 'events' | 'sqlite' | 'lines' | 'file';

export interface ManifestFile {
  path: string;
  kind: FileKind;
  bytes: number;
  sha256: string;
  mode: number;
  /** Lines (events for an `events` file). */
  lines?: number;
  /** `PRAGMA user_version` of a SQLite file. */
  schema_version?: number;
}

export interface Manifest {
  format: 'tally-backup';
  version: number;
  collector_version: string;
  data_dir: string;
  /** Before anything was read: every event acknowledged before this instant is in the backup. */
  started_at: string;
  finished_at: string;
  /** `data-version.json` parts (the versions of the formats the files below are in). */
  parts: Record<string, number>;
  totals: { files: number; bytes: number; events: number; event_days: number };
  files: ManifestFile[];
  /** Entries of the data directory not copied, with why. */
  skipped: { path: string; reason: string }[];
}

export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${dir} has no ${MANIFEST}: not a Tally backup, or a backup that did not finish`);
    }
    throw err;
  }
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(text) as Partial<Manifest>;
  } catch {
    throw new Error(`${join(dir, MANIFEST)} is not JSON: the backup is damaged`);
  }
  if (m.format !== 'tally-backup' || typeof m.version !== 'number' || !Array.isArray(m.files) || typeof m.parts !== 'object') {
    throw new Error(`${join(dir, MANIFEST)} is not a Tally backup manifest`);
  }
  if (m.version > BACKUP_FORMAT) {
    throw new Error(`the backup in ${dir} has layout version ${m.version}, newer than this collector reads (${BACKUP_FORMAT}): restore it with a newer collector`);
  }
  for (const f of m.files) {
    if (typeof f.path !== 'string' || f.path.startsWith('/') || f.path.split('/').includes('..') || typeof f.sha256 !== 'string') {
      throw new Error(`${join(dir, MANIFEST)} lists a bad file entry: ${JSON.stringify(f)}`);
    }
  }
  return m as Manifest;
}
