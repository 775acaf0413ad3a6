import { afterEach, describe, expect, it } from 'vitest';
import { openLogStore, type OpenLogStore } from '../logstore/index.js';
import { event, memLogger, testDir } from '../testing/logstore.js';
import { createSharedReader, type RecordSource, type TailRecord } from './shared-reader.js';

/** The reader every sink of a hub shares: each line read and parsed once, whoever asks first. */

const DAY = '2026-11-20';
const NOW = Date.parse('2026-11-20T12:00:00.000Z');
let log: OpenLogStore | undefined;
afterEach(async () => {
  await log?.close();
  log = undefined;
});

async function setup(n: number) {
  log = await openLogStore({ dataDir: testDir(), fsync: 'off', logger: memLogger(), clock: { now: () => NOW } });
  const events = Array.from({ length: n }, () => event());
  await log.append(events);
  const reads: number[] = [];
  const store = log;
  // Counts the reads that reach the log (one per call of its reader).
  const source: RecordSource = {
    readChunksFrom(day, from, chunk, check) {
      reads.push(from);
      return store.readChunksFrom(day, from, chunk, check);
    },
  };
  return { events, reads, source };
}

const ids = (rs: TailRecord[]) => rs.map((r) => (JSON.parse(r.line.toString('utf8', r.at, r.at + r.len)) as { event_id: string }).event_id);

describe('shared reader', () => {
  it('serves a second sink at the same place from what the first one read', async () => {
    const { events, reads, source } = await setup(30);
    const r = createSharedReader(source, 100);
    const a = await r.read(DAY, 0, 10);
    const b = await r.read(DAY, 0, 10);
    expect(ids(a)).toEqual(events.slice(0, 10).map((e) => e.event_id));
    expect(b).toEqual(a);
    expect(reads).toEqual([0]);
    // The next batch of either sink is in the window already: a read keeps every line of the chunk
    // it scanned, not only the batch asked for (the 30 lines are one chunk).
    const a2 = await r.read(DAY, a[9]!.end, 15);
    const b2 = await r.read(DAY, b[9]!.end, 15);
    expect(ids(a2)).toEqual(events.slice(10, 25).map((e) => e.event_id));
    expect(b2).toEqual(a2);
    expect(reads).toEqual([0]);
  });

  it('a sink behind the window reads on its own and gets exactly its records', async () => {
    const { events, reads, source } = await setup(40);
    const r = createSharedReader(source, 5);
    let at = 0;
    for (let i = 0; i < 4; i++) {
      const got = await r.read(DAY, at, 6);
      at = got[got.length - 1]!.end;
    }
    // The window keeps at most 2 × 5 records now; the start of the day is behind it.
    const behind = await r.read(DAY, 0, 8);
    expect(ids(behind)).toEqual(events.slice(0, 8).map((e) => e.event_id));
    const before = reads.length;
    const tail = await r.read(DAY, at, 100);
    expect(ids(tail)).toEqual(events.slice(24).map((e) => e.event_id));
    expect(reads.length).toBe(before + 1);
  });

  it('after reset, reads see the file as it is now (an erasure rewrote it)', async () => {
    const { events, source } = await setup(6);
    const r = createSharedReader(source, 100);
    await r.read(DAY, 0, 6);
    const gone = new Set(events.filter((_, i) => i % 2 === 0).map((e) => e.event_id));
    await log!.rewriteDay(DAY, (e) => !gone.has(e.event_id));
    r.reset();
    expect(ids(await r.read(DAY, 0, 6))).toEqual(events.filter((e) => !gone.has(e.event_id)).map((e) => e.event_id));
  });
});
