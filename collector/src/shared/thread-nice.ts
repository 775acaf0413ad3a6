import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { statField } from './proc-stat.js';

/** The kernel's number for the SCHED_IDLE policy (include/uapi/linux/sched.h). */
export const SCHED_IDLE = 5;

/** The calling thread's kernel id: "/proc/thread-self" links to "<pid>/task/<tid>" (Linux ≥ 3.17). */
export const ownTid = () => Number(readlinkSync('/proc/thread-self').split('/').pop());

/**
 * Lowers the calling thread's CPU priority to niceness `nice` (0–19) and returns the niceness it now
 * has, or undefined where that cannot be done for one thread.
 *
 * Why one thread: the collector's background threads (the forwarders) must yield to its main thread,
 * which answers senders. On Linux, setpriority(2) given a thread id changes that thread alone — a
 * documented departure from POSIX (setpriority(2), NOTES: "the nice value is a per-thread attribute").
 * Elsewhere (macOS, Windows) the same call with the process id would lower the whole collector, so
 * nothing is done. Only raises niceness (no privilege needed): a thread already nicer is left alone.
 */
export function niceThisThread(nice: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = ownTid();
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}

/**
 * Puts the calling thread under SCHED_IDLE: it never preempts a thread that wakes and is preempted
 * by any that does. Measured: at niceness 10 the forwarders' thread still preempted ingestion's main
 * thread ≈ 57 times a second (the EEVDF scheduler lets a low-weight thread that slept run first),
 * 35 ms of its 158 ms/s run delay (`perf sched`, docs/benchmarks.md). It is a weight (3 against a
 * niceness-0 thread's 1,024), not a strict priority: on a busy core the scheduler still gives it
 * short slices while a normal thread that was preempted waits (15 ms/s of the main thread's wait in
 * session 13's trace). Node has no sched_setscheduler(2); util-linux's `chrt`, part of every Debian,
 * Ubuntu and RHEL base system, sets it for a thread id (lowering needs no privilege). Returns whether
 * the kernel now reports the policy; false where `chrt` is missing or this is not Linux (callers
 * fall back to nice).
 */
export function idleThisThread(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = ownTid();
    execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5_000 });
    return threadPolicy(process.pid, tid) === SCHED_IDLE;
  } catch {
    return false;
  }
}

/** SCHED_IDLE, or a niceness 0–19. */
export type ThreadPriority = 'idle' | number;

/**
 * Lowers the calling thread to `priority`: SCHED_IDLE when asked and `chrt` can set it, else
 * niceness 19 (the nearest a niceness gets); a number is a niceness. Answers what the thread got —
 * 'SCHED_IDLE', a niceness — or undefined where nothing could be done for one thread (not Linux).
 */
export function lowerThisThread(priority: ThreadPriority): 'SCHED_IDLE' | number | undefined {
  if (priority === 'idle') return idleThisThread() ? 'SCHED_IDLE' : niceThisThread(19);
  return niceThisThread(priority);
}

/** A thread's scheduling policy as the kernel reports it (`/proc/<pid>/task/<tid>/stat`, field 41). */
export function threadPolicy(pid: number, tid: number): number {
  return statField(`/proc/${pid}/task/${tid}/stat`, 41);
}

/** A thread's niceness as the kernel reports it (`/proc/<pid>/task/<tid>/stat`, field 19); for tests and diagnostics. */
export function threadNice(pid: number, tid: number): number {
  return statField(`/proc/${pid}/task/${tid}/stat`, 19);
}
