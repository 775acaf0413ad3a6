import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/protocol';
import type { LogStore } from '../deps.js';
import { openLogStore, type OpenLogStore } from '../logstore/index.js';
import { generateLog } from '../synth/generate.js';
import { createRecordingLogger } from '../testing/index.js';
import { needleOf, scanDay } from './scan.js';
import { locateSubject } from './subject.js';

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

/** The same store without `eventsDir`: forces the parse-everything path. */
const slow = (l: LogStore): LogStore => ({ ...l, days: () => l.days(), readDay: (d) => l.readDay(d) });

async function someUsers(): Promise<string[]> {
  const text = await readFile(join(dataDir, 'events', '2026-11-20.ndjson'), 'utf8');
  return [...new Set([...text.matchAll(/"user_id":"([^"]+)"/g)].map((m) => m[1]!))].slice(0, 25);
}

describe('scanDay / locateSubject fast path', () => {
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
  });

  it('yields every matching line across chunk boundaries, in file order, and skips a torn tail', async () => {
    const [id] = await someUsers();
    const needle = needleOf(id!)!;
    const expected: StoredEvent[] = [];
    for await (const e of log.readDay('2026-11-19')) if (JSON.stringify(e).includes(`"${id}"`)) expected.push(e);
    await appendFile(join(dataDir, 'events', '2026-11-19.ndjson'), `{"event_id":"torn","user_id":"${id}"`);
    const got: StoredEvent[] = [];
    for await (const e of scanDay(join(dataDir, 'events'), '2026-11-19', [needle], 1000)) got.push(e);
    expect(got.map((e) => e.event_id)).toEqual(expected.map((e) => e.event_id));
  });

  it('takes the slow path for ids JSON would escape', () => {
    expect(needleOf('plain@example.com')).toEqual(Buffer.from('"plain@example.com"'));
    expect(needleOf('say "hi"')).toBeUndefined();
    expect(needleOf('back\\slash')).toBeUndefined();
    expect(needleOf('tab\there')).toBeUndefined();
  });
});
