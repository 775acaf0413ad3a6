import type { MessagePort } from 'node:worker_threads';
import { createOptionalWorker } from '../shared/index.js';

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

export function createStepReader(): StepReader {
  const w = createOptionalWorker(new URL('./step-reader-body', import.meta.url), (m) => (m.error === undefined ? (m.out as (StepRead | null)[]) : undefined));
  return {
    read: (file, reqs) => w.call({ file, reqs }),
    attach: (port) => w.post({ attach: port }, [port]),
    whenReady: () => w.whenReady(),
    close: () => w.close(),
  };
}

let shared: StepReader | undefined;

/** The process's step reader (one worker for every analytics instance; unref'd when idle). */
export function sharedStepReader(): StepReader {
  shared ??= createStepReader();
  return shared;
}
