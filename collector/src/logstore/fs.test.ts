import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeLogFs, syncLogFs, writeAll, type LogFs } from './fs.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tally-logfs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One scenario over a real directory; what it observes must not depend on the implementation. */
async function scenario(lfs: LogFs, root: string): Promise<unknown[]> {
  const seen: unknown[] = [];
  const catchCode = (p: Promise<unknown>) => p.then(() => 'ok', (e: NodeJS.ErrnoException) => e.code);
  await lfs.mkdir(join(root, 'a', 'b'));
  const path = join(root, 'a', 'b', 'f.ndjson');
  const fd = await lfs.open(path, 'a+', 0o600);
  const line = Buffer.from('{"x":1}\n{"x":2}\n');
  seen.push(await lfs.write(fd, line, 0, line.length));
  await lfs.fdatasync(fd);
  await lfs.fsync(fd);
  seen.push(await lfs.fstatSize(fd));
  const buf = Buffer.alloc(8);
  seen.push(await lfs.read(fd, buf, 0, 8, 8), buf.toString());
  seen.push((await lfs.fdIdentity(fd)) === (await lfs.pathIdentity(path)));
  await lfs.ftruncate(fd, 8);
  seen.push(await lfs.fstatSize(fd));
  await lfs.close(fd);
  await lfs.rename(path, join(root, 'a', 'b', 'g.ndjson'));
  seen.push(await lfs.readdir(join(root, 'a', 'b')));
  seen.push(await lfs.pathIdentity(path));
  // Failures arrive as rejections carrying the errno code, never as a synchronous throw.
  seen.push(await catchCode(lfs.open(join(root, 'missing', 'x'), 'r')));
  seen.push(await catchCode(lfs.close(987_654)));
  await lfs.unlink(join(root, 'a', 'b', 'g.ndjson'));
  seen.push(await lfs.readdir(join(root, 'a', 'b')));
  return seen;
}

describe('syncLogFs (the forwarders’ thread does its own file I/O)', () => {
  it('observes exactly what the promise-based nodeLogFs observes', async () => {
    const a = await scenario(nodeLogFs, join(dir, 'node'));
    const b = await scenario(syncLogFs, join(dir, 'sync'));
    expect(b).toEqual(a);
    expect(a).toEqual([16, 16, 8, '{"x":2}\n', true, 8, ['g.ndjson'], undefined, 'ENOENT', 'EBADF', []]);
  });

  it('a failure is a rejected promise, so a caller that awaits sees it where it awaits', () => {
    const p = syncLogFs.open(join(dir, 'nope', 'x'), 'r');
    expect(p).toBeInstanceOf(Promise);
    return expect(p).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writeAll', () => {
  /** A file that takes at most `step` bytes a call (0: none at all), recording what reached it. */
  const partial = (step: number) => {
    const got: number[] = [];
    const lfs = { write: async (_fd: number, b: Buffer, o: number, l: number) => (got.push(...b.subarray(o, o + Math.min(step, l))), Math.min(step, l)) } as unknown as LogFs;
    return { lfs, got };
  };

  it('finishes a range through partial writes, in order', async () => {
    const { lfs, got } = partial(3);
    await writeAll(lfs, 1, Buffer.from('0123456789'), 2, 9);
    expect(Buffer.from(got).toString()).toBe('2345678');
  });

  it('a write that makes no progress is an EIO, not an endless loop', async () => {
    await expect(writeAll(partial(0).lfs, 1, Buffer.from('x'))).rejects.toMatchObject({ code: 'EIO' });
  });
});
