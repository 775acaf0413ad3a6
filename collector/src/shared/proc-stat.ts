import { readFileSync } from 'node:fs';

/**
 * The fields after the command name of a Linux `stat` file (`/proc/<pid>/stat`,
 * `/proc/<pid>/task/<tid>/stat`, `/proc/thread-self/stat`): index 0 is proc(5)'s field 3. The
 * command name (field 2) may hold spaces and parentheses, so they start after its last ") ".
 * Throws where there is no /proc.
 */
function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
}

/** Field `n` (numbered as in proc(5); n ≥ 3) of a Linux `stat` file. */
export function statField(path: string, n: number): number {
  return Number(statFields(path)[n - 3]);
}

/**
 * CPU seconds (utime + stime, fields 14 and 15) that a process or thread has used. The kernel counts
 * them in clock ticks, 100 per second on every Linux build Node supports (USER_HZ).
 */
export function statCpuSeconds(path: string): number {
  const f = statFields(path);
  return (Number(f[14 - 3]) + Number(f[15 - 3])) / 100;
}
