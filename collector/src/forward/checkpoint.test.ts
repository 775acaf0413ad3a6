import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeLogFs, syncLogFs } from '../logstore/index.js';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoint.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tally-checkpoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cp: Checkpoint = { v: 1, day: '2026-12-06', offset: 1234, events: 7, pending_erasures: [], updated_at: '2026-12-06T10:00:00.000Z' };

describe.each([
  ['nodeLogFs', nodeLogFs],
  ['syncLogFs (the forwarders’ thread)', syncLogFs],
])('saveCheckpoint through %s', (_name, lfs) => {
  it('writes a checkpoint the loader reads back, replacing the old one whole and leaving no temp file', async () => {
    await saveCheckpoint(dir, 'kafka', cp, lfs);
    await saveCheckpoint(dir, 'kafka', { ...cp, offset: 5678, events: 9, pending_erasures: [{ keys: ['u1', 'a1'], subject: 's', at: cp.updated_at }] }, lfs);
    expect(await loadCheckpoint(dir, 'kafka')).toEqual({ ...cp, offset: 5678, events: 9, pending_erasures: [{ keys: ['u1', 'a1'], subject: 's', at: cp.updated_at }] });
    expect(await readdir(join(dir, 'forward'))).toEqual(['kafka.json']);
    expect(await readFile(join(dir, 'forward', 'kafka.json'), 'utf8')).toMatch(/^\{.*\}\n$/);
  });

  it('a failed write rejects and leaves the previous checkpoint in place', async () => {
    await saveCheckpoint(dir, 'kafka', cp, lfs);
    // The temp file's name taken by a directory: open fails (EISDIR) before anything is renamed.
    await mkdir(join(dir, 'forward', 'kafka.json.tmp'));
    await expect(saveCheckpoint(dir, 'kafka', { ...cp, offset: 9999 }, lfs)).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await loadCheckpoint(dir, 'kafka')).toEqual(cp);
  });
});
