import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { SCHED_IDLE, threadNice, threadPolicy } from './thread-nice.js';

/** What the fixture thread asks for: each niceness in turn, SCHED_IDLE, or lowerThisThread's priority. */
type Ask = { nices: number[] } | { idle: true } | { lower: 'idle' | number };

/** A real worker thread that asks for `ask` (see thread-nice.fixture.ts); `end()` lets it exit. */
async function niceWorker(ask: Ask, env?: NodeJS.ProcessEnv): Promise<{ got: (string | number | boolean | undefined)[]; tid: number; end(): Promise<void> }> {
  const w = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
    workerData: { file: new URL('./thread-nice.fixture.ts', import.meta.url).href, ...ask },
    ...(env ? { env } : {}),
  });
  const m = await new Promise<{ got: (string | number | boolean | undefined)[]; tid: number }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  return { ...m, end: () => new Promise<void>((r) => (w.once('exit', () => r()), w.postMessage('end'))) };
}

const threads = () => readdirSync(`/proc/${process.pid}/task`).map(Number);

describe.runIf(process.platform === 'linux')('niceThisThread (Linux: one thread, not the process)', () => {
  it('lowers the calling thread only; the main thread and every other thread keep their priority', async () => {
    const base = threadNice(process.pid, process.pid);
    const before = new Map(threads().map((t) => [t, threadNice(process.pid, t)]));
    const w = await niceWorker({ nices: [Math.max(7, base)] });
    try {
      expect(w.got).toEqual([Math.max(7, base)]);
      expect(threadNice(process.pid, w.tid)).toBe(Math.max(7, base));
      expect(threadNice(process.pid, process.pid)).toBe(base);
      for (const t of threads()) if (t !== w.tid && before.has(t)) expect(threadNice(process.pid, t)).toBe(before.get(t));
    } finally {
      await w.end();
    }
  });

  it('never raises a thread that is already nicer (that would need privilege), and 0 changes nothing', async () => {
    const base = threadNice(process.pid, process.pid);
    const w = await niceWorker({ nices: [12, 5, 0] });
    try {
      const n = Math.max(12, base);
      expect(w.got).toEqual([n, n, n]);
      expect(threadNice(process.pid, w.tid)).toBe(n);
    } finally {
      await w.end();
    }
  });

  it('idleThisThread puts the calling thread alone under SCHED_IDLE (through chrt)', async () => {
    const before = new Map(threads().map((t) => [t, threadPolicy(process.pid, t)]));
    const w = await niceWorker({ idle: true });
    try {
      expect(w.got).toEqual([true]);
      expect(threadPolicy(process.pid, w.tid)).toBe(SCHED_IDLE);
      expect(threadPolicy(process.pid, process.pid)).toBe(before.get(process.pid));
      for (const t of threads()) if (t !== w.tid && before.has(t)) expect(threadPolicy(process.pid, t)).toBe(before.get(t));
    } finally {
      await w.end();
    }
  });

  it("lowerThisThread('idle') gives SCHED_IDLE, and niceness 19 where chrt cannot run", async () => {
    const idle = await niceWorker({ lower: 'idle' });
    try {
      expect(idle.got).toEqual(['SCHED_IDLE']);
      expect(threadPolicy(process.pid, idle.tid)).toBe(SCHED_IDLE);
    } finally {
      await idle.end();
    }
    const noChrt = await niceWorker({ lower: 'idle' }, { ...process.env, PATH: '/nonexistent' });
    try {
      expect(noChrt.got).toEqual([19]);
      expect(threadPolicy(process.pid, noChrt.tid)).not.toBe(SCHED_IDLE);
      expect(threadNice(process.pid, noChrt.tid)).toBe(19);
    } finally {
      await noChrt.end();
    }
  });
});
