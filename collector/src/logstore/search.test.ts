import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/protocol';
import type { LogStore } from '../deps.js';
import { openLogStore, type OpenLogStore } from './index.js';
import { generateLog } from '../synth/generate.js';
import { createRecordingLogger } from '../testing/index.js';
import { needleOf } from './id-lines.js';
import { searchDayFile } from './search.js';
import { nodeLogFs } from './fs.js';
import { locateSubject } from '../privacy/subject.js';

/** The byte search must find exactly what a full parse finds. */

let dataDir: string;
let log: OpenLogStore;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-scan-'));
  generateLog({ dataDir, days: 4, eventsPerDay: 1500, users: 400, seed: 'scan', end: '2026-11-20' });
  log = await openLogStore({ dataDir, fsync: 'off', logger: createRecordingLogger(), clock: { now: () => Date.parse('2026-11-20T23:00:00Z') } });
});
afterEach(async () => {
  await log.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The same store with a search that parses every line. */
const slow = (l: LogStore): LogStore => ({ ...l, days: () => l.days(), readDay: (d) => l.readDay(d), searchDay: (d) => l.readDay(d) });

async function someUsers(): Promise<string[]> {
  const text = await readFile(join(dataDir, 'events', '2026-11-20.ndjson'), 'utf8');
  return [...new Set([...text.matchAll(/"user_id":"([^"]+)"/g)].map((m) => m[1]!))].slice(0, 25);
}

describe('searchDay / locateSubject fast path', () => {
  it('finds the same links and days as parsing every line, for many people', async () => {
    const ids = await someUsers();
    expect(ids.length).toBe(25);
    let linked = 0;
    for (const id of ids) {
      const fast = await locateSubject(log, id);
      const full = await locateSubject(slow(log), id);
      expect(fast.days).toEqual(full.days);
      expect([...fast.subject.anonymousIds].sort()).toEqual([...full.subject.anonymousIds].sort());
      linked += fast.subject.anonymousIds.size - 1;
    }
    expect(linked).toBeGreaterThan(0);
    // 50 whole-log searches, half of them parsing every line: about 1–2 s alone, and it met vitest's
    // 5 s default on a machine shared with other test runs. A bound on a correctness check, not a timing.
  }, 30_000);

  it('yields every matching line across chunk boundaries, in file order; reports a torn tail and a corrupt line', async () => {
    const [id] = await someUsers();
    const expected: StoredEvent[] = [];
    for await (const e of log.readDay('2026-11-19')) if (JSON.stringify(e).includes(`"${id}"`)) expected.push(e);
    const file = join(dataDir, 'events', '2026-11-19.ndjson');
    await appendFile(file, `{"event_id":"cut","user_id":"${id}"\n{"event_id":"torn","user_id":"${id}"`);
    const corrupt: number[] = [];
    const torn: number[] = [];
    const report = { onCorrupt: (_f: string, line: number) => corrupt.push(line), onTornTail: (_f: string, bytes: number) => torn.push(bytes) };
    const got: StoredEvent[] = [];
    for await (const e of searchDayFile(nodeLogFs, join(dataDir, 'events'), '2026-11-19', [id!], () => undefined, report, 1000)) got.push(e);
    expect(got.map((e) => e.event_id)).toEqual(expected.map((e) => e.event_id));
    expect(corrupt).toEqual([1501]);
    expect(torn).toEqual([`{"event_id":"torn","user_id":"${id}"`.length]);
  });

  it('counts a corrupt line that names the person in the open store, like readDay does', async () => {
    const [id] = await someUsers();
    await log.close();
    const file = join(dataDir, 'events', '2026-11-19.ndjson');
    const first = (await readFile(file, 'utf8')).split('\n')[0]!;
    // Inside the file, not its last line: the start-up repair would cut a bad last line.
    await appendFile(file, `not json but "${id}"\n${first}\n`);
    log = await openLogStore({ dataDir, fsync: 'off', logger: createRecordingLogger(), clock: { now: () => Date.parse('2026-11-20T23:00:00Z') } });
    const before = log.stats().corruptLines;
    for await (const _ of log.searchDay('2026-11-19', [id!])) void _;
    expect(log.stats().corruptLines).toBe(before + 1);
  });

  it('takes the slow path for ids JSON would escape', () => {
    expect(needleOf('plain@example.com')).toEqual(Buffer.from('"plain@example.com"'));
    expect(needleOf('say "hi"')).toBeUndefined();
    expect(needleOf('back\\slash')).toBeUndefined();
    expect(needleOf('tab\there')).toBeUndefined();
  });
});
