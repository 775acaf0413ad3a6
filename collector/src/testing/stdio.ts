import { vi } from 'vitest';

/** What a CLI command wrote: its JSON answer goes to stdout on success, to stderr on failure. */
export interface CapturedStdio {
  out: string;
  err: string;
}

/**
 * Captures process.stdout/stderr writes until `vi.restoreAllMocks()` (call it in afterEach), for the
 * CLI tests that run a command in-process and read what it printed.
 */
export function captureStdio(): CapturedStdio {
  const io = { out: '', err: '' };
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((io.out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((io.err += String(chunk)), true));
  return io;
}
