import type { Checkpoint, PendingErasure } from './checkpoint.js';
import type { ForwardConfig } from './config.js';
import type { ForwarderStatus } from './forwarder.js';

/** What the forwarder thread starts with (`workerData`). */
export interface ThreadInit {
  config: ForwardConfig;
  dataDir: string;
  /** Committed sizes of the day files open for appends when the thread starts. */
  sizes: [day: string, size: number][];
  /** Events appended so far (the `seq` of the next append message continues from it). */
  seq: number;
}

/** Main thread → forwarder thread. `id` pairs a request with its reply. */
export type ToThread =
  /** Events committed to the log since the last message, and the new committed sizes of their day files. `seq`: events appended in total. */
  | { t: 'append'; n: number; seq: number; sizes: [string, number][] }
  /** Answered once the forwarders loaded their checkpoints and run (or failed to). */
  | { t: 'start'; id: number }
  | { t: 'pause'; id: number }
  /** Moves a paused sink's position (the erasure rewrote its day file); its pending erasures stay as they are in the thread. */
  | { t: 'set'; id: number; sink: string; day: string; offset: number; events: number }
  | { t: 'erasure'; id: number; keys: string[]; subject: string; at: string }
  /** `sizes`: rewritten days' committed sizes, -1 when not open for appends (the file's size is final). */
  | { t: 'resume'; id: number; sizes: [string, number][] }
  | { t: 'stop'; id: number }
  | { t: 'reply'; id: number; error?: string };

/** Forwarder thread → main thread. */
export type FromThread =
  | { t: 'reply'; id: number; error?: string; checkpoints?: { sink: string; checkpoint: Checkpoint }[]; status?: ThreadStatus }
  /** Pushed when it changed (at most every STATUS_MS) and in replies. */
  | { t: 'status'; status: ThreadStatus }
  /** A sink confirmed an erasure: the main thread writes the audit log, then replies. */
  | { t: 'erased'; id: number; sink: string; erasure: PendingErasure }
  | { t: 'log'; level: 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> };

/** The forwarders' statuses as of the `seq`-th appended event (the main thread adds what came since). */
export interface ThreadStatus {
  seq: number;
  sinks: ForwarderStatus[];
  /** CPU seconds the forwarder thread has used (Linux: /proc/thread-self); undefined elsewhere. */
  cpuSeconds?: number | undefined;
}

export const STATUS_MS = 200;
