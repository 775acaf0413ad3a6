import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageUnavailableError } from '../deps.js';
import { LogLockedError } from './lock.js';
import { openLogReader } from './read-only.js';
import { openLogStore } from './store.js';
import { collect, event, memLogger, testDir } from '../testing/logstore.js';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');

function setup() {
  const t = { dir: testDir() };
  const logger = memLogger();
  const events = join(t.dir, 'events');
  const file = (day: string) => join(events, `${day}.ndjson`);
  return { dir: t.dir, events, logger, file, reader: () => openLogReader({ dataDir: t.dir, logger }) };
}

describe('openLogReader', () => {
  it('reads what a live writable store committed without taking its LOCK', async () => {
    const s = setup();
    const writer = await openLogStore({ dataDir: s.dir, fsync: 'always', logger: s.logger, clock: { now: () => NOW } });
    const a = event();
    await writer.append([a]);
    const reader = await s.reader();
    expect(await reader.days()).toEqual(['2026-11-20']);
    expect(await collect(reader.readDay('2026-11-20'))).toEqual([a]);
    await reader.close();
    // The writer still owns the directory: its lock file was neither taken over nor removed.
    expect(existsSync(join(s.events, 'LOCK'))).toBe(true);
    await writer.close();
  });

  it('writes nothing: a torn tail and a leftover temp file stay, the tail is reported and not read', async () => {
    const s = setup();
    mkdirSync(s.events, { recursive: true });
    const a = event();
    writeFileSync(s.file('2026-11-20'), `${JSON.stringify(a)}\n{"event_id":"torn`);
    const tmp = join(s.events, '.2026-11-20.ndjson.rewrite.tmp');
    writeFileSync(tmp, 'partial');
    const size = statSync(s.file('2026-11-20')).size;
    const reader = await s.reader();
    expect(await collect(reader.readDay('2026-11-20'))).toEqual([a]);
    expect(statSync(s.file('2026-11-20')).size).toBe(size);
    expect(existsSync(tmp)).toBe(true);
    expect(readdirSync(s.events).sort()).toEqual(['.2026-11-20.ndjson.rewrite.tmp', '2026-11-20.ndjson']);
    expect(reader.stats().corruptLines).toBe(0);
    expect(s.logger.lines.some((l) => l.level === 'warn' && l.msg.includes('unfinished line'))).toBe(true);
    await reader.close();
  });

  it('counts and logs a corrupt interior line', async () => {
    const s = setup();
    mkdirSync(s.events, { recursive: true });
    const a = event();
    const b = event();
    writeFileSync(s.file('2026-11-10'), `${JSON.stringify(a)}\nnot json\n${JSON.stringify(b)}\n`);
    const reader = await s.reader();
    expect(await collect(reader.readDay('2026-11-10'))).toEqual([a, b]);
    expect(reader.stats().corruptLines).toBe(1);
    expect(s.logger.lines.some((l) => l.level === 'warn' && l.msg.includes('does not parse'))).toBe(true);
  });

  it('with lock: true, holds the LOCK as a writer would and refuses while one holds it', async () => {
    const s = setup();
    const locked = await openLogReader({ dataDir: s.dir, logger: s.logger, lock: true });
    const clock = { now: () => NOW };
    await expect(openLogStore({ dataDir: s.dir, fsync: 'off', logger: s.logger, clock })).rejects.toBeInstanceOf(LogLockedError);
    await locked.close();
    expect(existsSync(join(s.events, 'LOCK'))).toBe(false);
    const writer = await openLogStore({ dataDir: s.dir, fsync: 'off', logger: s.logger, clock });
    await expect(openLogReader({ dataDir: s.dir, logger: s.logger, lock: true })).rejects.toBeInstanceOf(LogLockedError);
    await writer.close();
  });

  it('refuses every write and treats a missing log as empty', async () => {
    const s = setup();
    const reader = await s.reader();
    expect(reader.writable()).toBe(false);
    expect(await reader.days()).toEqual([]);
    expect(await collect(reader.readDay('2026-11-20'))).toEqual([]);
    await expect(reader.append([event()])).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(reader.rewriteDay('2026-11-20', () => true)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(reader.deleteDay('2026-11-20')).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(existsSync(s.events)).toBe(false);
  });

  it('reads lines that straddle read chunks, multi-byte text and a line longer than a chunk', async () => {
    const s = setup();
    mkdirSync(s.events, { recursive: true });
    const evs = Array.from({ length: 14_000 }, (_, i) => event({ metadata: { note: `é€😀 ${i}` } }));
    // 5 MiB in one line: longer than one 4 MiB read.
    evs.splice(7000, 0, event({ metadata: { big: 'x'.repeat(5 << 20) } }));
    writeFileSync(s.file('2026-11-20'), evs.map((e) => `${JSON.stringify(e)}\n`).join(''));
    expect(statSync(s.file('2026-11-20')).size).toBeGreaterThan(8 << 20);
    const reader = await s.reader();
    const got = await collect(reader.readDay('2026-11-20'));
    expect(got.length).toBe(evs.length);
    expect(got).toEqual(evs);
    expect(reader.stats().corruptLines).toBe(0);
  });
});
