import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { StorageUnavailableError } from '../deps.js';
import { openLogStore, type LogStoreOptions } from './store.js';
import { collect, errno, event, memLogger, spyFs, tempDir } from '../testing/logstore.js';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function setup(over: Partial<LogStoreOptions> = {}) {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const logger = memLogger();
  const clock = { ms: NOW, now: () => clock.ms };
  const open = (more: Partial<LogStoreOptions> = {}) =>
    openLogStore({ dataDir: t.dir, fsync: 'always', logger, clock, ...over, ...more });
  const file = (day: string) => join(t.dir, 'events', `${day}.ndjson`);
  const lines = (day: string) => readFileSync(file(day), 'utf8').split('\n');
  return { dir: t.dir, logger, clock, open, file, lines };
}

describe('append', () => {
  it('writes one JSON line per event into the file of its UTC receipt day', async () => {
    const s = setup();
    const log = await s.open();
    const a = event({ received_at: '2026-11-19T23:59:59.999Z' });
    const b = event({ received_at: '2026-11-20T00:00:00.000Z' });
    const r = await log.append([a, b]);
    expect(r).toEqual({ logged: [a, b], duplicates: 0 });
    expect(s.lines('2026-11-19')).toEqual([JSON.stringify(a), '']);
    expect(s.lines('2026-11-20')).toEqual([JSON.stringify(b), '']);
    expect(await log.days()).toEqual(['2026-11-19', '2026-11-20']);
    expect(await collect(log.readDay('2026-11-20'))).toEqual([b]);
    expect(await collect(log.readDay('2026-01-01'))).toEqual([]);
    await log.close();
  });

  it('writes one append spanning four receipt days (a backfill) and keeps only two files open after', async () => {
    const s = setup();
    const log = await s.open();
    const days = ['2026-11-14', '2026-11-15', '2026-11-16', '2026-11-17'];
    const evs = days.map((d) => event({ received_at: `${d}T08:00:00.000Z` }));
    expect(await log.append(evs)).toEqual({ logged: evs, duplicates: 0 });
    days.forEach((d, i) => expect(s.lines(d)).toEqual([JSON.stringify(evs[i]), '']));
    // The files closed after the group still take the next append to their day.
    const late = event({ received_at: '2026-11-14T09:00:00.000Z' });
    await log.append([late]);
    expect(s.lines('2026-11-14')).toEqual([JSON.stringify(evs[0]), JSON.stringify(late), '']);
    await log.close();
  });

  it('coalesces concurrent appends into one write and one fdatasync per group', async () => {
    const spy = spyFs();
    const s = setup({ fs: spy.fs });
    const log = await s.open();
    const batches = Array.from({ length: 40 }, () => Array.from({ length: 5 }, () => event()));
    const results = await Promise.all(batches.map((b) => log.append(b)));
    results.forEach((r, i) => expect(r.logged).toEqual(batches[i]));
    expect(spy.calls.fdatasync).toBe(1);
    expect(spy.calls.write).toBe(1);
    expect(log.stats().groups).toBe(1);
    expect(s.lines('2026-11-20').length - 1).toBe(200);
    await log.close();
  });

  it('resolves only after the fdatasync of its group has completed', async () => {
    const spy = spyFs();
    const s = setup({ fs: spy.fs });
    const log = await s.open();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let synced = false;
    spy.hooks.fdatasync = async (fd) => {
      await gate;
      spy.hooks.fdatasync = undefined;
      await spy.fs.fdatasync(fd);
      synced = true;
    };
    let resolved = false;
    const p = log.append([event()]).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(resolved).toBe(false);
    release();
    await p;
    expect(synced).toBe(true);
    await log.close();
  });

  it('batches arriving during an fsync form the next group together', async () => {
    const spy = spyFs();
    const s = setup({ fs: spy.fs });
    const log = await s.open();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    spy.hooks.fdatasync = () => gate;
    const first = log.append([event()]);
    await new Promise((r) => setTimeout(r, 20));
    const rest = Array.from({ length: 10 }, () => log.append([event(), event()]));
    spy.hooks.fdatasync = undefined;
    release();
    await Promise.all([first, ...rest]);
    expect(log.stats().groups).toBe(2);
    expect(spy.calls.fdatasync).toBe(2);
    await log.close();
  });

  it('calls onAppend listeners with the stored events only, after durability', async () => {
    const spy = spyFs();
    const s = setup({ fs: spy.fs });
    const log = await s.open();
    const seen: { ids: string[]; syncs: number }[] = [];
    const off = log.onAppend((evs) => seen.push({ ids: evs.map((e) => e.event_id), syncs: spy.calls.fdatasync }));
    const a = event();
    await log.append([a, { ...a }]);
    await log.append([a]);
    off();
    await log.append([event()]);
    expect(seen).toEqual([{ ids: [a.event_id], syncs: 1 }]);
    await log.close();
  });

  it('feeds onFsync with the seconds each fdatasync took', async () => {
    const secs: number[] = [];
    const s = setup({ onFsync: (x) => secs.push(x) });
    const log = await s.open();
    await log.append([event()]);
    expect(secs).toHaveLength(1);
    expect(secs[0]).toBeGreaterThanOrEqual(0);
    await log.close();
  });

  it('rejects appends after close and flushes on close', async () => {
    const s = setup();
    const log = await s.open();
    const p = log.append([event()]);
    await log.close();
    await expect(p).resolves.toMatchObject({ duplicates: 0 });
    await expect(log.append([event()])).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(log.writable()).toBe(false);
  });

  it('rejects a call whose received_at is not a time, without affecting others in the group', async () => {
    const s = setup();
    const log = await s.open();
    const good = event();
    const [bad, ok] = await Promise.allSettled([log.append([event({ received_at: 'yesterday' })]), log.append([good])]);
    expect(bad.status).toBe('rejected');
    expect(ok).toMatchObject({ status: 'fulfilled', value: { logged: [good] } });
    await log.close();
  });
});

