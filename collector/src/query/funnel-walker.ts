import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { createOptionalWorker } from '../shared/index.js';
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
  const w = createOptionalWorker(new URL('./funnel-walker-body', import.meta.url), (m) => (m as WalkReply).state);
  return {
    async walk(reader, req) {
      // Ready first: a port attached to the reader for a walker that is not there would be wasted.
      if (!w.isReady()) return undefined;
      const { port1, port2 } = new MessageChannel();
      if (!reader.attach(port1)) {
        port1.close();
        port2.close();
        return undefined;
      }
      return w.call({ ...req, port: port2 }, [port2]);
    },
    whenReady: () => w.whenReady(),
    close: () => w.close(),
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
