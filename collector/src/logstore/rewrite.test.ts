import { describe, expect, it, onTestFinished } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredEvent } from '@tally/protocol';
import { openLogStore } from './store.js';
import { collect, errno, event, memLogger, NOW, openSpiedStore, tempDir } from '../testing/logstore.js';

const setup = openSpiedStore;

describe('rewriteDay', () => {
  it('removes exactly the unkept events while concurrent appends lose nothing', async () => {
    const { log } = await setup();
    const before = Array.from({ length: 3000 }, (_, i) => event({ user_id: i % 3 === 0 ? 'erase-me' : `u${i}` }));
    for (let i = 0; i < before.length; i += 100) await log.append(before.slice(i, i + 100));

    const live: string[] = [];
    const lateErase: string[] = [];
    let rewriting = true;
    const writers = Array.from({ length: 4 }, async () => {
      // Keep appending until the rewrite is done (and a few rounds after), bounded.
      for (let round = 0; round < 2000 && (rewriting || round < 5); round++) {
        const [x, y] = [event({ user_id: 'erase-me' }), event({ user_id: 'live' })];
        await log.append([x, y]);
        lateErase.push(x.event_id);
        live.push(y.event_id);
      }
    });
    const removed = await log.rewriteDay('2026-11-20', (e) => e.user_id !== 'erase-me');
    rewriting = false;
    await Promise.all(writers);

    const after = await collect(log.readDay('2026-11-20'));
    const ids = after.map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    const keptBefore = before.filter((e) => e.user_id !== 'erase-me').map((e) => e.event_id);
    expect(ids.slice(0, keptBefore.length)).toEqual(keptBefore);
    // Every acknowledged append made during the rewrite is still there.
    const present = new Set(ids);
    expect(live.length).toBeGreaterThan(0);
    for (const id of live) expect(present.has(id)).toBe(true);
    // Erasable events appended during the rewrite were either removed by it (before its cut) or kept (after).
    const remainingErase = after.filter((e) => e.user_id === 'erase-me').length;
    expect(removed).toBeGreaterThanOrEqual(1000);
    expect(removed - 1000 + remainingErase).toBe(lateErase.length);
    expect(after.length).toBe(keptBefore.length + live.length + remainingErase);
    await log.close();
  });

  it('appends after the rewrite land in the new file, and survives reopen', async () => {
    const { log, dir } = await setup();
    const a = event({ user_id: 'gone' });
    const b = event();
    await log.append([a, b]);
    expect(await log.rewriteDay('2026-11-20', (e) => e.user_id !== 'gone')).toBe(1);
    const c = event();
    await log.append([c]);
    expect((await collect(log.readDay('2026-11-20'))).map((e) => e.event_id)).toEqual([b.event_id, c.event_id]);
    expect(readdirSync(join(dir, 'events')).filter((n) => n !== 'LOCK')).toEqual(['2026-11-20.ndjson']);
    // Erased ids stay remembered: a late SDK retry must not bring an erased event back.
    expect((await log.append([{ ...a }])).duplicates).toBe(1);
    await log.close();
    const again = await openLogStore({ dataDir: dir, fsync: 'always', logger: memLogger(), clock: { now: () => NOW } });
    expect((await collect(again.readDay('2026-11-20'))).map((e) => e.event_id)).toEqual([b.event_id, c.event_id]);
    await again.close();
  });

  it('keeps a corrupt interior line verbatim (it cannot be judged) and counts it', async () => {
    const t = tempDir();
    onTestFinished(t.cleanup);
    const a = event({ user_id: 'gone' });
    const b = event();
    mkdirSync(join(t.dir, 'events'), { recursive: true });
    const file = join(t.dir, 'events', '2026-11-20.ndjson');
    writeFileSync(file, `${JSON.stringify(a)}\n{broken\n${JSON.stringify(b)}\n`);
    const log = await openLogStore({ dataDir: t.dir, fsync: 'always', logger: memLogger(), clock: { now: () => NOW } });
    expect(await log.rewriteDay('2026-11-20', (e) => e.user_id !== 'gone')).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(`{broken\n${JSON.stringify(b)}\n`);
    expect(log.stats().corruptLines).toBeGreaterThanOrEqual(1);
    await log.close();
  });

  it('a failed rewrite leaves the original file untouched and no temp file', async () => {
    const { log, spy, dir } = await setup();
    const evs = [event(), event()];
    await log.append(evs);
    spy.hooks.write = () => Promise.reject(errno('ENOSPC'));
    await expect(log.rewriteDay('2026-11-20', (e) => e.event_id === evs[0]!.event_id)).rejects.toMatchObject({ code: 'ENOSPC' });
    spy.hooks.write = undefined;
    expect(await collect(log.readDay('2026-11-20'))).toEqual(evs);
    expect(readdirSync(join(dir, 'events')).filter((n) => n !== 'LOCK')).toEqual(['2026-11-20.ndjson']);
    await log.close();
  });

  it('with ids, shows keep only the lines holding one and copies every other line byte for byte', async () => {
    const t = tempDir();
    onTestFinished(t.cleanup);
    // Lines as JSON.stringify writes them, plus one with spacing and escapes the store would never
    // write: copied unread, it must come out identical.
    const others = Array.from({ length: 2000 }, (_, i) => JSON.stringify(event({ user_id: `u${i}`, url: `/p?q=${'\u00e9'.repeat(i % 3)}` })));
    const odd = '{ "event_id" : "x1", "received_at":"2026-11-20T10:00:00.000Z", "url":"/a\\u0041" }';
    const gone = [event({ user_id: 'gone@example.com' }), event({ anonymous_id: 'gone@example.com' })];
    const lines = [...others.slice(0, 700), JSON.stringify(gone[0]), odd, ...others.slice(700), '{broken', JSON.stringify(gone[1])];
    mkdirSync(join(t.dir, 'events'), { recursive: true });
    const file = join(t.dir, 'events', '2026-11-20.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const log = await openLogStore({ dataDir: t.dir, fsync: 'always', logger: memLogger(), clock: { now: () => NOW } });
    const corruptAtOpen = log.stats().corruptLines; // the dedup rebuild at open reads every line
    const shown: string[] = [];
    const keep = (e: StoredEvent) => {
      shown.push(e.event_id);
      return e.user_id !== 'gone@example.com' && e.anonymous_id !== 'gone@example.com';
    };
    expect(await log.rewriteDay('2026-11-20', keep, ['gone@example.com'])).toBe(2);
    expect(shown).toEqual(gone.map((e) => e.event_id));
    expect(readFileSync(file, 'utf8')).toBe(`${[...others.slice(0, 700), odd, ...others.slice(700), '{broken'].join('\n')}\n`);
    // The corrupt line holds none of the ids: not looked at, so not counted (documented).
    expect(log.stats().corruptLines).toBe(corruptAtOpen);
    await log.close();
  });

  it('with ids, a link learned in a chunk removes the new id\'s later lines in the same pass', async () => {
    const { log } = await setup();
    const login = event({ user_id: 'person', anonymous_id: 'anon-7' });
    const later = [event({ anonymous_id: 'anon-7' }), event({ anonymous_id: 'anon-7', user_id: undefined })];
    const bystanders = Array.from({ length: 50 }, (_, i) => event({ anonymous_id: `anon-${100 + i}` }));
    await log.append([bystanders[0]!, login, ...bystanders.slice(1, 25), ...later, ...bystanders.slice(25)]);
    const ids = ['person'];
    const anon = new Set<string>();
    const removed = await log.rewriteDay(
      '2026-11-20',
      (e) => {
        if (e.user_id === 'person' && e.anonymous_id !== undefined && !anon.has(e.anonymous_id)) {
          anon.add(e.anonymous_id);
          ids.push(e.anonymous_id);
        }
        return e.user_id !== 'person' && !(e.anonymous_id !== undefined && anon.has(e.anonymous_id));
      },
      ids,
    );
    expect(removed).toBe(3);
    expect((await collect(log.readDay('2026-11-20'))).map((e) => e.event_id)).toEqual(bystanders.map((e) => e.event_id));
    await log.close();
  });

  it('with an id JSON must escape, every line is shown to keep (no byte pattern can be trusted)', async () => {
    const { log } = await setup();
    const evs = [event({ user_id: 'say "hi"' }), event(), event()];
    await log.append(evs);
    let shown = 0;
    expect(await log.rewriteDay('2026-11-20', (e) => (shown++, e.user_id !== 'say "hi"'), ['say "hi"'])).toBe(1);
    expect(shown).toBe(3);
    await log.close();
  });

  it('returns 0 for a day without a file', async () => {
    const { log } = await setup();
    expect(await log.rewriteDay('2020-01-01', () => false)).toBe(0);
    await log.close();
  });
});

describe('deleteDay', () => {
  it('deletes the file; a later append to that day starts a fresh file', async () => {
    const { log, dir } = await setup();
    await log.append([event()]);
    await log.deleteDay('2026-11-20');
    expect(existsSync(join(dir, 'events', '2026-11-20.ndjson'))).toBe(false);
    expect(await log.days()).toEqual([]);
    const e = event();
    await log.append([e]);
    expect(await collect(log.readDay('2026-11-20'))).toEqual([e]);
    await log.deleteDay('2019-01-01');
    await log.close();
  });
});
