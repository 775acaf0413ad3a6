import { Worker } from 'node:worker_threads';

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
 * `read` resolves undefined when the worker is unavailable or failed: the caller reads on its own
 * connection then, so a broken worker costs speed, never an answer.
 */
export interface StepReader {
  read(file: string, reqs: StepRequest[]): Promise<(StepRead | null)[] | undefined>;
  close(): Promise<void>;
}

type Reply = { id: number; out?: (StepRead | null)[]; error?: string };

export function createStepReader(): StepReader {
  let worker: Worker | undefined;
  let broken = false;
  let seq = 0;
  let pending = 0;
  const waiting = new Map<number, (out: (StepRead | null)[] | undefined) => void>();

  function start(): Worker {
    const here = import.meta.url;
    // Running from source (tsx, vitest): a plain-JS bootstrap loads the worker through tsx.
    const w = here.endsWith('.ts')
      ? new Worker(new URL('../shared/worker-boot.mjs', here), { workerData: { file: new URL('./step-reader-body.ts', here).href } })
      : new Worker(new URL('./step-reader-body.js', here));
    w.unref();
    w.on('message', (m: Reply) => {
      const done = waiting.get(m.id);
      waiting.delete(m.id);
      done?.(m.error === undefined ? m.out : undefined);
    });
    const die = () => {
      broken = true;
      worker = undefined;
      for (const done of waiting.values()) done(undefined);
      waiting.clear();
    };
    w.on('error', die);
    w.on('exit', die);
    return w;
  }

  return {
    async read(file, reqs) {
      if (broken) return undefined;
      let w: Worker;
      try {
        w = worker ??= start();
      } catch {
        broken = true;
        return undefined;
      }
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
    async close() {
      const w = worker;
      worker = undefined;
      broken = true;
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
