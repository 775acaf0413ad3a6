/**
 * Turn-taking between the event loop's SQLite writes and the rollup worker's, on one
 * SharedArrayBuffer. SQLite has one writer per database: while the worker held the write lock for
 * one of its ~1 MB transactions, every ingested batch's ledger write on the main thread slept in
 * SQLite's busy handler — on the event loop — and some gave up with SQLITE_BUSY (a 503 for an
 * event that was fine). Now the main thread never waits inside SQLite for the worker: it raises
 * `want`; if the worker is between transactions the write runs at once, else it is run when the
 * worker's current transaction ends (awaited, not slept), and the worker starts no new
 * transaction while `want` is up. The main thread's writes are small (a ledger row), so the worker
 * waits little. Sequentially consistent atomics on both flags (Dekker's handshake): the two sides
 * never both proceed.
 */
const WANT = 0;
// Node has had Atomics.waitAsync since 16; TypeScript types it from lib es2024 only.
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

const IN_TX = 1;

/** Main-thread side. */
export interface WriteGate {
  readonly buffer: SharedArrayBuffer;
  /** Runs `write` (synchronous SQLite writes) when the worker is not inside a transaction. */
  run<T>(write: () => T): T | Promise<T>;
  /** The worker died or was ended (mid-transaction, maybe): nothing waits for it any more. */
  reset(): void;
}

export function createWriteGate(buffer = new SharedArrayBuffer(8)): WriteGate {
  const flags = new Int32Array(buffer);
  const release = () => {
    if (Atomics.sub(flags, WANT, 1) === 1) Atomics.notify(flags, WANT);
  };
  const now = <T>(write: () => T): T => {
    try {
      return write();
    } finally {
      release();
    }
  };
  return {
    buffer,
    reset() {
      Atomics.store(flags, IN_TX, 0);
      Atomics.notify(flags, IN_TX);
    },
    run(write) {
      Atomics.add(flags, WANT, 1);
      if (Atomics.load(flags, IN_TX) === 0) return now(write);
      return (async () => {
        // The worker sees `want` before its next transaction and stays out until it drops.
        while (Atomics.load(flags, IN_TX) !== 0) {
          const w = waitAsync(flags, IN_TX, 1, 1000);
          if (w.async) await w.value;
        }
        return now(write);
      })();
    },
  };
}

/** Worker side: brackets each of the worker's write transactions. */
export interface TxTurn {
  enter(): void;
  leave(): void;
}

export function workerTurn(buffer: SharedArrayBuffer): TxTurn {
  const flags = new Int32Array(buffer);
  return {
    enter() {
      for (;;) {
        Atomics.store(flags, IN_TX, 1);
        if (Atomics.load(flags, WANT) === 0) return;
        // The main thread wants to write: step back and wait until it is done.
        Atomics.store(flags, IN_TX, 0);
        Atomics.notify(flags, IN_TX);
        for (let w = Atomics.load(flags, WANT); w !== 0; w = Atomics.load(flags, WANT)) Atomics.wait(flags, WANT, w, 100);
      }
    },
    leave() {
      Atomics.store(flags, IN_TX, 0);
      Atomics.notify(flags, IN_TX);
    },
  };
}
