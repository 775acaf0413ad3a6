import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { statCpuSeconds, statField } from './proc-stat.js';

describe.runIf(process.platform === 'linux')('proc stat fields', () => {
  it('reads numbered fields of this process as proc(5) numbers them', () => {
    const path = `/proc/${process.pid}/stat`;
    expect(statField(path, 4)).toBe(process.ppid); // ppid
    expect(statField(path, 19)).toBe(getPriority()); // nice
    const cpu = process.cpuUsage();
    // utime + stime in 1/100 s ticks: within a tick or two of what Node reports.
    expect(Math.abs(statCpuSeconds(path) - (cpu.user + cpu.system) / 1e6)).toBeLessThan(0.05);
    expect(statField('/proc/thread-self/stat', 4)).toBe(process.ppid);
  });
});
