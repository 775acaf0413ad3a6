import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../deps.js';
import { openLogReader, syncLogFs } from '../logstore/index.js';
import { lowerThisThread, statCpuSeconds } from '../shared/index.js';
import type { Checkpoint } from './checkpoint.js';
import type { TailLog } from './forwarder.js';
import { createForwardHub, type LocalForwardHub } from './hub.js';
import { STATUS_MS, type FromThread, type ThreadInit, type ToThread } from './thread-protocol.js';

/**
 * The forwarder thread (see thread.ts): the forwarders of every configured sink, reading the log
 * read-only up to the committed sizes the main thread sends with each append, so a group still
 * being written (or cut back after a failure) is never forwarded.
 */

const port = parentPort!;
const init = workerData as ThreadInit;
const post = (m: FromThread) => port.postMessage(m);

const logAt = (level: 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) =>
  // Through JSON: a field that cannot be cloned to another thread (an Error) still arrives as data.
  post({ t: 'log', level, msg, fields: fields === undefined ? undefined : (JSON.parse(JSON.stringify(fields)) as Record<string, unknown>) });
const logger: Logger = { info: logAt('info'), warn: logAt('warn'), error: logAt('error') };

// First of all: this thread yields the cores to ingestion's (ForwardConfig.priority). At saturation the
// forwarders otherwise kept the main thread waiting for a core a quarter of the time (its schedstat
// run delay: 20 → 250 ms per second in `pnpm bench forward`); their lag absorbs part of that now.
const priority = lowerThisThread(init.config.priority);
if (init.config.priority !== 0) logger.info('forward: forwarder thread priority', { priority: priority ?? 'unchanged (not Linux)' });

const sizes = new Map(init.sizes);
let seq = init.seq;
const listeners = new Set<(events: ArrayLike<unknown>) => void>();
let calls = 0;
const erasedAcks = new Map<number, (error?: string) => void>();

let resumeNow: (() => void) | undefined;
let pausing: Promise<unknown> | undefined;
let statusTimer: NodeJS.Timeout | undefined;

const applySizes = (list: [string, number][]) => {
  for (const [day, size] of list) {
    if (size < 0) sizes.delete(day);
    else sizes.set(day, size);
  }
};

// Registered before anything is awaited: appends that arrive while the forwarders load still move `seq`.
port.on('message', (m: ToThread) => {
  if (m.t === 'append') {
    applySizes(m.sizes);
    seq = m.seq;
    const events = { length: m.n };
    for (const l of listeners) l(events);
    return;
  }
  if (m.t === 'reply') {
    erasedAcks.get(m.id)?.(m.error);
    erasedAcks.delete(m.id);
    return;
  }
  void handle(m).then(
    (extra) => post({ t: 'reply', id: m.id, ...extra }),
    (err: unknown) => post({ t: 'reply', id: m.id, error: (err as Error).message }),
  );
});

const ready: Promise<LocalForwardHub> = (async () => {
  // syncLogFs: the reads run on this thread, at its lowered priority, not on libuv's pool shared with ingestion.
  const reader = await openLogReader({ dataDir: init.dataDir, logger, committedSize: (day) => sizes.get(day), fs: syncLogFs });
  const log: TailLog = {
    days: () => reader.days(),
    readChunksFrom: (day, from, chunk, check) => reader.readChunksFrom(day, from, chunk, check),
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const hub = await createForwardHub({
    config: init.config,
    dataDir: init.dataDir,
    log,
    clock: { now: () => Date.now() },
    logger,
    // Checkpoints, like the reads above, are written by this thread itself (see syncLogFs).
    fs: syncLogFs,
    // The audit log is the main thread's: the erasure counts as confirmed once it is written there.
    onErased: (sink, erasure) =>
      new Promise<void>((resolve, reject) => {
        const id = ++calls;
        erasedAcks.set(id, (error) => (error === undefined ? resolve() : reject(new Error(error))));
        post({ t: 'erased', id, sink, erasure });
      }),
  });
  if (!hub) throw new Error('forwarder thread started without a sink');
  await hub.start();
  let last = '';
  let lastCpu: number | undefined;
  statusTimer = setInterval(() => {
    const now = JSON.stringify(hub.status());
    const cpu = threadCpuSeconds();
    if (now === last && cpu === lastCpu) return;
    last = now;
    lastCpu = cpu;
    post({ t: 'status', status: { seq, sinks: hub.status(), cpuSeconds: cpu } });
  }, STATUS_MS);
  return hub;
})();

/** This thread's CPU seconds (utime + stime, in the kernel's 100 Hz ticks); undefined where /proc is not Linux's. */
function threadCpuSeconds(): number | undefined {
  try {
    return statCpuSeconds('/proc/thread-self/stat');
  } catch {
    return undefined;
  }
}

async function handle(m: Exclude<ToThread, { t: 'append' | 'reply' }>): Promise<Partial<Extract<FromThread, { t: 'reply' }>>> {
  const hub = await ready;
  switch (m.t) {
    case 'start':
      return { status: { seq, sinks: hub.status(), cpuSeconds: threadCpuSeconds() } };
    case 'pause': {
      if (pausing) throw new Error('forwarders already paused');
      const held = new Promise<{ sink: string; checkpoint: Checkpoint }[]>((paused) => {
        pausing = hub.paused(() => {
          paused(hub.checkpoints());
          return new Promise<void>((resume) => (resumeNow = resume));
        });
      });
      return { checkpoints: await held };
    }
    case 'set': {
      const cp = hub.checkpoints().find((c) => c.sink === m.sink)?.checkpoint;
      if (!cp) throw new Error(`no forwarder for sink ${m.sink}`);
      await hub.setCheckpoint(m.sink, { ...cp, day: m.day, offset: m.offset, events: m.events });
      return {};
    }
    case 'erasure':
      await hub.queueErasure(m.keys, m.subject, new Date(m.at));
      return {};
    case 'resume': {
      applySizes(m.sizes);
      resumeNow?.();
      resumeNow = undefined;
      await pausing;
      pausing = undefined;
      return { status: { seq, sinks: hub.status(), cpuSeconds: threadCpuSeconds() } };
    }
    case 'stop':
      clearInterval(statusTimer);
      resumeNow?.();
      await hub.stop();
      return {};
  }
}
