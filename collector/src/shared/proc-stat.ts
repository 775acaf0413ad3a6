import { readFileSync } from 'node:fs';

/**
 * Field `n` (numbered as in proc(5); n ≥ 3, the fields after the command name) of a Linux `stat` file: `/proc/<pid>/stat`,
 * `/proc/<pid>/task/<tid>/stat` or `/proc/thread-self/stat`. The command name (field 2) may hold
 * spaces and parentheses, so fields are counted after its last ") ". Throws where there is no /proc.
 */
export function statField(path: string, n: number): number {
  const stat = readFileSync(path, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[n - 3]);
}

/**
 * CPU seconds (utime + stime, fields 14 and 15) that a process or thread has used. The kernel counts
 * them in clock ticks, 100 per second on every Linux build Node supports (USER_HZ).
 */
export function statCpuSeconds(path: string): number {
  const stat = readFileSync(path, 'utf8');
  const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
