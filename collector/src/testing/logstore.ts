import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@tally/protocol';
import type { Logger } from '../deps.js';
import { onTestFinished } from 'vitest';
import { nodeLogFs, type LogFs } from '../logstore/fs.js';
import { openLogStore } from '../logstore/store.js';

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tally-log-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A temp dir that is removed when the current test finishes. */
export function testDir(): string {
  const t = tempDir();
  onTestFinished(t.cleanup);
  return t.dir;
}

export function memLogger(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
  };
}

export function event(over: Partial<StoredEvent> = {}): StoredEvent {
  const received_at = over.received_at ?? '2026-11-20T10:00:00.000Z';
  return {
    event_id: randomUUID(),
    event_type: 'page_view',
    ts: received_at,
    time: received_at,
    received_at,
    url: '/pricing',
    ...over,
  };
}

/** A LogFs whose calls can be counted and made to fail or wait. */
export function spyFs(base: LogFs = nodeLogFs) {
  const calls = { write: 0, fdatasync: 0, ftruncate: 0 };
  const hooks: {
    write?: (fd: number, buf: Buffer, off: number, len: number) => Promise<number> | undefined;
    fdatasync?: (fd: number) => Promise<void> | undefined;
    ftruncate?: (fd: number, len: number) => Promise<void> | undefined;
  } = {};
  const fs: LogFs = {
    ...base,
    write: (fd, buf, off, len) => {
      calls.write++;
      return hooks.write?.(fd, buf, off, len) ?? base.write(fd, buf, off, len);
    },
    fdatasync: (fd) => {
      calls.fdatasync++;
      return hooks.fdatasync?.(fd) ?? base.fdatasync(fd);
    },
    ftruncate: (fd, len) => {
      calls.ftruncate++;
      return hooks.ftruncate?.(fd, len) ?? base.ftruncate(fd, len);
    },
  };
  return { fs, calls, hooks };
}

export const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The fixed "now" of the log-store tests: 2026-11-20 12:00 UTC. */
export const NOW = Date.parse('2026-11-20T12:00:00.000Z');

/** A log store (fsync always) on a fresh temp dir with a spied fs; the dir goes when the test ends. */
export async function openSpiedStore() {
  const t = tempDir();
  onTestFinished(t.cleanup);
  const spy = spyFs();
  const logger = memLogger();
  const log = await openLogStore({ dataDir: t.dir, fsync: 'always', logger, clock: { now: () => NOW }, fs: spy.fs });
  return { log, spy, logger, dir: t.dir };
}
