import { type TransferListItem, Worker } from 'node:worker_threads';

/**
 * A worker thread that is a speed-up, never a requirement (the funnel's step reader and walker):
 * started by the first use, it takes calls once it has said `{ ready: true }`. Before that, after
 * it died, or when it cannot start at all, a call resolves undefined at once and the caller does
 * the work on its own thread — slower, never a different answer, and no request waits for a start.
 * Referenced only while a call is out, so an idle worker never keeps the process alive.
 */
export interface OptionalWorker<Answer> {
  /** Posts `msg` with a fresh `id`; resolves with the answer to the reply carrying that id, or undefined. */
  call(msg: Record<string, unknown>, transfer?: readonly TransferListItem[]): Promise<Answer | undefined>;
  /** Posts without waiting for a reply; false (nothing sent) when the worker is not ready. */
  post(msg: unknown, transfer?: readonly TransferListItem[]): boolean;
  /** Starts the worker if needed; true when it takes calls now. */
  isReady(): boolean;
  /** Starts the worker if needed; true once it is ready, false if it cannot be. */
  whenReady(): Promise<boolean>;
  close(): Promise<void>;
}

/** A reply of the worker: to the call with this id. */
export type WorkerReply = { id: number } & Record<string, unknown>;

/**
 * `body`: the worker's module without its extension, e.g. `new URL('./step-reader-body', import.meta.url)`.
 * `answer`: the reply's answer, undefined when it reports a failure.
 */
export function createOptionalWorker<Answer>(body: URL, answer: (reply: WorkerReply) => Answer | undefined): OptionalWorker<Answer> {
  let worker: Worker | undefined;
  let broken = false;
  let ready = false;
  let seq = 0;
  let pending = 0;
  let readyWaiters: ((ok: boolean) => void)[] = [];
  const waiting = new Map<number, (a: Answer | undefined) => void>();
  const settleReady = (ok: boolean) => {
    for (const f of readyWaiters) f(ok);
    readyWaiters = [];
  };

  function start(): Worker {
    // Running from source (tsx, vitest): the plain-JS bootstrap loads the worker through tsx.
    const w = import.meta.url.endsWith('.ts')
      ? new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { file: `${body.href}.ts` } })
      : new Worker(new URL(`${body.href}.js`));
    w.unref();
    w.on('message', (m: WorkerReply | { ready: true }) => {
      if ('ready' in m) {
        ready = true;
        settleReady(true);
        return;
      }
      const done = waiting.get(m.id);
      waiting.delete(m.id);
      done?.(answer(m));
    });
    const die = () => {
      broken = true;
      ready = false;
      worker = undefined;
      settleReady(false);
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
    async call(msg, transfer) {
      const w = ensure();
      if (w === undefined || !ready) return undefined;
      const id = ++seq;
      if (pending++ === 0) w.ref();
      try {
        return await new Promise<Answer | undefined>((done) => {
          waiting.set(id, done);
          w.postMessage({ ...msg, id }, transfer);
        });
      } catch {
        waiting.delete(id);
        return undefined;
      } finally {
        if (--pending === 0) worker?.unref();
      }
    },
    post(msg, transfer) {
      const w = ensure();
      if (w === undefined || !ready) return false;
      w.postMessage(msg, transfer);
      return true;
    },
    isReady: () => ensure() !== undefined && ready,
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
