import type { IngestResponse } from '@tally/protocol';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { SCHEMA_VERSION } from '../rollup/db.js';
import { readCompleteness } from '../rollup/ledger.js';
import { makeTestDeps } from '../testing/index.js';
import { ev, post, useDiskLedger } from '../testing/ingest.js';

/**
 * Rejected events through the real handler into a real SQLite ledger on disk: a rejected event
 * that carries a valid `event_id` is counted once per app, however often the SDK resends it
 * (with or without new events) and whenever the collector restarts.
 */
const disk = useDiskLedger('tally-rejected-ids-');
const { start, restart } = disk;

function rejected(day = '2026-11-20', app = 'shop'): Record<string, number> {
  return readCompleteness(disk.db, day, day, [day], app)[0]!.rejected;
}

const ok = (id: string) => ev({ event_id: id });
/** An event the collector rejects as `invalid_event_type`, with the given event_id (or none). */
const bad = (id?: unknown) => (id === undefined ? ev({ event_type: 'Bad' }) : ev({ event_id: id, event_type: 'Bad' }));
const rejectedIds = () => disk.db.prepare('SELECT app, id, day FROM rejected_ids ORDER BY app, id').all();

describe('rejected events with an event_id', () => {
  it('counts a rejection once when the SDK resends it with new events, and still answers it each time', async () => {
    const { deps, app } = start();
    const first = await post(app, { app: 'shop', events: [ok('a'), bad('x')] });
    expect(await first.json()).toEqual({ ok: true, logged: 1, duplicates: 0, rejected: [{ index: 1, reason: 'invalid_event_type' }] });
    expect(rejected()).toEqual({ invalid_event_type: 1 });

    // The answer was lost; the SDK resends with new events added: not a replay by the old rule.
    const resent = await post(app, { app: 'shop', events: [ok('a'), bad('x'), ok('b'), ok('c')] });
    expect(await resent.json()).toEqual({ ok: true, logged: 2, duplicates: 1, rejected: [{ index: 1, reason: 'invalid_event_type' }] });
    expect(rejected()).toEqual({ invalid_event_type: 1 });

    // The same batch once more (all duplicates), then a resend that adds a new invalid event.
    await post(app, { app: 'shop', events: [ok('a'), bad('x'), ok('b'), ok('c')] });
    await post(app, { app: 'shop', events: [ok('a'), bad('x'), ok('d'), bad('y'), ev({ event_id: 'z', ts: 'nope' })] });
    expect(rejected()).toEqual({ invalid_event_type: 2, invalid_ts: 1 });
    expect(readCompleteness(disk.db, '2026-11-20', '2026-11-20', ['2026-11-20'], 'shop')[0]).toMatchObject({
      accepted: 4,
      duplicates: 5,
      rejected_total: 3,
    });

    // /metrics counts what the server answered: every listed rejection, resends included.
    expect(deps.metrics.render()).toMatch(/tally_events_rejected_total\{reason="invalid_event_type"\} 5\b/);
  });

  it('counts a new rejection in an all-duplicates resend, which the replay rule would have missed', async () => {
    const { app } = start();
    await post(app, { app: 'shop', events: [ok('a')] });
    const res = await post(app, { app: 'shop', events: [ok('a'), bad('x')] });
    expect(((await res.json()) as IngestResponse).duplicates).toBe(1);
    expect(rejected()).toEqual({ invalid_event_type: 1 });
  });

  it('counts two rejected events sharing an id in one batch once, like the log stores one of two valid ones', async () => {
    const { app } = start();
    const res = await post(app, { app: 'shop', events: [bad('x'), ev({ event_id: 'x', ts: 'nope' })] });
    expect(((await res.json()) as IngestResponse).rejected).toHaveLength(2);
    expect(rejected()).toEqual({ invalid_event_type: 1 });
  });

  it('remembers counted ids across a restart', async () => {
    const before = start();
    await post(before.app, { app: 'shop', events: [ok('a'), bad('x')] });
    const { app } = restart({ clock: before.deps.clock, log: before.deps.log });
    await post(app, { app: 'shop', events: [ok('a'), bad('x'), ok('b')] });
    expect(rejected()).toEqual({ invalid_event_type: 1 });
    expect(rejectedIds()).toEqual([{ app: 'shop', id: 'x', day: '2026-11-20' }]);
  });

  it('keys ids by app: the same id in two apps (and the default app) counts in each', async () => {
    const { app } = start();
    await post(app, { app: 'shop', events: [bad('x')] });
    await post(app, { app: 'blog', events: [bad('x')] });
    await post(app, { events: [bad('x')] });
    await post(app, { app: '', events: [bad('x'), ok('a')] });
    await post(app, { app: 'shop', events: [bad('x'), ok('b')] });
    expect(rejected('2026-11-20', 'shop')).toEqual({ invalid_event_type: 1 });
    expect(rejected('2026-11-20', 'blog')).toEqual({ invalid_event_type: 1 });
    expect(rejected('2026-11-20', 'default')).toEqual({ invalid_event_type: 1 });
  });

  it('forgets an id more than 2 receipt days after the last batch that carried it', async () => {
    const { deps, app } = start();
    await post(app, { app: 'shop', events: [bad('x'), bad('y')] }); // 2026-11-20T12:00
    deps.clock.set('2026-11-22T23:59:59.999Z'); // day + 2: both known; x is seen again
    await post(app, { app: 'shop', events: [bad('x'), ok('a')] });
    expect(rejected('2026-11-22')).toEqual({});
    deps.clock.set('2026-11-23T00:00:00.000Z'); // day + 3 for y: forgotten, counted again
    await post(app, { app: 'shop', events: [bad('y'), ok('b')] });
    expect(rejected('2026-11-23')).toEqual({ invalid_event_type: 1 });
    deps.clock.set('2026-11-24T23:59:59.999Z'); // x last seen on the 22nd: still known
    await post(app, { app: 'shop', events: [bad('x'), ok('c')] });
    expect(rejected('2026-11-24')).toEqual({});
    deps.clock.set('2026-11-27T00:00:00.000Z'); // x last seen on the 24th: forgotten
    await post(app, { app: 'shop', events: [bad('x'), ok('d')] });
    expect(rejected('2026-11-27')).toEqual({ invalid_event_type: 1 });
    expect(rejectedIds()).toEqual([{ app: 'shop', id: 'x', day: '2026-11-27' }]);
  });

  it('prunes forgotten ids from the table on the first remembered rejection of a new day', async () => {
    const { deps, app } = start();
    await post(app, { app: 'shop', events: [bad('old')] });
    deps.clock.set('2026-11-23T00:00:00.000Z');
    await post(app, { app: 'shop', events: [ok('a')] }); // nothing to remember: the table is not touched
    expect(rejectedIds()).toHaveLength(1);
    await post(app, { app: 'shop', events: [bad('new')] });
    expect(rejectedIds()).toEqual([{ app: 'shop', id: 'new', day: '2026-11-23' }]);
  });

  it('applies migration 5 to a database made before it, keeping its counters', async () => {
    const before = start();
    await post(before.app, { app: 'shop', events: [bad()] });
    disk.db.exec('DROP TABLE rejected_ids');
    disk.db.pragma('user_version = 4');
    const { app } = restart({ clock: before.deps.clock, log: before.deps.log });
    expect(disk.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    // Migration 6 (the funnel index, from main) runs after 5 here too; it only clears day_steps.
    await post(app, { app: 'shop', events: [bad('x')] });
    await post(app, { app: 'shop', events: [bad('x'), ok('a')] });
    expect(rejected()).toEqual({ invalid_event_type: 2 });
  });
});

describe('rejected events without a usable event_id', () => {
  it('counts them each time they are sent with new events; an all-duplicates replay still counts 0', async () => {
    const { app } = start();
    // No id, or one the protocol refuses (then the event is rejected for it).
    const noIds = [bad(), ok(''), ok('x'.repeat(65)), ev({ event_id: 42 }), ev({ event_id: null })];
    const first = await post(app, { app: 'shop', events: [ok('a'), ...noIds] });
    expect(((await first.json()) as IngestResponse).rejected.map((r) => r.reason)).toEqual([
      'invalid_event_type',
      'invalid_event_id',
      'invalid_event_id',
      'invalid_event_id',
      'invalid_event_id',
    ]);
    expect(rejected()).toEqual({ invalid_event_type: 1, invalid_event_id: 4 });
    await post(app, { app: 'shop', events: [ok('a'), ...noIds] }); // all duplicates: the replay guess
    expect(rejected()).toEqual({ invalid_event_type: 1, invalid_event_id: 4 });
    await post(app, { app: 'shop', events: [ok('a'), ...noIds, ok('b')] }); // new events: counted again
    expect(rejected()).toEqual({ invalid_event_type: 2, invalid_event_id: 8 });
    expect(rejectedIds()).toEqual([]);
  });

  it('hands the ledger id-less rejections as counts and the others by id', async () => {
    const deps = makeTestDeps();
    const app = createApp(deps);
    await post(app, { app: 'shop', events: [ok('a'), bad('x'), bad(), ev({ event_id: 'y', ts: 'nope' })] });
    expect(deps.ledger.tallies).toEqual([
      {
        day: '2026-11-20',
        app: 'shop',
        accepted: 1,
        duplicates: 0,
        rejected: { invalid_event_type: 1 },
        rejectedIds: [
          { id: 'x', reason: 'invalid_event_type' },
          { id: 'y', reason: 'invalid_ts' },
        ],
        dropped: 0,
        bots: 0,
      },
    ]);
  });
});

describe('the recording ledger', () => {
  it('counts rejections exactly as the SQLite ledger does', async () => {
    const real = start();
    const fake = makeTestDeps();
    const fakeApp = createApp(fake);
    const steps: [string, object][] = [
      ['2026-11-20T12:00:00.000Z', { app: 'shop', events: [ok('a'), bad('x'), bad()] }],
      ['2026-11-20T12:00:01.000Z', { app: 'shop', events: [ok('a'), bad('x'), bad()] }],
      ['2026-11-20T12:00:02.000Z', { app: 'shop', events: [ok('a'), bad('x'), bad(), ok('b'), bad('y')] }],
      ['2026-11-20T12:00:03.000Z', { app: 'blog', events: [bad('x'), bad('x')] }],
      ['2026-11-22T23:00:00.000Z', { app: 'shop', events: [bad('y'), ok('c')] }],
      ['2026-11-23T00:00:00.000Z', { app: 'shop', events: [bad('x'), bad('y'), ok('d')] }],
      ['2026-11-25T00:00:00.000Z', { app: 'shop', events: [bad('y'), ok('e')] }],
      ['2026-11-26T00:00:00.000Z', { app: 'shop', events: [bad('y'), bad(7), ok('f')] }],
    ];
    for (const [at, body] of steps) {
      real.deps.clock.set(at);
      fake.clock.set(at);
      await post(real.app, body);
      await post(fakeApp, body);
    }
    const days = ['2026-11-20', '2026-11-22', '2026-11-23', '2026-11-25', '2026-11-26'];
    for (const day of days) {
      for (const name of ['shop', 'blog']) expect(fake.ledger.rejectedCounted(day, name), `${day} ${name}`).toEqual(rejected(day, name));
    }
    expect(days.map((d) => rejected(d).invalid_event_type ?? 0)).toEqual([4, 0, 1, 0, 1]);
  });
});
