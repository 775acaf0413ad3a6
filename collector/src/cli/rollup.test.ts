import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openLogStore } from '../logstore/index.js';
import { createRecordingLogger } from '../testing/index.js';
import { ev } from '../testing/rollup.js';
import { run } from './rollup.js';

let dir: string;
let out: string[];
let err: string[];
const saved = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-cli-rollup-'));
  // Port 1 on loopback: nothing answers, so the command opens the data dir itself.
  Object.assign(process.env, { TALLY_DATA_DIR: dir, TALLY_PORT: '1', TALLY_HOST: '127.0.0.1', TALLY_TZ: 'UTC', TALLY_LOG_LEVEL: 'silent' });
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...saved };
  rmSync(dir, { recursive: true, force: true });
});

async function logEvents(): Promise<void> {
  const log = await openLogStore({ dataDir: dir, fsync: 'off', logger: createRecordingLogger(), clock: { now: () => Date.now() } });
  await log.append([
    ev('2026-01-05T10:00:00Z', { user_id: 'a', received_at: '2026-01-05T10:00:00.000Z' }),
    ev('2026-01-06T10:00:00Z', { user_id: 'b', received_at: '2026-01-06T10:00:00.000Z' }),
  ]);
  await log.close();
}

const last = (lines: string[]) => JSON.parse(lines.at(-1)!);

describe('pnpm collector rollup', () => {
  it('rolls up every day that needs it, then nothing; --date and --rebuild recompute', async () => {
    await logEvents();
    expect(await run([])).toBe(0);
    expect(last(out)).toMatchObject({ ok: true, days: ['2026-01-05', '2026-01-06'], events: 2 });
    expect(await run([])).toBe(0);
    expect(last(out)).toMatchObject({ ok: true, days: [], events: 0 });
    expect(await run(['--date', '2026-01-05'])).toBe(0);
    expect(last(out)).toEqual({ ok: true, days: ['2026-01-05'] });
    process.env.TALLY_TZ = 'Asia/Tokyo';
    expect(await run(['--rebuild'])).toBe(0);
    expect(last(out)).toMatchObject({ ok: true, days: ['2026-01-05', '2026-01-06'], events: 2 });
  });

  it('answers bad flags with a JSON error on stderr and exit 2', async () => {
    for (const args of [['--date', '2026-13-01'], ['--date'], ['--nope'], ['--rebuild', '--date', '2026-01-01'], ['extra']]) {
      expect(await run(args), args.join(' ')).toBe(2);
      expect(last(err).ok).toBe(false);
    }
    expect(last(err).error).toContain('unexpected');
  });
});
