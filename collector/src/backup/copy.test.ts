import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyPrefix, hashFile } from './copy.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-copy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('copyPrefix', () => {
  it('copies whole lines only, across 1 MiB chunks, up to the size taken at the cut', async () => {
    // Lines of varying length so some straddle the chunk boundary; one longer than a chunk.
    const lines = Array.from({ length: 3000 }, (_, i) => `{"event_id":"e${i}","pad":"${'x'.repeat((i * 37) % 900)}"}\n`);
    lines.splice(1500, 0, `{"event_id":"long","pad":"${'é'.repeat(700_000)}"}\n`);
    const whole = lines.join('');
    const src = join(dir, 'src.ndjson');
    writeFileSync(src, `${whole}{"event_id":"torn","pa`);
    const fh = await open(src, 'r');
    const cut = statSync(src).size;
    // Written after the cut: not in the copy.
    writeFileSync(src, 'd":1}\n{"event_id":"late"}\n', { flag: 'a' });
    const c = await copyPrefix(fh, cut, join(dir, 'dest'), 0o640, true);
    await fh.close();
    const copied = readFileSync(join(dir, 'dest'));
    expect(copied.toString('utf8')).toBe(whole);
    expect(c).toEqual({ bytes: Buffer.byteLength(whole), sha256: sha(whole), lines: 3001 });
    expect(statSync(join(dir, 'dest')).mode & 0o777).toBe(0o640);
    expect(await hashFile(join(dir, 'dest'))).toEqual({ bytes: c.bytes, sha256: c.sha256 });
  });

  it('copies any file whole, and never overwrites an existing one', async () => {
    const src = join(dir, 'key');
    writeFileSync(src, 'no newline at the end');
    const fh = await open(src, 'r');
    const c = await copyPrefix(fh, statSync(src).size, join(dir, 'dest'), 0o600, false);
    expect(readFileSync(join(dir, 'dest'), 'utf8')).toBe('no newline at the end');
    expect(c.sha256).toBe(sha('no newline at the end'));
    await expect(copyPrefix(fh, 3, join(dir, 'dest'), 0o600, false)).rejects.toThrow(/EEXIST/);
    await fh.close();
  });
});
