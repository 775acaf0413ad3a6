import type { StoredEvent } from '@tally/protocol';
import type { LogStore } from '../deps.js';
import { createCubeBuilder, type CubeBuilder, type DayCube, type Summary } from './cube.js';
import type { Db } from './db.js';
import type { Engine, LiveDay } from './engine.js';
import type { Garbage, StageJob } from './stage.js';
import type { RollupWorker } from './worker.js';
import { createAppIdSets, type AppIdSets } from './id-set.js';
import { createStepLog, segmentTriples, type StepLog } from './steps.js';
import { addDays } from '../shared/index.js';
import type { DayValues } from './dims.js';
import { createOverflowCounts } from './overflow.js';

export interface RollupReport {
  ok: true;
  /** Days (TALLY_TZ) written to SQLite. */
  days: string[];
  events: number;
  ms: number;
}

/**
 * Reads log files while ingestion may append to them. Events appended after `watch` reach the live
 * overlay through `onAppend` and may also show up at the file's tail; their ids are noted so the
 * read skips them instead of counting them twice.
 */
export interface Reader {
  watch(receiptDays: Iterable<string>): Watch;
  /** Called from the `onAppend` listener before the events are ingested. */
  appended(events: StoredEvent[]): void;
}

export interface Watch {
  /** `utcDates`: only events on these UTC dates are needed (others may be skipped unparsed). */
  read(receiptDay: string, each: (e: StoredEvent) => void, utcDates?: ReadonlySet<string>): Promise<void>;
  close(): void;
}

export function createReader(log: LogStore): Reader {
  const during = new Map<string, Set<string>[]>();
  return {
    watch(days) {
      const mine = new Map<string, Set<string>>();
      for (const r of days) {
        const ids = new Set<string>();
        mine.set(r, ids);
        let list = during.get(r);
        if (list === undefined) during.set(r, (list = []));
        list.push(ids);
      }
      return {
        async read(r, each, utcDates) {
          const ids = mine.get(r) ?? new Set<string>();
          for await (const e of log.readDay(r, utcDates)) if (!ids.has(appEventKey(e))) each(e);
        },
        close() {
          for (const [r, ids] of mine) {
            const list = during.get(r)!.filter((x) => x !== ids);
            if (list.length === 0) during.delete(r);
            else during.set(r, list);
          }
        },
      };
    },
    appended(events) {
      if (during.size === 0) return;
      for (const e of events) for (const ids of during.get(e.received_at.slice(0, 10)) ?? []) ids.add(appEventKey(e));
    },
  };
}

/** Start-up: every event of the log not yet in a persisted rollup goes to the live overlay. */
export async function loadLive(engine: Engine, log: LogStore, reader: Reader): Promise<number> {
  let loaded = 0;
  const open = (await log.days()).filter((r) => !engine.store.isComplete(r));
  const watch = reader.watch(open);
  try {
    for (const r of open) {
      const cov = engine.store.coverage(r);
      const seenPerDay = new Map<string, number>();
      let batch: StoredEvent[] = [];
      // Nothing of this file persisted yet (the usual case): no per-event day bookkeeping needed.
      const covered = cov.size > 0;
      await watch.read(r, (e) => {
        if (covered) {
          const day = engine.dayOf(e);
          const n = (seenPerDay.get(day) ?? 0) + 1;
          seenPerDay.set(day, n);
          if (n <= (cov.get(day) ?? 0)) return;
        }
        batch.push(e);
        // Bounded batches: a day file of millions of parsed events must not sit in memory at once.
        if (batch.length === 10_000) {
          engine.ingest(batch, r);
          loaded += batch.length;
          batch = [];
        }
      });
      engine.ingest(batch, r);
      loaded += batch.length;
    }
  } finally {
    watch.close();
  }
  return loaded;
}

/** Parts a day may collect before a rollup writes it whole again (amortised: 1 in MAX_PARTS). */
export const MAX_PARTS = 8;

/**
 * Moves live days into SQLite and records which log events they now hold. Only touches days with
 * live events, so running it twice writes nothing the second time.
 *
 * Off the event loop where it costs: each day's rows and step log are sealed (ingestion goes on
 * into new ones, queries keep seeing both), the rollup worker (worker.ts, stage.ts) merges,
 * encodes and writes them on its own connection in short transactions under a new head, and only
 * then does one small transaction here move the heads with the bookkeeping; the sealed rows then
 * leave the live overlay and the newer ones stay. A day already rolled up gets its new events
 * appended as a part (cost follows them, not the day), and is written whole again every
 * MAX_PARTS parts.
 */
