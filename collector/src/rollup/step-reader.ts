import { type MessagePort, Worker } from 'node:worker_threads';

/** One funnel index list to read: the `day_steps` key of a day head, and the step. */
export interface StepRequest {
  key: string;
  type: number;
  feature: number;
}

/** A list as stored, and its users and counts when already decoded (step-view.ts `userCounts`). */
export interface StepRead {
  blob: ArrayBuffer;
  uc?: Uint32Array;
}

/**
 * Reads funnel index lists in a worker thread, on a connection of its own, while the funnel walks
 * the days already read on the main thread: the first funnel on a new step set spends most of its
 * time in SQLite handing out the lists' bytes (docs/benchmarks.md), and that runs on the second
 * core meanwhile. Answers are the stored bytes (null: no such row, e.g. a key collected since).
 * `read` resolves undefined when the worker is unavailable, failed, or still starting (the first
 * read starts it; it is ready for the next funnel): the caller reads on its own connection then,
 * so a broken or booting worker costs speed, never an answer — and no request waits for a start.
 */
export interface StepReader {
  read(file: string, reqs: StepRequest[]): Promise<(StepRead | null)[] | undefined>;
  /**
   * Serves reads on `port` from now on: `{ i, file, reqs }` in, `{ i, out }` (or `{ i, error }`)
   * back on the port, the lists transferred to whoever holds its other end. False (and the port
   * unused) when the worker is unavailable or still starting.
   */
  attach(port: MessagePort): boolean;
  /** Starts the worker if needed; true once it is ready to read, false if it cannot be. */
  whenReady(): Promise<boolean>;
  close(): Promise<void>;
}

type Reply = { id: number; out?: (StepRead | null)[]; error?: string } | { ready: true };

export function createStepReader(): StepReader {
  let worker: Worker | undefined;
  let broken = false;
  let seq = 0;
  let pending = 0;
  let ready = false;
  let readyWaiters: ((ok: boolean) => void)[] = [];
  const settleReady = (ok: boolean) => {
    for (const f of readyWaiters) f(ok);
    readyWaiters = [];
  };
  const waiting = new Map<number, (out: (StepRead | null)[] | undefined) => void>();

  function start(): Worker {
    const here = import.meta.url;
    // Running from source (tsx, vitest): a plain-JS bootstrap loads the worker through tsx.
    const w = here.endsWith('.ts')
      ? new Worker(new URL('../shared/worker-boot.mjs', here), { workerData: { file: new URL('./step-reader-body.ts', here).href } })
      : new Worker(new URL('./step-reader-body.js', here));
    w.unref();
    w.on('message', (m: Reply) => {
      if ('ready' in m) {
        ready = true;
        settleReady(true);
        return;
      }
      const done = waiting.get(m.id);
      waiting.delete(m.id);
      done?.(m.error === undefined ? m.out : undefined);
    });
    const die = () => {
      broken = true;
      ready = false;
      settleReady(false);
      worker = undefined;
      for (const done of waiting.values()) done(undefined);
      waiting.clear();
    };
    w.on('error', die);
    w.on('exit', die);
    return w;
  }

  /** The worker, started if needed; undefined when it cannot be. */
  function ensure(): Worker | undefined {
    if (broken) return undefined;
    try {
      return (worker ??= start());
    } catch {
      broken = true;
      return undefined;
    }
  }

  return {
    async read(file, reqs) {
      const w = ensure();
      if (w === undefined || !ready) return undefined;
      const id = ++seq;
      // Referenced only while a read is out, so an idle worker never keeps the process alive.
      if (pending++ === 0) w.ref();
      try {
        return await new Promise<(StepRead | null)[] | undefined>((done) => {
          waiting.set(id, done);
          w.postMessage({ id, file, reqs });
        });
      } catch {
        waiting.delete(id);
        return undefined;
      } finally {
        if (--pending === 0) worker?.unref();
      }
    },
    attach(port) {
      const w = ensure();
      if (w === undefined || !ready) return false;
      w.postMessage({ attach: port }, [port]);
      return true;
    },
    whenReady() {
      if (ensure() === undefined) return Promise.resolve(false);
      if (ready) return Promise.resolve(true);
      return new Promise<boolean>((ok) => readyWaiters.push(ok));
    },
    async close() {
      const w = worker;
      worker = undefined;
      broken = true;
      ready = false;
      settleReady(false);
      if (w !== undefined) await w.terminate();
    },
  };
}

let shared: StepReader | undefined;

/** The process's step reader (one worker for every analytics instance; unref'd when idle). */
export function sharedStepReader(): StepReader {
  shared ??= createStepReader();
  return shared;
}
