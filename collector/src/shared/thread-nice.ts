import { readFileSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

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
    // "/proc/thread-self" links to "<pid>/task/<tid>" (Linux ≥ 3.17).
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}

/** A thread's niceness as the kernel reports it (`/proc/<pid>/task/<tid>/stat`, field 19); for tests and diagnostics. */
export function threadNice(pid: number, tid: number): number {
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing ") ".
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[16]);
}
