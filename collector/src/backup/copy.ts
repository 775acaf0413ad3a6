import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

export interface Copied {
  bytes: number;
  sha256: string;
  /** Newline-terminated lines copied. */
  lines: number;
}

/**
 * Copies `[0, end)` of an open file to a new file `dest` (fsync'd), hashing what it writes. With
 * `wholeLines`, bytes after the last newline are left out: they belong to a write still in
 * progress, which was not acknowledged yet, and the collector would cut them off anyway.
 */
export async function copyPrefix(src: FileHandle, end: number, dest: string, mode: number, wholeLines: boolean): Promise<Copied> {
  const out = await open(dest, 'wx', mode);
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = 0;
  let bytes = 0;
  let lines = 0;
  let carry: Buffer[] = [];
  try {
    while (pos < end) {
      const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const chunk = buf.subarray(0, bytesRead);
      let upTo = bytesRead;
      if (wholeLines) {
        const nl = chunk.lastIndexOf(10);
        if (nl === -1) {
          carry.push(Buffer.from(chunk));
          continue;
        }
        upTo = nl + 1;
      }
      const parts = [...carry, chunk.subarray(0, upTo)];
      carry = upTo < bytesRead ? [Buffer.from(chunk.subarray(upTo))] : [];
      for (const p of parts) {
        hash.update(p);
        lines += countNewlines(p);
        await out.write(p);
        bytes += p.length;
      }
    }
    if (!wholeLines) for (const p of carry) await out.write(p);
    await out.sync();
  } finally {
    await out.close();
  }
  return { bytes, sha256: hash.digest('hex'), lines };
}

/** sha256 and size of a whole file. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const fh = await open(path, 'r');
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of fh.createReadStream({ autoClose: false })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } finally {
    await fh.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
}