export async function flush(engine: Engine, db: Db, worker: RollupWorker, logDays: string[], todayUtc: string): Promise<RollupReport> {
  const started = performance.now();
  const { store, live, liveReceipts } = engine;
  const segments = segmentTriples();
  const plans = [...live.keys()].sort().map((day): Plan => {
    const l = live.get(day)!;
    const cube = l.builder.seal();
    // The step times go with the sealed rows; new events start a fresh log (queries read both).
    const steps = l.steps;
    l.steps = createStepLog();
    l.sealedSteps = steps;
    const receipts = new Map<string, number>();
    for (const [r, byDay] of liveReceipts) {
      const n = byDay.get(day);
      if (n !== undefined) receipts.set(r, n);
    }
    const m = store.meta.get(day);
    // Days still holding rows from before day heads are written whole once (stage.ts).
    const part = m !== undefined && !m.head.base && m.head.parts < MAX_PARTS;
    const job: StageJob = { day, mode: part ? 'part' : 'whole', head: m?.head, indexed: m?.steps === true, rows: cube.rows, users: cube.users, steps: steps.data(), segments };
    return { day, l, cube, receipts, job, steps, values: l.values.lists(), overflow: engine.overflow.snapshot(day) };
  });
  const restore = (p: Plan) => {
    for (const e of p.steps.build()) p.l.steps.addEntry(e);
    p.l.sealedSteps = undefined;
  };
  let flipped: Plan[];
  try {
    flipped = await persist(engine, db, worker, plans, logDays, todayUtc);
  } catch (err) {
    // Nothing was persisted: the sealed step times go back to the live log (the sealed rows never left).
    plans.forEach(restore);
    throw err;
  }
  for (const p of plans) if (!flipped.includes(p)) restore(p);
  return { ok: true, days: flipped.map((p) => p.day), events: flipped.reduce((n, p) => n + p.cube.events, 0), ms: Math.round(performance.now() - started) };
}

type Plan = {
  day: string;
  l: LiveDay;
  cube: DayCube;
  receipts: Map<string, number>;
  job: StageJob;
  steps: StepLog;
  values: Uint32Array[];
  overflow: Map<string, Float64Array>;
};

/** Stages, moves the heads, collects; returns the plans whose day was moved (see below). */
async function persist(engine: Engine, db: Db, worker: RollupWorker, plans: Plan[], logDays: string[], todayUtc: string): Promise<Plan[]> {
  const { store, live, liveReceipts } = engine;
  await writeNewEntries(engine, db, worker);
  const staged = await worker.stage(db, plans.map((p) => p.job));
  // A day whose head moved meanwhile (purged by retention) keeps its sealed rows live: what was
  // staged for it is left for the next rollup's clean-up.
  const flipped = plans.filter((p) => store.meta.get(p.day)?.head === p.job.head);
  const rolledAt = new Date().toISOString();
  db.transaction(() => {
    engine.users.persist();
    engine.dict.persist();
    for (const p of flipped) {
      const { day, cube, values } = p;
      const i = plans.indexOf(p);
      const before = store.meta.get(day);
      const summary = before === undefined ? cube.summary : addSummaries(before.summary, cube.summary);
      const part = p.job.mode === 'part' ? cube.rows : undefined;
      store.commit(day, { events: (before?.events ?? 0) + cube.events, summary, values, staged: staged[i]!, part }, rolledAt);
      engine.overflow.commit(day, p.overflow);
      for (const [r, n] of p.receipts) {
        store.addCoverage(r, day, n);
        const byDay = liveReceipts.get(r)!;
        const left = byDay.get(day)! - n;
        if (left > 0) byDay.set(day, left);
        else byDay.delete(day);
        if (byDay.size === 0) liveReceipts.delete(r);
      }
    }
    // A log file no longer appended to (its UTC day is over) with nothing live is fully rolled up.
    for (const r of logDays) {
      if (r < todayUtc && !liveReceipts.has(r) && !store.isComplete(r)) store.markComplete(r);
    }
  })();
  // Only now do the sealed rows leave the overlay: events that came in meanwhile stay live.
  for (const { day, l, cube } of flipped) {
    l.sealedSteps = undefined;
    if (l.builder.events === cube.events) live.delete(day);
    else l.builder = l.builder.tail();
    engine.touch(day);
  }
  const garbage = flipped.flatMap((p) => staged[plans.indexOf(p)]!.garbage ?? []);
  // Left for the next rollup's clean-up if this fails: nothing names it any more.
  if (garbage.length > 0) await worker.collect(db, garbage).catch(() => {});
  return flipped;
}

/**
 * New users and values go first, written by the worker too: a busy day's first-time visitors are
 * hundreds of thousands of inserts (seconds of the event loop). Sent 20,000 at a time, so no
 * single copy to the worker is large. Entries persisted without rows yet are harmless (rows only
 * ever reference persisted ones, not the reverse).
 */
async function writeNewEntries(engine: Engine, db: Db, worker: RollupWorker): Promise<void> {
  for (const interner of [engine.users, engine.dict]) {
    for (let more = true; more; ) {
      const e = interner.pending(20_000);
      if (e.ids.length > 0) await worker.entries(db, e);
      interner.persisted(e.ids.length);
      // Entries of events that arrive meanwhile go with the head move, not round after round.
      more = e.ids.length === 20_000;
    }
  }
}

function addSummaries(a: Summary | undefined, b: Summary): Summary {
  if (a === undefined) return b;
  const add = (x: Map<number, number>, y: Map<number, number>) => {
    const m = new Map(x);
    for (const [k, n] of y) m.set(k, (m.get(k) ?? 0) + n);
    return m;
  };
  return { types: add(a.types, b.types), features: add(a.features, b.features) };
}

