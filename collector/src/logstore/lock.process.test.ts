import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/logstore.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const TAKERS = 4;
const TRIALS = 12;

interface Taker {
  proc: ChildProcess;
  next(): Promise<string>;
}

function startTaker(): Taker {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'collector/src/logstore/lock-child.ts'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  let buf = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  return { proc, next: () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((r) => waiting.push(r))) };
}

// Separate processes, each running the real lockDir, released at the same moment on a lock left by
// a dead process: the takeover must leave exactly one holder, every trial (issue #10, item 7).
describe('stale LOCK takeover by concurrent processes', () => {
  const takers: Taker[] = [];
  const t = tempDir();
  beforeAll(async () => {
    for (let i = 0; i < TAKERS; i++) takers.push(startTaker());
    for (const k of takers) expect(await k.next()).toBe('ready');
  }, 60_000);
  afterAll(() => {
    for (const k of takers) k.proc.kill('SIGKILL');
    t.cleanup();
  });

  it(`leaves exactly one holder in each of ${TRIALS} trials`, async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = join(t.dir, `trial-${trial}`);
      mkdirSync(dir, { recursive: true });
      // Alternate the old lock format (pid only) and the tagged one.
      writeFileSync(join(dir, 'LOCK'), trial % 2 === 0 ? `${dead}\n` : `${dead} 0123456789abcdef\n`);
      for (const k of takers) k.proc.stdin!.write(`take ${dir}\n`);
      const answers = await Promise.all(takers.map((k) => k.next()));
      expect(answers.filter((a) => a === 'held'), `trial ${trial}: ${answers.join(' ')}`).toHaveLength(1);
      expect(answers.filter((a) => a === 'locked')).toHaveLength(TAKERS - 1);
      // Nothing left but the holder's LOCK: no temp files, no takeover markers.
      expect(readdirSync(dir)).toEqual(['LOCK']);
      for (const k of takers) k.proc.stdin!.write('release\n');
      for (const k of takers) expect(await k.next()).toBe('released');
      expect(readdirSync(dir)).toEqual([]);
    }
  }, 120_000);
});