describe('fsync policies', () => {
  it('interval: resolves after the write and fsyncs within about a second', async () => {
    const spy = spyFs();
    const s = setup({ fs: spy.fs, fsync: 'interval' });
    const log = await s.open();
    await log.append([event()]);
    expect(spy.calls.fdatasync).toBe(0);
    await new Promise((r) => setTimeout(r, 1300));
    expect(spy.calls.fdatasync).toBe(1);
    await log.close();
  });

  it('off: never fsyncs', async () => {
    const spy = spyFs();
    const s = setup({ fs: spy.fs, fsync: 'off' });
    const log = await s.open();
    await log.append([event()]);
    await log.close();
    expect(spy.calls.fdatasync).toBe(0);
    expect(s.lines('2026-11-20')).toHaveLength(2);
  });
});

describe('dedup', () => {
  it('counts repeats within one batch and across concurrent batches, storing each id once', async () => {
    const s = setup();
    const log = await s.open();
    const a = event();
    const b = event();
    const [r1, r2, r3] = await Promise.all([
      log.append([a, { ...a }, b]),
      log.append([{ ...b }, event({ event_id: a.event_id })]),
      log.append([{ ...a }]),
    ]);
    expect(r1).toEqual({ logged: [a, b], duplicates: 1 });
    expect(r2).toMatchObject({ logged: [], duplicates: 2 });
    expect(r3).toMatchObject({ logged: [], duplicates: 1 });
    expect(s.lines('2026-11-20')).toHaveLength(3);
    await log.close();
  });

  it('survives a restart: the index is rebuilt from the recent files', async () => {
    const s = setup();
    const log = await s.open();
    const a = event();
    const custom = event({ event_id: 'not-a-uuid-42' });
    await log.append([a, custom]);
    await log.close();
    const again = await s.open();
    const r = await again.append([{ ...a }, { ...custom }, event()]);
    expect(r.duplicates).toBe(2);
    expect(r.logged).toHaveLength(1);
    expect(again.stats().dedupIds).toBe(3);
    await again.close();
  });

  it('rebuilds from lines in any key order and with escaped ids (full-parse fallback)', async () => {
    const s = setup();
    mkdirSync(join(s.dir, 'events'), { recursive: true });
    const reordered = { received_at: '2026-11-20T09:00:00.000Z', event_id: 'reordered', event_type: 'action', ts: 'x', time: 'x' };
    const escaped = event({ event_id: 'quote"and\\backslash' });
    writeFileSync(s.file('2026-11-20'), `${JSON.stringify(reordered)}\n${JSON.stringify(escaped)}\n`);
    const log = await s.open();
    const r = await log.append([event({ event_id: 'reordered' }), event({ event_id: escaped.event_id })]);
    expect(r).toMatchObject({ logged: [], duplicates: 2 });
    await log.close();
  });

  it('forgets ids older than 48 hours, also after a restart', async () => {
    const s = setup();
    const log = await s.open();
    const old = event({ received_at: '2026-11-18T11:00:00.000Z' });
    const recent = event({ received_at: '2026-11-18T12:30:00.000Z' });
    await log.append([old, recent]);
    await log.close();
    s.clock.ms = Date.parse('2026-11-20T12:00:00.000Z');
    const again = await s.open();
    const r = await again.append([{ ...old, received_at: '2026-11-20T12:00:00.000Z' }, { ...recent }]);
    expect(r.logged.map((e) => e.event_id)).toEqual([old.event_id]);
    expect(r.duplicates).toBe(1);
    await again.close();
  });
});

