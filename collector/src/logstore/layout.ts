import { join } from 'node:path';
import type { LogFs } from './fs.js';

export const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;
export const TMP_SUFFIX = '.rewrite.tmp';

export const dayPath = (dir: string, day: string) => join(dir, `${day}.ndjson`);

export async function listDays(lfs: LogFs, dir: string): Promise<string[]> {
  const names = await lfs.readdir(dir);
  const days: string[] = [];
  for (const n of names) {
    const m = DAY_FILE.exec(n);
    if (m) days.push(m[1]!);
  }
  return days.sort();
}

/** The probe's scratch file: a small durable write proves the disk takes writes again. */
export const PROBE_FILE = '.probe';
export const probePath = (dir: string) => join(dir, PROBE_FILE);
