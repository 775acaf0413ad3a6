import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { sharedStepReader, type StepReader } from '../rollup/index.js';
import type { WalkState } from './funnel-walk.js';

/** The settled days of a funnel, to walk in the walker's thread (funnel-walker-body.ts). */
export interface WalkRequest {
  id: number;
  /** To the step reader (`StepReader.attach`): the lists come from there. */
  port: MessagePort;
  /** The database file the reader reads. */
  file: string;
  /** Which engine asks (versions count per engine): the walker's cached lists are keyed by it. */
  engine: number;
  /** Each step's funnel-index key; null = no event can match. */
  keys: ({ type: number; feature: number } | null)[];
  withinMs: number;
  /** Segment filters as [slot in the segment triple (0 app, 1 platform, 2 app_version), dictionary id]. */
  others: [number, number][];
  /** Users known (the state's first size). */
  size: number;
  /** In order; `v` = the day's version (lists are cached under it), `parts` = its `day_steps` keys. */
  days: { day: string; v: number; parts: string[] }[];
}

export type WalkReply = { id: number; state?: WalkState; error?: string };

/**
 * Walks the settled days of a funnel in a worker thread, over lists the step reader sends it
 * directly. The main thread gets the walk's state (a few MB) and nothing else: it is free for
 * requests meanwhile, and its heap never holds the lists. `walk` resolves undefined when either
 * thread is unavailable, failed or still starting (the first call starts it): the caller walks
 * in-process then, so a broken or booting walker costs speed, never an answer.
 */
export interface FunnelWalker {
  walk(reader: StepReader, req: Omit<WalkRequest, 'id' | 'port'>): Promise<WalkState | undefined>;
  /** Starts the worker if needed; true once it is ready, false if it cannot be. */
  whenReady(): Promise<boolean>;
  close(): Promise<void>;
}

export function createFunnelWalker(): FunnelWalker {
  let worker: Worker | undefined;
  let broken = false;
  let ready = false;
  let seq = 0;
  let pending = 0;
  let readyWaiters: ((ok: boolean) => void)[] = [];
  const waiting = new Map<number, (st: WalkState | undefined) => void>();
  const settleReady = (ok: boolean) => {
    for (const f of readyWaiters) f(ok);
    readyWaiters = [];
  };

  function start(): Worker {
    const here = import.meta.url;
    // Running from source (tsx, vitest): a plain-JS bootstrap loads the worker through tsx.
    const w = here.endsWith('.ts')
      ? new Worker(new URL('../shared/worker-boot.mjs', here), { workerData: { file: new URL('./funnel-walker-body.ts', here).href } })
      : new Worker(new URL('./funnel-walker-body.js', here));
    w.unref();
    w.on('message', (m: WalkReply | { ready: true }) => {
      if ('ready' in m) {
        ready = true;
        settleReady(true);
        return;
      }
      const done = waiting.get(m.id);
      waiting.delete(m.id);
      done?.(m.state);
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
    async walk(reader, req) {
      const w = ensure();
      if (w === undefined || !ready) return undefined;
      const { port1, port2 } = new MessageChannel();
      if (!reader.attach(port1)) {
        port1.close();
        port2.close();
        return undefined;
      }
      const id = ++seq;
      // Referenced only while a walk is out, so an idle worker never keeps the process alive.
      if (pending++ === 0) w.ref();
      try {
        return await new Promise<WalkState | undefined>((done) => {
          waiting.set(id, done);
          const msg: WalkRequest = { ...req, id, port: port2 };
          w.postMessage(msg, [port2]);
        });
      } finally {
        if (--pending === 0) worker?.unref();
      }
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

let shared: FunnelWalker | undefined;

/** The process's funnel walker (one worker for every analytics instance; unref'd when idle). */
export function sharedFunnelWalker(): FunnelWalker {
  shared ??= createFunnelWalker();
  return shared;
}

/**
 * Starts the funnel's two threads (the step reader and the walker) in the background: a funnel asked
 * before they are ready is read and walked in-process, so `serve` starts them first thing, and they
 * boot (≈ 1 s through tsx) while the log and the rollups open.
 */
export function startFunnelThreads(): void {
  void sharedStepReader().whenReady();
  void sharedFunnelWalker().whenReady();
}
