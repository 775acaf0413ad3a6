import { Worker } from 'node:worker_threads';
import { encodeJob, type EncodeJob, type Encoded } from './encode.js';

/**
 * Runs rollup encoding (encode.ts) in a worker thread, so a rollup of a large day does not hold
 * the event loop: ingestion and queries go on while the rows are merged, sorted and encoded. One
 * worker, started on first use and kept (a rollup runs at a time); `close()` ends it. If the worker
 * cannot be started or dies, the job runs in-process instead — slower for the event loop, never
 * wrong.
 */
export interface Encoder {
  encode(jobs: EncodeJob[]): Promise<Encoded[]>;
  close(): Promise<void>;
}

export function createEncoder(onFallback: (error: string) => void = () => {}): Encoder {
  let worker: Worker | undefined;
  let broken = false;
  let seq = 0;
  let pending = 0;
  const waiting = new Map<number, { ok: (v: Encoded[]) => void; fail: (e: Error) => void }>();

  function start(): Worker {
    const here = import.meta.url;
    // Running from source (tsx, vitest): a plain-JS bootstrap loads the worker through tsx.
    const w = here.endsWith('.ts')
      ? new Worker(new URL('./encode-worker-boot.mjs', here), { workerData: { file: new URL('./encode-worker.ts', here).href } })
      : new Worker(new URL('./encode-worker.js', here));
    w.unref();
    w.on('message', (m: { id: number; out?: Encoded[]; error?: string }) => {
      const p = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error !== undefined) p?.fail(new Error(m.error));
      else p?.ok(m.out!);
    });
    const die = (err: Error) => {
      broken = true;
      worker = undefined;
      for (const p of waiting.values()) p.fail(err);
      waiting.clear();
    };
    w.on('error', die);
    w.on('exit', (code) => code !== 0 && die(new Error(`rollup worker exited with ${code}`)));
    return w;
  }

  return {
    async encode(jobs) {
      if (jobs.length === 0) return [];
      if (!broken) {
        try {
          worker ??= start();
          const id = ++seq;
          const w = worker;
          // Referenced only while a job is out, so an idle worker never keeps the process alive.
          if (pending++ === 0) w.ref();
          return await new Promise<Encoded[]>((ok, fail) => {
            waiting.set(id, { ok, fail });
            w.postMessage({ id, jobs });
          }).finally(() => {
            if (--pending === 0) w.unref();
          });
        } catch (err) {
          broken = true;
          onFallback(err instanceof Error ? err.message : String(err));
        }
      }
      return jobs.map(encodeJob);
    },
    async close() {
      const w = worker;
      worker = undefined;
      broken = true;
      if (w !== undefined) await w.terminate();
    },
  };
}

let shared: Encoder | undefined;

/**
 * The process's encoder: one worker for every analytics instance (tests and CLI commands open
 * several), unref'd so it never keeps the process alive. Fallbacks are reported through `onFallback`
 * of the first caller.
 */
export function sharedEncoder(onFallback?: (error: string) => void): Encoder {
  shared ??= createEncoder(onFallback);
  return shared;
}