/**
 * Recomputes `days` entirely from the log files that hold them (after an erasure rewrote some, or
 * on request) and persists them. Live events of those days are dropped first; the ones appended
 * while the files are read arrive again through `onAppend` and stay live.
 */
export async function rebuildDays(engine: Engine, db: Db, worker: RollupWorker, log: LogStore, reader: Reader, days: string[]): Promise<RollupReport> {
  const started = performance.now();
  const wanted = new Set(days);
  const available = new Set(await log.days());
  const receipts = new Set<string>();
  for (const day of wanted) {
    // Every event of the log is either in a persisted rollup, whose coverage names its file, or
    // live: these are all the files that hold the day. Reading only them matters: each file read is
    // parsed whole, and the neighbours hold other days (an erasure of a person seen on 13 days read
    // 36 files instead of 13: 2.5 times the work).
    const known = new Set(engine.store.receiptsOf(day));
    for (const [r, byDay] of engine.liveReceipts) if (byDay.has(day)) known.add(r);
    // A day never seen before may still sit in the files around it (time zones span ±14 h).
    if (known.size === 0) for (const r of [addDays(day, -1), day, addDays(day, 1)]) known.add(r);
    for (const r of known) receipts.add(r);
  }
  const watch = reader.watch([...receipts].filter((r) => available.has(r)));
  for (const day of wanted) {
    engine.live.delete(day);
    engine.overflow.forgetLive(day);
    for (const [r, byDay] of engine.liveReceipts) {
      byDay.delete(day);
      if (byDay.size === 0) engine.liveReceipts.delete(r);
    }
  }
  // The UTC dates an event of a wanted day can have (TALLY_TZ is within ±14 h of UTC): the files
  // are read for these only, most of their lines are other days' events and are not parsed.
  const utcDates = new Set([...wanted].flatMap((d) => [addDays(d, -1), d, addDays(d, 1)]));
  const builders = new Map<string, { b: CubeBuilder; ids: AppIdSets; values: DayValues; steps: StepLog }>();
  const overflow = createOverflowCounts();
  const counts = new Map<string, Map<string, number>>();
  let events = 0;
  try {
    for (const r of [...receipts].sort()) {
      if (!available.has(r)) continue;
      const perDay = new Map<string, number>();
      counts.set(r, perDay);
      await watch.read(r, (e) => {
        const day = engine.dayOf(e);
        if (!wanted.has(day)) return;
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
        let x = builders.get(day);
        if (x === undefined) builders.set(day, (x = { b: createCubeBuilder(1024), ids: createAppIdSets(), values: engine.dayValues(), steps: createStepLog() }));
        if (!x.ids.add(e.app, e.event_id)) return;
        events++;
        engine.addTo(x.b, x.values, e, r, overflow, x.steps);
      }, utcDates);
    }
  } finally {
    watch.close();
  }
  // Written like a rollup (the worker stages each day whole under a new head, off the event loop),
  // then one small transaction moves the heads, and the worker deletes what they named before.
  await writeNewEntries(engine, db, worker);
  const segments = segmentTriples();
  const built = [...wanted].sort().flatMap((day) => {
    const x = builders.get(day);
    if (x === undefined || x.b.events === 0) return [];
    const v = x.b.view();
    const job: StageJob = { day, mode: 'replace', head: engine.store.meta.get(day)?.head, indexed: true, rows: v.rows, users: v.users, steps: x.steps.data(), segments };
    return [{ day, v, values: x.values.lists(), job }];
  });
  const staged = await worker.stage(db, built.map((b) => b.job));
  const garbage: Garbage[] = [];
  db.transaction(() => {
    engine.users.persist();
    engine.dict.persist();
    const rolledAt = new Date().toISOString();
    for (const day of wanted) {
      engine.store.clearCoverage(day);
      const i = built.findIndex((b) => b.day === day);
      if (i === -1) {
        const g = engine.store.detach(day);
        if (g !== undefined) garbage.push(g);
      } else {
        const { v, values } = built[i]!;
        engine.store.commit(day, { events: v.events, summary: v.summary, values, staged: staged[i]! }, rolledAt);
        if (staged[i]!.garbage !== undefined) garbage.push(staged[i]!.garbage!);
      }
      engine.touch(day);
    }
    engine.overflow.replace(wanted, overflow);
    for (const [r, perDay] of counts) for (const [day, n] of perDay) engine.store.setCoverage(r, day, n);
  })();
  // Awaited, failures included: an erasure is done only once the old rows are deleted (and zeroed).
  await worker.collect(db, garbage);
  await engine.recomputeSeenInTurns();
  return { ok: true, days: [...wanted].sort(), events, ms: Math.round(performance.now() - started) };
}

/** An event's identity: ids are unique per app (the log deduplicates per app). */
const appEventKey = (e: StoredEvent) => (e.app === undefined || e.app === '' || e.app === 'default' ? e.event_id : `${e.app}\n${e.event_id}`);
