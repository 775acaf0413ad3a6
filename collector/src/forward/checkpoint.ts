import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, nodeLogFs, writeAll, type LogFs } from '../logstore/index.js';
import { readTextIfExists } from '../shared/index.js';

/**
 * Where a forwarder is in the log: the next byte to read in one UTC day file, and how many events of
 * that file lie before it (an erasure that rewrites the file moves byte offsets; the event count is
 * what the rewrite hook maps to the new file, see hub.ts). `pending_erasures` are subjects erased in
 * the log whose erasure the sink has not yet confirmed (sink down at the time); retried first.
 */
export interface Checkpoint {
  v: 1;
  day: string;
  offset: number;
  events: number;
  pending_erasures: PendingErasure[];
  updated_at: string;
}

export interface PendingErasure {
  /** The erased id and every anonymous id linked to it: the keys the sink stored events under. */
  keys: string[];
  /** The audit log's subject digest, so the confirmation can be audited without the id. */
  subject: string;
  at: string;
}

export const checkpointDir = (dataDir: string) => join(dataDir, 'forward');
export const checkpointPath = (dataDir: string, sink: string) => join(checkpointDir(dataDir), `${sink}.json`);

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function valid(v: unknown): v is Checkpoint {
  if (v === null || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return (
    c.v === 1 &&
    typeof c.day === 'string' &&
    (c.day === '' || DAY.test(c.day)) &&
    Number.isSafeInteger(c.offset) &&
    (c.offset as number) >= 0 &&
    Number.isSafeInteger(c.events) &&
    Array.isArray(c.pending_erasures)
  );
}

/** The sink's checkpoint, or undefined when it has none yet. A damaged file is an error, never "start over". */
export async function loadCheckpoint(dataDir: string, sink: string): Promise<Checkpoint | undefined> {
  const path = checkpointPath(dataDir, sink);
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  // Starting over would re-send the whole log; refusing makes the operator look (or delete the file on purpose).
  if (!valid(v)) throw new Error(`forward checkpoint ${path} is damaged; fix or delete it (deleting re-sends the whole log)`);
  return v;
}

/**
 * Writes the checkpoint atomically: temp file, fsync, rename, fsync of the directory. `lfs`: the log
 * store's file operations; the forwarders' thread passes `syncLogFs`, so these eight calls run on that
 * thread at its lowered priority instead of waking libuv's shared pool twice per batch.
 */
export async function saveCheckpoint(dataDir: string, sink: string, cp: Checkpoint, lfs: LogFs = nodeLogFs): Promise<void> {
  const dir = checkpointDir(dataDir);
  await lfs.mkdir(dir);
  const path = checkpointPath(dataDir, sink);
  const tmp = `${path}.tmp`;
  const bytes = Buffer.from(`${JSON.stringify(cp)}\n`);
  const fd = await lfs.open(tmp, 'w', 0o600);
  try {
    await writeAll(lfs, fd, bytes);
    await lfs.fsync(fd);
  } finally {
    await lfs.close(fd);
  }
  await lfs.rename(tmp, path);
  await fsyncDir(lfs, dir);
}

/**
 * Every sink's checkpoint on disk, configured or not: the retention purge keeps every day file at or
 * after the oldest checkpoint day. A retired sink's file must be deleted to release its days.
 */
export async function allCheckpoints(dataDir: string): Promise<{ sink: string; checkpoint: Checkpoint }[]> {
  let names: string[];
  try {
    names = await readdir(checkpointDir(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: { sink: string; checkpoint: Checkpoint }[] = [];
  for (const n of names.sort()) {
    if (!n.endsWith('.json')) continue;
    const sink = n.slice(0, -'.json'.length);
    const checkpoint = await loadCheckpoint(dataDir, sink);
    if (checkpoint) out.push({ sink, checkpoint });
  }
  return out;
}