describe('start-up repair', () => {
  it('cuts a torn last line and an unparsable last line, logs it, and never reads them', async () => {
    const s = setup();
    const a = event();
    const b = event();
    mkdirSync(join(s.dir, 'events'), { recursive: true });
    const good = `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`;
    writeFileSync(s.file('2026-11-20'), `${good}{"event_id":"x","rece`);
    writeFileSync(s.file('2026-11-19'), `${JSON.stringify(a)}\n\u0000\u0000garbage\n`);
    const log = await s.open();
    expect(readFileSync(s.file('2026-11-20'), 'utf8')).toBe(good);
    expect(readFileSync(s.file('2026-11-19'), 'utf8')).toBe(`${JSON.stringify(a)}\n`);
    expect(s.logger.lines.filter((l) => l.msg.startsWith('log repaired'))).toHaveLength(2);
    expect(log.stats().repairedBytes).toBeGreaterThan(0);
    expect(await collect(log.readDay('2026-11-20'))).toEqual([a, b]);
    const c = event();
    await log.append([c, { ...a }]);
    expect(await collect(log.readDay('2026-11-20'))).toEqual([a, b, c]);
    expect(log.stats().corruptLines).toBe(0);
    await log.close();
  });

  it('removes a temp file left by a rewrite that crashed before its rename', async () => {
    const s = setup();
    mkdirSync(join(s.dir, 'events'), { recursive: true });
    const tmp = join(s.dir, 'events', '.2026-11-20.ndjson.rewrite.tmp');
    writeFileSync(tmp, 'partial');
    const log = await s.open();
    expect(existsSync(tmp)).toBe(false);
    await log.close();
  });

  it('readDay logs and counts a corrupt interior line instead of skipping it silently', async () => {
    const s = setup();
    const a = event();
    const b = event();
    mkdirSync(join(s.dir, 'events'), { recursive: true });
    writeFileSync(s.file('2026-11-10'), `${JSON.stringify(a)}\nnot json\n${JSON.stringify(b)}\n`);
    const log = await s.open();
    expect(await collect(log.readDay('2026-11-10'))).toEqual([a, b]);
    expect(log.stats().corruptLines).toBe(1);
    expect(s.logger.lines.some((l) => l.level === 'warn' && l.msg.includes('does not parse'))).toBe(true);
    await log.close();
  });
});
