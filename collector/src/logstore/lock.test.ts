import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLogStore } from './store.js';
import { LogLockedError } from './lock.js';
import { memLogger, testDir } from '../testing/logstore.js';


function setup() {
  const t = { dir: testDir() };
  const open = () => openLogStore({ dataDir: t.dir, fsync: 'off', logger: memLogger(), clock: { now: () => Date.now() } });
  const lockFile = join(t.dir, 'events', 'LOCK');
  return { dir: t.dir, open, lockFile };
}

describe('one writer per data directory', () => {
  it('refuses a second open while the first is open, allows it after close', async () => {
    const s = setup();
    const first = await s.open();
    expect(existsSync(s.lockFile)).toBe(true);
    await expect(s.open()).rejects.toBeInstanceOf(LogLockedError);
    await first.close();
    expect(existsSync(s.lockFile)).toBe(false);
    const second = await s.open();
    await second.close();
  });

  it('refuses when another live process holds the lock', async () => {
    const s = setup();
    mkdirSync(join(s.dir, 'events'), { recursive: true });
    writeFileSync(s.lockFile, `${process.ppid}\n`);
    await expect(s.open()).rejects.toThrow(`in use by process ${process.ppid}`);
    expect(existsSync(s.lockFile)).toBe(true);
  });

  it('takes over a lock left by a process that died', async () => {
    const s = setup();
    mkdirSync(join(s.dir, 'events'), { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(s.lockFile, `${dead}\n`);
    const log = await s.open();
    await log.close();
  });
});
