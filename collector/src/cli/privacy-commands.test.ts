import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as erase } from './erase.js';
import { run as exportCmd } from './export.js';
import { run as generate } from './generate.js';
import { run as purge } from './purge.js';
import { captureStdio, type CapturedStdio } from '../testing/stdio.js';

/** The commands' exit codes and JSON output (stdout on success, stderr on failure). */

let dataDir: string;
let io: CapturedStdio;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-privacy-cli-'));
  io = captureStdio();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dataDir, { recursive: true, force: true });
});

describe('CLI flags', () => {
  it.each([
    [erase, [], '--user is required'],
    [erase, ['--user'], '--user needs a value'],
    [erase, ['--user', ''], 'user id must not be empty'],
    [erase, ['--user', 'x'.repeat(257)], 'user id must be at most 256 UTF-16 code units (got 257)'],
    [erase, ['--user', 'a', '--force'], 'unknown flag --force'],
    [exportCmd, ['alice'], 'unexpected argument "alice"'],
    [purge, ['--dry-run=yes'], '--dry-run takes no value'],
    [generate, ['--days', 'ninety'], '--days must be a whole number'],
    [generate, ['--days', '0'], '--days must be between 1 and 3650'],
    [generate, ['--end', '2026-02-30'], '--end must be a date YYYY-MM-DD'],
    [generate, ['--data-dir', ''], '--data-dir must not be empty'],
  ] as const)('%o %j exits 2 with a JSON error', async (cmd, args, message) => {
    expect(await cmd([...args])).toBe(2);
    expect(JSON.parse(io.err)).toEqual({ ok: false, error: message });
    expect(io.out).toBe('');
  });
});

it.each([erase, exportCmd, purge, generate])('--help prints usage on stdout and exits 0', async (cmd) => {
  expect(await cmd(['--help'])).toBe(0);
  expect(io.out).toMatch(/^usage: pnpm collector (erase|export|purge|generate)/);
  expect(io.err).toBe('');
});

describe('pnpm collector generate', () => {
  it('writes the day files and prints a JSON summary', async () => {
    const code = await generate(['--days', '3', '--events-per-day', '500', '--users', '200', '--data-dir', dataDir, '--end', '2026-11-20', '--seed', 's1']);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ ok: true, dataDir, days: 3, events: 1500 });
    expect(await readdir(join(dataDir, 'events'))).toEqual(['2026-11-18.ndjson', '2026-11-19.ndjson', '2026-11-20.ndjson']);
  });

  it('exits 1 with a JSON error rather than overwrite a day', async () => {
    const args = ['--days', '1', '--events-per-day', '10', '--users', '5', '--data-dir', dataDir, '--end', '2026-11-20'];
    expect(await generate(args)).toBe(0);
    io.out = '';
    expect(await generate(args)).toBe(1);
    expect(JSON.parse(io.err)).toEqual({ ok: false, error: `refusing to overwrite existing log file ${join(dataDir, 'events', '2026-11-20.ndjson')}` });
  });
});
