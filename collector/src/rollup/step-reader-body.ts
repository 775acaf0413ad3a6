import { statSync } from 'node:fs';
import { type MessagePort, parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { userCounts } from './step-view.js';

type Msg = { id: number; file: string; reqs: { key: string; type: number; feature: number }[] };
type Conn = { db: Database.Database; get: Database.Statement; ino: number };

// A connection stays open while a funnel's days stream in, and is closed once idle for IDLE_MS: an
// open connection would keep the collector's own close from checkpointing and removing the WAL,
// and an erasure's `wal_checkpoint(TRUNCATE)` must not find a reader. A few data dirs at most.
const conns = new Map<string, Conn>();
const IDLE_MS = 2_000;
let idle: NodeJS.Timeout | undefined;

function closeAll(): void {
  for (const c of conns.values()) c.db.close();
  conns.clear();
}

function conn(file: string): Conn {
  // A restore replaces tally.db: a connection to the old file would read what is gone.
  const ino = statSync(file).ino;
  const c = conns.get(file);
  if (c !== undefined && c.ino === ino) return c;
  c?.db.close();
  conns.delete(file);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('mmap_size = 2147418112');
  const fresh = { db, get: db.prepare('SELECT data FROM day_steps WHERE day = ? AND type = ? AND feature = ?').pluck(), ino };
  conns.set(file, fresh);
  if (conns.size > 4) {
    const [oldest, o] = conns.entries().next().value!;
    o.db.close();
    conns.delete(oldest);
  }
  return fresh;
}

/** The lists asked for, with the buffers to transfer. */
function readLists(file: string, reqs: Msg['reqs'], decode: boolean): { out: ({ blob: ArrayBuffer; uc: Uint32Array | undefined } | null)[]; moved: ArrayBuffer[] } {
  if (idle !== undefined) clearTimeout(idle);
  idle = setTimeout(closeAll, IDLE_MS);
  idle.unref();
  const c = conn(file);
  const moved: ArrayBuffer[] = [];
  const out = reqs.map((r) => {
    const b = c.get.get(r.key, r.type, r.feature) as Buffer | undefined;
    if (b === undefined) return null;
    // better-sqlite3 gives each BLOB its own memory; anything else is copied so it can move.
    const blob = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : new Uint8Array(b).buffer;
    // Decoded here for the main thread, so it only walks (the walker decodes into arrays it reuses,
    // which costs no fresh memory: these arrays are as large as the bytes). A list that does not
    // decode goes as it is: the receiver's own decoding then reports it.
    let uc: Uint32Array | undefined;
    try {
      uc = decode ? userCounts(new Uint8Array(blob)) : undefined;
    } catch {
      uc = undefined;
    }
    moved.push(blob);
    if (uc !== undefined) moved.push(uc.buffer as ArrayBuffer);
    return { blob, uc };
  });
  return { out, moved };
}

/**
 * Worker thread body (step-reader.ts): reads funnel index lists by their `day_steps` key, on a
 * read-only connection of its own, and hands the bytes over (transferred, not copied) with their
 * users and counts decoded (`userCounts`) for the main thread, or as bytes alone on a port the
 * main thread attached (the funnel walker's: the lists then never enter the main thread's heap,
 * and the walker decodes users and counts into arrays it reuses).
 */
parentPort!.on('message', (msg: Msg | { attach: MessagePort }) => {
  if ('attach' in msg) {
    const port = msg.attach;
    port.on('message', (m: { i: number; file: string; reqs: Msg['reqs'] }) => {
      try {
        const { out, moved } = readLists(m.file, m.reqs, false);
        port.postMessage({ i: m.i, out }, moved);
      } catch (err) {
        port.postMessage({ i: m.i, error: err instanceof Error ? err.message : String(err) });
      }
    });
    // Closed by the walker when its funnel is done (or by its thread's end).
    port.on('close', () => port.removeAllListeners());
    return;
  }
  try {
    const { out, moved } = readLists(msg.file, msg.reqs, true);
    parentPort!.postMessage({ id: msg.id, out }, moved);
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});

// Loaded (through tsx, from source, this takes a while): reads go to this thread from now on.
parentPort!.postMessage({ ready: true });
