import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/protocol';
import { openLogStore, type OpenLogStore } from '../logstore/index.js';
import { openRollups } from '../rollup/index.js';
import { createRecordingLogger, makeTestDeps } from '../testing/index.js';
import { eraseSubject } from './erase.js';
import { exportSubject } from './export.js';
import { createPrivacyStub, ev } from '../testing/privacy.js';

/**
 * Erasure against the real log store on a temp data dir, with ingestion running concurrently:
 * afterwards no byte of any file under the data dir contains the id, and no concurrent event is lost.
 */

let dataDir: string;
let log: OpenLogStore;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-erase-live-'));
  log = await openLogStore({ dataDir, fsync: 'always', logger: createRecordingLogger(), clock: { now: () => Date.now() } });
});
afterEach(async () => {
  await log.close();
  await rm(dataDir, { recursive: true, force: true });
});

const SUBJECT = 'zelda.erase-me@example.com';
const LINKED = 'anon-linked-7f3a9c';

async function grepDataDir(needle: string): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if ((await stat(path)).isDirectory()) await walk(path);
      else if ((await readFile(path)).includes(Buffer.from(needle))) hits.push(path);
    }
  };
  await walk(dataDir);
  return hits;
}

async function allEvents(): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (const day of await log.days()) for await (const e of log.readDay(day)) out.push(e);
  return out;
}

describe('erasure on the real log while ingesting', () => {
  it('leaves no trace of the id or its linked anonymous id and loses no concurrent event', async () => {
    const rollups = createPrivacyStub();
    const deps = makeTestDeps({ log, rollups, config: { dataDir }, clock: { now: () => Date.now() } });
    const now = Date.now();
    const at = (msAgo: number) => new Date(now - msAgo).toISOString();
    // One append per receipt day, as ingestion does (it only ever writes today's file).
    await log.append([ev({ anonymous_id: LINKED, time: at(3 * 86_400_000), received_at: at(3 * 86_400_000) })]);
    await log.append([
      ev({ user_id: SUBJECT, anonymous_id: LINKED, time: at(2 * 86_400_000), received_at: at(2 * 86_400_000) }),
      ev({ user_id: 'other', anonymous_id: 'anon-other', time: at(2 * 86_400_000), received_at: at(2 * 86_400_000) }),
    ]);
    await log.append([ev({ user_id: SUBJECT, time: at(1000), received_at: at(1000), metadata: { note: 'x' } })]);

    // Ingestion keeps appending other people's events (and some of the subject's) during the erasure.
    let stop = false;
    let appended = 0;
    const ingest = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        const t = new Date().toISOString();
        const batch = Array.from({ length: 10 }, (_, k) => ev({ user_id: `u${i}-${k}`, time: t, received_at: t }));
        const { logged } = await log.append(batch);
        appended += logged.length;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await new Promise((r) => setTimeout(r, 20));
    const before = appended;
    const result = await eraseSubject(deps, SUBJECT, 'cli:test');
    const during = appended - before;
    stop = true;
    await ingest;

    expect(result.removed).toBe(3);
    expect(during).toBeGreaterThan(0); // the erasure really overlapped with ingestion
    const left = await allEvents();
    expect(left.filter((e) => e.user_id?.startsWith('u'))).toHaveLength(appended);
    expect(left.filter((e) => e.user_id === 'other')).toHaveLength(1);
    expect(await grepDataDir(SUBJECT)).toEqual([]);
    expect(await grepDataDir(LINKED)).toEqual([]);
    const audit = await readFile(join(dataDir, 'audit.log'), 'utf8');
    expect(audit.trim().split('\n')).toHaveLength(1);
  });

  it('with the real rollup store: rolled-up days are recomputed and tally.db (+WAL) keeps no trace', async () => {
    const logger = createRecordingLogger();
    const clock = { now: () => Date.now() };
    const base = makeTestDeps({ log, config: { dataDir }, clock, logger });
    const { rollups } = await openRollups({ config: base.config, log, logger, clock, warm: false });
    try {
      const deps = { ...base, rollups };
      const now = Date.now();
      const at = (msAgo: number) => new Date(now - msAgo).toISOString();
      // Dimension values that embed the ids (a profile url, a per-person feature) reach the
      // dictionary; one url is shared with someone who stays.
      await log.append([ev({ anonymous_id: LINKED, time: at(2 * 86_400_000), received_at: at(2 * 86_400_000), feature: 'pricing', url: `/welcome/${LINKED}` })]);
      await log.append([
        ev({ user_id: SUBJECT, anonymous_id: LINKED, time: at(86_400_000), received_at: at(86_400_000), event_type: 'action', feature: `profile:${SUBJECT}` }),
        ev({ user_id: SUBJECT, time: at(86_400_000), received_at: at(86_400_000), url: '/shared', context: { app_version: `build-for-${SUBJECT}` } }),
        ev({ user_id: 'keeper', time: at(86_400_000), received_at: at(86_400_000), url: '/shared' }),
      ]);
      await log.append([ev({ user_id: SUBJECT, time: at(1000), received_at: at(1000), event_type: 'conversion', url: `/account/${SUBJECT}` })]);
      await rollups.rollup!();
      // Today's subject events again after the rollup: values that are only live, not yet persisted.
      await log.append([ev({ user_id: SUBJECT, time: at(500), received_at: at(500), feature: `live:${SUBJECT}` })]);
      // Both the log and SQLite hold the id before: the checks after the erasure can fail.
      const before = await grepDataDir(SUBJECT);
      expect(before.some((p) => p.includes('events'))).toBe(true);
      expect(before.some((p) => /tally\.db/.test(p))).toBe(true);

      const result = await eraseSubject(deps, SUBJECT, 'cli:test');
      expect(result.removed).toBe(5);
      expect(await grepDataDir(SUBJECT)).toEqual([]);
      expect(await grepDataDir(LINKED)).toEqual([]);
      const keeper = await allEvents();
      expect(keeper.map((e) => e.user_id)).toEqual(['keeper']);
      // The shared value stays, and so do the figures of the one who stays.
      expect(rollups.engine!.dict.find('/shared')).toBeDefined();
      expect(rollups.engine!.dict.find(`profile:${SUBJECT}`)).toBeUndefined();
      await rollups.rollup!();
      expect(await grepDataDir(SUBJECT)).toEqual([]);
      rollups.close();
      // After a restart, too (the dictionary is loaded from tally.db).
      const again = await openRollups({ config: base.config, log, logger, clock, warm: false });
      try {
        const e = again.rollups.engine!;
        expect(e.dict.find('/shared')).toBeDefined();
        expect([...e.dict.entries()].map(([v]) => v).filter((v) => v.includes(SUBJECT) || v.includes(LINKED))).toEqual([]);
      } finally {
        again.rollups.close();
      }
    } finally {
      rollups.close();
    }
  });

  it('export streams exactly the matching events from the real log', async () => {
    const deps = makeTestDeps({ log, rollups: createPrivacyStub(), config: { dataDir } });
    const t = new Date().toISOString();
    await log.append([
      ev({ anonymous_id: LINKED, time: t, received_at: t }),
      ev({ user_id: 'someone-else', time: t, received_at: t }),
      ev({ user_id: SUBJECT, anonymous_id: LINKED, time: t, received_at: t }),
    ]);
    let text = '';
    for await (const line of exportSubject(deps, SUBJECT, 'cli:test')) text += line;
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as StoredEvent);
    expect(lines.map((e) => e.user_id ?? e.anonymous_id)).toEqual([LINKED, SUBJECT]);
  });
});
