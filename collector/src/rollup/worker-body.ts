import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from './db.js';
import type { PendingEntries } from './dict.js';
import { checkpoint, collect, stageDays, sweep, takeTurns, writeEntries, type Garbage, type StageJob } from './stage.js';
import { workerTurn } from './write-gate.js';

type Msg = { id: number; file: string } & ({ op: 'stage'; jobs: StageJob[] } | { op: 'collect'; garbage: Garbage[] } | { op: 'entries'; entries: PendingEntries } | { op: 'checkpoint'; mode: 'PASSIVE' | 'TRUNCATE' } | { op: 'sweep' });

/**
 * Worker thread body (worker.ts): stages rollup days and collects what they replaced (stage.ts),
 * on a connection of its own opened per job, so a data dir closed or replaced meanwhile is never
 * written through a stale handle.
 */
takeTurns(workerTurn((workerData as { gate: SharedArrayBuffer }).gate));

parentPort!.on('message', (msg: Msg) => {
  try {
    // A periodic checkpoint may arrive after its data dir was closed and deleted: not recreated.
    if (msg.op === 'checkpoint' && !existsSync(msg.file)) {
      parentPort!.postMessage({ id: msg.id, out: null });
      return;
    }
    const db = openDb(dirname(msg.file), basename(msg.file));
    try {
      if (msg.op !== 'stage') {
        if (msg.op === 'collect') collect(db, msg.garbage);
        else if (msg.op === 'checkpoint') checkpoint(db, msg.mode);
        else if (msg.op === 'sweep') sweep(db);
        else writeEntries(db, msg.entries);
        parentPort!.postMessage({ id: msg.id, out: null });
        return;
      }
      const out = stageDays(db, msg.jobs);
      parentPort!.postMessage({ id: msg.id, out }, out.map((s) => s.users.buffer as ArrayBuffer));
    } finally {
      db.close();
    }
  } catch (err) {
    // The code travels too: a full disk (SQLITE_FULL) must stay a storage fault on the main thread.
    const e = err as { message?: string; stack?: string; code?: unknown };
    parentPort!.postMessage({ id: msg.id, error: e?.message ?? String(err), stack: e?.stack, code: typeof e?.code === 'string' ? e.code : undefined });
  }
});
