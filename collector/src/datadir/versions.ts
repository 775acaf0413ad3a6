import { mkdir, open, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextIfExists } from '../shared/index.js';

/**
 * The data directory records the format version of each of its parts in `data-version.json`, so a
 * collector never misreads a directory written by a newer one. `tally.db` carries its own version
 * (`PRAGMA user_version`, rollup/db.ts) and is checked there.
 *
 * Bump a part's number when a change to its on-disk format would be misread by the previous
 * release, and add the step that converts the old format to MIGRATIONS. A part added later (e.g.
 * forwarder checkpoints) gets its own entry; a collector that does not know a part ignores it,
 * because it never reads it.
 */
export const PART_VERSIONS = {
  /** events/YYYY-MM-DD.ndjson: one stored event per line (docs/operations.md). */
  events: 1,
  /** audit.log: one JSON line per privacy action; audit.key: the HMAC key of its subjects. */
  audit: 1,
  /** dashboard-shares.json, dashboard-sessions.json: the dashboard's share links and sign-in sessions. */
  dashboard: 1,
  /** forward/<sink>.json: where each forwarder is in the log (its checkpoint). */
  forward: 1,
} as const satisfies Record<string, number>;

export type Part = keyof typeof PART_VERSIONS;
export const VERSION_FILE = 'data-version.json';

/** Conversions from version `from` to `from + 1`, per part; none yet (every part is at 1). */
const MIGRATIONS: { [P in Part]?: Record<number, (dataDir: string) => Promise<void>> } = {};

export interface DataVersionFile {
  format: 'tally-data-dir';
  parts: Record<string, number>;
}

export class DataDirTooNewError extends Error {
  constructor(readonly dataDir: string, readonly problems: string[]) {
    super(
      `the data directory ${dataDir} was written by a newer Tally collector (${problems.join('; ')}); ` +
        'this collector would misread it: upgrade the collector, or restore a backup made by this version into an empty directory',
    );
    this.name = 'DataDirTooNewError';
  }
}

/** What the directory says, or undefined if it has no version file (new, or from before versions existed). */
export async function readDataVersions(dataDir: string): Promise<DataVersionFile | undefined> {
  const text = await readTextIfExists(join(dataDir, VERSION_FILE));
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${join(dataDir, VERSION_FILE)} is not JSON; it was damaged or written by something else`);
  }
  const p = parsed as Partial<DataVersionFile> | null;
  if (p?.format !== 'tally-data-dir' || typeof p.parts !== 'object' || p.parts === null) {
    throw new Error(`${join(dataDir, VERSION_FILE)} is not a Tally data-version file`);
  }
  for (const [k, v] of Object.entries(p.parts)) {
    if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`${join(dataDir, VERSION_FILE)}: part ${k} has no valid version`);
  }
  return p as DataVersionFile;
}

/** Problems (one per part newer than this collector reads), empty when it can read them all. */
export function newerParts(parts: Record<string, number>): string[] {
  const out: string[] = [];
  for (const [part, known] of Object.entries(PART_VERSIONS)) {
    const found = parts[part];
    if (found !== undefined && found > known) out.push(`${part} format ${found}, this collector reads up to ${known}`);
  }
  return out;
}

/**
 * Checks the directory's versions; throws `DataDirTooNewError` for a newer one. With `write`
 * (whoever holds the event log's LOCK for writing), it migrates older parts forward and records
 * the current versions. A directory from before versions existed is at version 1 everywhere.
 */
export async function checkDataDir(dataDir: string, opts: { write: boolean }): Promise<void> {
  const file = await readDataVersions(dataDir);
  const parts: Record<string, number> = { ...(file?.parts ?? {}) };
  const problems = newerParts(parts);
  if (problems.length > 0) throw new DataDirTooNewError(dataDir, problems);
  if (!opts.write) return;
  let changed = file === undefined;
  for (const part of Object.keys(PART_VERSIONS) as Part[]) {
    for (let v = parts[part] ?? 1; v < PART_VERSIONS[part]; v++) {
      const step = MIGRATIONS[part]?.[v];
      if (!step) throw new Error(`no migration of ${part} from format ${v}`);
      await step(dataDir);
      parts[part] = v + 1;
      await writeVersions(dataDir, parts);
    }
    if (parts[part] !== PART_VERSIONS[part]) {
      parts[part] = PART_VERSIONS[part];
      changed = true;
    }
  }
  if (changed) await writeVersions(dataDir, parts);
}

/** Writes the file atomically (temp, fsync, rename), keeping parts this collector does not know. */
export async function writeVersions(dataDir: string, parts: Record<string, number>): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const body: DataVersionFile = { format: 'tally-data-dir', parts };
  const tmp = join(dataDir, `.${VERSION_FILE}.tmp`);
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(`${JSON.stringify(body)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dataDir, VERSION_FILE));
  const dir = await open(dataDir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** True when `dir` does not exist or has no entries. */
export async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}
