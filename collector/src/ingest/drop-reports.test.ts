import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { readCompleteness } from '../rollup/ledger.js';
import { makeTestDeps } from '../testing/index.js';
import { ev, post, useDiskLedger } from '../testing/ingest.js';

/**
 * `dropped` with `dropped_id` through the real handler into a real SQLite ledger on disk: each
 * report's running total counts once, whatever the SDK resends and whenever the collector restarts.
 */
const disk = useDiskLedger('tally-drop-reports-');
const { start, restart } = disk;

function dropped(day = '2026-11-20', app = 'shop'): number {
  return readCompleteness(disk.db, day, day, [day], app)[0]!.dropped;
}

const x = (id: string) => ev({ event_id: id });

describe('drop reports (dropped + dropped_id)', () => {
  it('counts each report once: resends, a growing total with new events, a new id, a smaller total', async () => {
    const { deps, app } = start();
    const first = { app: 'shop', dropped: 5, dropped_id: 'r1', events: [x('a'), x('b')] };
    expect((await post(app, first)).status).toBe(200);
    expect(dropped()).toBe(5);

    // The answer was lost: the same batch again.
    expect(await (await post(app, first)).json()).toEqual({ ok: true, logged: 0, duplicates: 2, rejected: [] });
    expect(dropped()).toBe(5);

    // Resent with a grown total and a new event: not a replay by the old rule, still only the increase.
    const grown = await post(app, { app: 'shop', dropped: 8, dropped_id: 'r1', events: [x('a'), x('b'), x('c')] });
    expect(await grown.json()).toEqual({ ok: true, logged: 1, duplicates: 2, rejected: [] });
    expect(dropped()).toBe(8);

    // Acknowledged: the SDK starts a new report, counted in full.
    await post(app, { app: 'shop', dropped: 2, dropped_id: 'r2', events: [x('d')] });
    expect(dropped()).toBe(10);

    // A smaller total on a known id adds nothing (and does not lower what is remembered).
    await post(app, { app: 'shop', dropped: 6, dropped_id: 'r1', events: [x('e')] });
    expect(dropped()).toBe(10);
    await post(app, { app: 'shop', dropped: 9, dropped_id: 'r1', events: [] });
    expect(dropped()).toBe(11);

    expect(deps.metrics.eventsDroppedReported.get()).toBe(11);
    expect(deps.metrics.eventsAccepted.get()).toBe(5);
  });

  it('remembers the totals across a restart', async () => {
    const before = start();
    await post(before.app, { app: 'shop', dropped: 4, dropped_id: 'r1', events: [x('a')] });
    expect(dropped()).toBe(4);

    const { deps, app } = restart({ clock: before.deps.clock, log: before.deps.log });
    await post(app, { app: 'shop', dropped: 4, dropped_id: 'r1', events: [x('a'), x('b')] });
    expect(dropped()).toBe(4);
    await post(app, { app: 'shop', dropped: 7, dropped_id: 'r1', events: [x('a'), x('b'), x('c')] });
    expect(dropped()).toBe(7);
    expect(deps.metrics.eventsDroppedReported.get()).toBe(3);
  });

  it('keys reports by app and counts an increase on the day it is received', async () => {
    const { deps, app } = start();
    await post(app, { app: 'shop', dropped: 3, dropped_id: 'same', events: [] });
    await post(app, { dropped: 3, dropped_id: 'same', events: [] });
    expect(dropped('2026-11-20', 'shop')).toBe(3);
    expect(dropped('2026-11-20', 'default')).toBe(3);

    deps.clock.set('2026-11-21T00:00:01.000Z');
    await post(app, { app: 'shop', dropped: 5, dropped_id: 'same', events: [] });
    expect(dropped('2026-11-20', 'shop')).toBe(3);
    expect(dropped('2026-11-21', 'shop')).toBe(2);
  });

  it('forgets an id 7 receipt days after the last batch that carried it', async () => {
    const { deps, app } = start();
    await post(app, { app: 'shop', dropped: 5, dropped_id: 'r1', events: [] });
    deps.clock.set('2026-11-27T23:00:00.000Z'); // 7 days later: still known, and seen again
    await post(app, { app: 'shop', dropped: 5, dropped_id: 'r1', events: [] });
    expect(dropped('2026-11-27')).toBe(0);
    deps.clock.set('2026-12-04T12:00:00.000Z'); // 7 days after that: still known
    await post(app, { app: 'shop', dropped: 5, dropped_id: 'r1', events: [] });
    expect(dropped('2026-12-04')).toBe(0);
    deps.clock.set('2026-12-12T12:00:00.000Z'); // 8 days: forgotten, counted again
    await post(app, { app: 'shop', dropped: 5, dropped_id: 'r1', events: [] });
    expect(dropped('2026-12-12')).toBe(5);
    expect(disk.db.prepare('SELECT COUNT(*) FROM drop_reports').pluck().get()).toBe(1);
  });

  it('prunes old ids from the table on the first report of a new day', async () => {
    const { deps, app } = start();
    await post(app, { app: 'shop', dropped: 1, dropped_id: 'old', events: [] });
    deps.clock.set('2026-11-29T12:00:00.000Z');
    await post(app, { app: 'shop', dropped: 1, dropped_id: 'new', events: [] });
    expect(disk.db.prepare('SELECT id FROM drop_reports').pluck().all()).toEqual(['new']);
  });

  it('accepts dropped_id without dropped, or with 0, and counts nothing for it', async () => {
    const { deps, app } = start();
    expect((await post(app, { app: 'shop', dropped_id: 'r1', events: [x('a')] })).status).toBe(200);
    expect((await post(app, { app: 'shop', dropped: 0, dropped_id: 'r1', events: [x('b')] })).status).toBe(200);
    expect(dropped()).toBe(0);
    expect(disk.db.prepare('SELECT COUNT(*) FROM drop_reports').pluck().get()).toBe(0);
    await post(app, { app: 'shop', dropped: 2, dropped_id: 'r1', events: [] });
    expect(dropped()).toBe(2);
    expect(deps.metrics.eventsDroppedReported.get()).toBe(2);
  });

  it('keeps the replay rule for rejections of a batch with dropped_id', async () => {
    const { app } = start();
    const batch = { app: 'shop', dropped: 2, dropped_id: 'r1', events: [x('a'), ev({ event_type: 'Bad' })] };
    await post(app, batch);
    await post(app, batch);
    const [day] = readCompleteness(disk.db, '2026-11-20', '2026-11-20', ['2026-11-20'], 'shop');
    expect(day).toMatchObject({ accepted: 1, duplicates: 1, rejected: { invalid_event_type: 1 }, dropped: 2 });
  });

  it('without dropped_id keeps the all-duplicates replay rule, and its known limit', async () => {
    const { deps, app } = start();
    const batch = { app: 'shop', dropped: 4, events: [x('a')] };
    await post(app, batch);
    await post(app, batch); // all duplicates: a replay, not counted again
    expect(dropped()).toBe(4);
    await post(app, { ...batch, events: [x('a'), x('b')] }); // new events: counted again
    expect(dropped()).toBe(8);
    expect(deps.metrics.eventsDroppedReported.get()).toBe(8);
  });

  it('hands the ledger the report, not a count, when it has an id', async () => {
    const deps = makeTestDeps();
    const app = createApp(deps);
    await post(app, { app: 'shop', dropped: 5, dropped_id: 'r1', events: [x('a')] });
    await post(app, { app: 'shop', dropped_id: 'r2', events: [] });
    expect(deps.ledger.tallies).toEqual([
      { day: '2026-11-20', app: 'shop', accepted: 1, duplicates: 0, rejected: {}, dropped: 0, dropReport: { id: 'r1', total: 5 }, bots: 0 },
    ]);
  });
});
