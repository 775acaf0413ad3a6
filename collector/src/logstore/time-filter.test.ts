import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { StoredEvent } from '@tally/protocol';
import { openLogStore } from './store.js';
import { lineTimeDate } from './time-filter.js';
import { collect, event, memLogger, NOW, tempDir } from '../testing/logstore.js';

const dateOf = (line: string) => lineTimeDate(Buffer.from(line), 0, Buffer.byteLength(line));

describe('lineTimeDate', () => {
  it("reads the top-level time of a line as the collector writes it", () => {
    expect(dateOf(JSON.stringify(event({ time: '2026-11-18T23:59:59.999Z', url: '/a' })))).toBe('2026-11-18');
  });

  it('is never fooled by a time inside a string or a nested object: it answers undefined (parse the line) instead', () => {
    // An escaped look-alike in a value before the key: not a key, the real time is found.
    const inString = `{"event_id":"x","event_type":"a","ts":"\\"time\\":\\"1999-01-01T00:00:00.000Z\\"","time":"2026-11-18T10:00:00.000Z","received_at":"r"}`;
    expect(dateOf(inString)).toBe('2026-11-18');
    // A nested object first (another writer's key order): its "time" could be mistaken, so no answer.
    const nested = `{"event_id":"x","metadata":{"time":"1999-01-01T00:00:00.000Z"},"time":"2026-11-18T10:00:00.000Z","received_at":"r"}`;
    expect(dateOf(nested)).toBeUndefined();
    // A brace inside a string before the key is only suspicious, but suspicion is enough.
    expect(dateOf(`{"event_id":"{x","time":"2026-11-18T10:00:00.000Z","received_at":"r"}`)).toBeUndefined();
    // A top-level key that ends in an escaped `"time`: its value is no event time.
    const escapedKey = `{"event_id":"x","a\\"time":"1999-01-01T00:00:00.000Z","time":"2026-11-18T10:00:00.000Z","received_at":"r"}`;
    expect(JSON.parse(escapedKey)).toHaveProperty('a"time');
    expect(dateOf(escapedKey)).toBeUndefined();
    // No time key, or a time that is not toISOString text.
    expect(dateOf(`{"event_id":"x","received_at":"r"}`)).toBeUndefined();
    expect(dateOf(`{"event_id":"x","time":"2026-11-18T10:00:00Z","received_at":"r"}`)).toBeUndefined();
    expect(dateOf(`{"event_id":"x","time":"2026-11-18"}`)).toBeUndefined();
  });
});

describe('readDay with utcDates', () => {
  it('yields every event on the dates (and any line it cannot judge), skips the others unparsed', async () => {
    const t = tempDir();
    onTestFinished(t.cleanup);
    const times = ['2026-11-17T23:59:59.999Z', '2026-11-18T00:00:00.000Z', '2026-11-18T12:00:00.000Z', '2026-11-19T00:00:00.000Z', '2026-11-20T10:00:00.000Z', '2026-11-16T10:00:00.000Z'];
    const evs: StoredEvent[] = [];
    for (let i = 0; i < 600; i++) {
      const over: Partial<StoredEvent> = { time: times[i % times.length]!, user_id: `u${i}` };
      // Nested objects and strings that mention time, in places a careless scan would trip on.
      if (i % 7 === 0) over.metadata = { time: '2026-11-18T00:00:00.000Z', note: '"time":"2026-11-18' };
      if (i % 11 === 0) over.url = `/x?time="2026-11-18T01:00:00.000Z"{[`;
      evs.push(event(over));
    }
    const lines = evs.map((e) => JSON.stringify(e));
    // Lines of another writer: the nested object comes first, so each must be parsed and judged.
    const foreign = [`{"event_id":"f1","metadata":{"time":"2026-11-18T00:00:00.000Z"},"event_type":"a","ts":"t","time":"2026-11-16T09:00:00.000Z","received_at":"2026-11-20T09:00:00.000Z"}`];
    mkdirSync(join(t.dir, 'events'), { recursive: true });
    writeFileSync(join(t.dir, 'events', '2026-11-20.ndjson'), `${[...lines.slice(0, 300), ...foreign, '{broken', ...lines.slice(300)].join('\n')}\n`);
    const log = await openLogStore({ dataDir: t.dir, fsync: 'always', logger: memLogger(), clock: { now: () => NOW } });
    onTestFinished(() => log.close());

    const wanted = new Set(['2026-11-18', '2026-11-19']);
    const got = await collect(log.readDay('2026-11-20', wanted));
    const all = await collect(log.readDay('2026-11-20'));
    expect(all).toHaveLength(601);
    const onDates = all.filter((e) => wanted.has(e.time.slice(0, 10)));
    // Never fewer than the events on the dates, in file order; the only extra is the foreign line.
    expect(got.filter((e) => wanted.has(e.time.slice(0, 10)))).toEqual(onDates);
    expect(got.filter((e) => !wanted.has(e.time.slice(0, 10))).map((e) => e.event_id)).toEqual(['f1']);
    expect(onDates.length).toBe(300);
  });
});
