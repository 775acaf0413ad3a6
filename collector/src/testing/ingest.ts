import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Hono } from 'hono';
import { afterEach, beforeEach } from 'vitest';
import { createApp } from '../app.js';
import { openDb, type Db } from '../rollup/db.js';
import { createLedger } from '../rollup/ledger.js';
import { makeTestDeps, type FakeClock, type MemoryLogStore } from './index.js';

/** Helpers for this folder's tests only (not part of the shared `testing/` fakes). */
export const NOW = '2026-11-20T12:00:00.000Z';
export const ev = (over: Record<string, unknown> = {}) => ({ event_type: 'page_view', ts: '2026-11-20T11:59:00.000Z', ...over });

export interface PostOptions {
  path?: string;
  headers?: Record<string, string>;
  /** Peer address as @hono/node-server would expose it. */
  address?: string;
}

export function post(app: Hono, body: string | Uint8Array | object, opts: PostOptions = {}): Promise<Response> {
  const data = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const env = opts.address ? { incoming: { socket: { remoteAddress: opts.address } } } : undefined;
  return Promise.resolve(
    app.request(
      opts.path ?? '/v1/events',
      { method: 'POST', headers: { 'content-type': 'application/json', ...opts.headers }, body: data },
      env,
    ),
  );
}

export const gzip = (s: string | Uint8Array) => new Uint8Array(gzipSync(s));

/**
 * A real SQLite ledger in a fresh temp dir per test, for tests of what the ledger counts across
 * resends and restarts. `start()` builds an app on it; `restart(keep)` closes and reopens the
 * database and starts again with the previous clock and log, as a restarted collector would.
 */
export function useDiskLedger(prefix: string) {
  let dir: string;
  const disk = { db: undefined as unknown as Db, start, restart };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    disk.db = openDb(dir);
  });
  afterEach(() => {
    disk.db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  function start(keep?: { clock: FakeClock; log: MemoryLogStore }) {
    const ledger = createLedger(disk.db);
    const deps = keep ? makeTestDeps({ ledger, clock: keep.clock, log: keep.log }) : makeTestDeps({ ledger });
    return { deps, app: createApp(deps) };
  }
  function restart(keep: { clock: FakeClock; log: MemoryLogStore }) {
    disk.db.close();
    disk.db = openDb(dir);
    return start(keep);
  }
  return disk;
}
