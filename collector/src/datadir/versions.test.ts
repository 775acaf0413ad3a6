import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDataDir, DataDirTooNewError, PART_VERSIONS, VERSION_FILE } from './versions.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-versions-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const read = () => JSON.parse(readFileSync(join(dir, VERSION_FILE), 'utf8')) as unknown;

describe('checkDataDir', () => {
  it('records the current versions in a new directory, only when writing', async () => {
    await checkDataDir(dir, { write: false });
    expect(() => read()).toThrow(/ENOENT/);
    await checkDataDir(dir, { write: true });
    expect(read()).toEqual({ format: 'tally-data-dir', parts: PART_VERSIONS });
  });

  it('keeps parts it does not know (written by a newer collector that added a part)', async () => {
    writeFileSync(join(dir, VERSION_FILE), JSON.stringify({ format: 'tally-data-dir', parts: { events: 1, rollup_worker: 7 } }));
    await checkDataDir(dir, { write: true });
    expect(read()).toEqual({ format: 'tally-data-dir', parts: { ...PART_VERSIONS, rollup_worker: 7 } });
  });

  it('refuses a newer part, naming it', async () => {
    writeFileSync(join(dir, VERSION_FILE), JSON.stringify({ format: 'tally-data-dir', parts: { events: 9, audit: 1 } }));
    const err = await checkDataDir(dir, { write: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirTooNewError);
    expect((err as DataDirTooNewError).problems).toEqual([`events format 9, this collector reads up to ${PART_VERSIONS.events}`]);
  });

  it.each([
    ['not json', /is not JSON/],
    ['{"format":"other","parts":{}}', /is not a Tally data-version file/],
    ['{"format":"tally-data-dir","parts":{"events":"1"}}', /part events has no valid version/],
  ])('refuses a damaged file: %s', async (text, message) => {
    writeFileSync(join(dir, VERSION_FILE), text);
    await expect(checkDataDir(dir, { write: true })).rejects.toThrow(message);
  });
});
