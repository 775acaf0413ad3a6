import { statfs } from 'node:fs/promises';

/** Bytes available to an unprivileged writer on the file system holding `dir`; undefined when unknown. */
export async function diskFreeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
