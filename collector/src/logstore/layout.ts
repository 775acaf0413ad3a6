import { join } from 'node:path';
import type { LogFs } from './fs.js';

export const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;
export const TMP_SUFFIX = '.rewrite.tmp';

export const dayPath = (dir: string, day: string) => join(dir, `${day}.ndjson`);

/** UTC receipt day of an ISO-8601 instant. The ingest side writes `toISOString()` (ends in Z) — fast path. */
export function utcDay(iso: string): string {
  if (iso.length >= 20 && iso.charCodeAt(iso.length - 1) === 90 /* Z */) return iso.slice(0, 10);
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`received_at is not a time: ${iso}`);
  return new Date(ms).toISOString().slice(0, 10);
}

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
