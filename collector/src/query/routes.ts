import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.js';
import { addDays, utcDay } from '../shared/index.js';
import { toCsv } from './csv.js';
import { funnel } from './funnel.js';
import { BadParam, BREAKDOWN_DIMS, enumParam, intParam, limitParam, rangeParams, segmentParams, stepsParam, withinParam } from './params.js';
import { liveRoutes } from './live-routes.js';
import { defaultCohortFrom, retention } from './retention.js';
import { resolveSegment } from './segment.js';
import { breakdownAsync } from './breakdown.js';
import { timeseries } from './series.js';
import { usage } from './usage.js';

type Table = { header: string[]; rows: unknown[][] };

const wantsCsv = (c: Context) => c.req.query('format') === 'csv' || (c.req.header('accept') ?? '').includes('text/csv');

/** The query API under `/api/analytics/` (auth is mounted by app.ts). Every answer is exact. */
export function queryRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const handle = (name: string, fn: (q: Record<string, string>, c: Context) => { json: object; table: Table } | Promise<{ json: object; table: Table }>) =>
    app.get(`/api/analytics/${name}`, async (c) => {
      const a = deps.rollups;
      if (a.engine === undefined) return c.json({ ok: false, error: 'analytics are not available' }, 503);
      const q = c.req.query();
      const format = q.format;
      if (format !== undefined && format !== 'csv' && format !== 'json') return c.json({ ok: false, error: 'format must be csv or json' }, 400);
      try {
        const out = await fn(q, c);
        if (!wantsCsv(c)) return c.json(out.json);
        c.header('content-type', 'text/csv; charset=utf-8');
        c.header('content-disposition', `attachment; filename="${name}.csv"`);
        return c.body(toCsv(out.table.header, out.table.rows));
      } catch (err) {
        if (err instanceof BadParam) return c.json({ ok: false, error: err.message }, 400);
        throw err;
      }
    });
  const ctx = (q: Record<string, string>) => {
    const engine = deps.rollups.engine!;
    return { engine, today: deps.rollups.today(), seg: resolveSegment(engine, segmentParams(q)) };
  };

  handle('usage', (q) => {
    const days = intParam(q, 'days', 1, 365, 30);
    const limit = limitParam(q);
    const { engine, today, seg } = ctx(q);
    // `to` ends the window on another day than today: the dashboard's previous-period comparison.
    const end = q.to === undefined ? today : rangeParams({ from: q.to, to: q.to }, today, 1).to;
    const u = usage(engine, end, days, seg, new Date(deps.clock.now()).toISOString(), limit);
    const rows: unknown[][] = [
      ['period_days', '', u.period_days],
      ['dau', '', u.dau],
      ['wau', '', u.wau],
      ['mau', '', u.mau],
      ['total_events', '', u.total_events],
      ['unique_days', '', u.unique_days],
      ['unique_weeks', '', u.unique_weeks],
      ...Object.entries(u.funnel_steps).map(([k, v]) => ['funnel_steps', k, v]),
      ...u.feature_usage.map((f) => ['feature_usage', f.feature, f.events]),
    ];
    return { json: u, table: { header: ['metric', 'key', 'value'], rows } };
  });

  handle('timeseries', (q) => {
    const metric = enumParam(q, 'metric', ['active_users', 'events'] as const, 'active_users');
    const interval = enumParam(q, 'interval', ['day', 'week'] as const, 'day');
    const { engine, today, seg } = ctx(q);
    const { from, to } = rangeParams(q, today, 30);
    const points = timeseries(engine, metric, interval, from, to, seg);
    return {
      json: { ok: true, metric, interval, from, to, points },
      table: { header: ['period', metric], rows: points.map((p) => [p.period, p.value]) },
    };
  });

  handle('breakdown', async (q) => {
    const by = enumParam(q, 'by', BREAKDOWN_DIMS);
    const limit = limitParam(q);
    const { engine, today, seg } = ctx(q);
    const { from, to } = rangeParams(q, today, 30);
    // users=false: events only, no pass over the rows (the dashboard's previous-period change column).
    const withUsers = enumParam(q, 'users', ['true', 'false'] as const, 'true') === 'true';
    const { rows, omitted } = await breakdownAsync(engine, by, from, to, seg, limit, withUsers);
    return {
      // `total_rows`: how many values there are in all (the dashboard shows "top 10 of N").
      json: { ok: true, by, from, to, rows, omitted, total_rows: rows.length + omitted.values },
      table: withUsers
        ? { header: [by, 'events', 'users'], rows: rows.map((r) => [r.value, r.events, r.users]) }
        : { header: [by, 'events'], rows: rows.map((r) => [r.value, r.events]) },
    };
  });

  // Several dimensions of one range in one answer (the dashboard's overview: nine tables, one
  // request and one pass over the rows instead of nine).
  handle('breakdowns', async (q) => {
    const raw = q.by;
    if (raw === undefined || raw === '') throw new BadParam(`by is required: a comma-separated list of ${BREAKDOWN_DIMS.join(', ')}`);
    const dims = [...new Set(raw.split(','))];
    for (const d of dims) if (!(BREAKDOWN_DIMS as readonly string[]).includes(d)) throw new BadParam(`by must list values of ${BREAKDOWN_DIMS.join(', ')}`);
    const limit = limitParam(q);
    const withUsers = enumParam(q, 'users', ['true', 'false'] as const, 'true') === 'true';
    const { engine, today, seg } = ctx(q);
    const { from, to } = rangeParams(q, today, 30);
    const breakdowns: Record<string, object> = {};
    const rows: unknown[][] = [];
    for (const by of dims as typeof BREAKDOWN_DIMS[number][]) {
      const b = await breakdownAsync(engine, by, from, to, seg, limit, withUsers);
      breakdowns[by] = { rows: b.rows, omitted: b.omitted, total_rows: b.rows.length + b.omitted.values };
      for (const r of b.rows) rows.push(withUsers ? [by, r.value, r.events, r.users] : [by, r.value, r.events]);
    }
    return {
      json: { ok: true, from, to, breakdowns },
      table: { header: withUsers ? ['by', 'value', 'events', 'users'] : ['by', 'value', 'events'], rows },
    };
  });

  handle('funnel', async (q) => {
    const steps = stepsParam(q);
    const within = withinParam(q);
    const { engine, today, seg } = ctx(q);
    const { from, to } = rangeParams(q, today, 30);
    const rows = await funnel(engine, steps, within, from, to, seg);
    return {
      json: { ok: true, from, to, within: q.within ?? '7d', steps: rows },
      table: {
        header: ['step', 'users', 'conversion_from_previous', 'conversion_from_first'],
        rows: rows.map((r) => [r.step, r.users, r.conversion_from_previous, r.conversion_from_first]),
      },
    };
  });

  handle('retention', (q) => {
    const cohort = enumParam(q, 'cohort', ['day', 'week'] as const, 'week');
    const periods = intParam(q, 'periods', 1, 52, 8);
    const { engine, today, seg } = ctx(q);
    // Validates from/to; the default range is `periods` whole periods (defaultCohortFrom).
    const { to } = rangeParams(q, today, periods);
    const from = q.from ?? defaultCohortFrom(cohort, periods, to);
    const cohorts = retention(engine, cohort, periods, from, to, today, seg);
    const header = ['cohort', 'size', ...Array.from({ length: periods + 1 }, (_, k) => `period_${k}`)];
    return {
      json: { ok: true, cohort, periods, from, to, cohorts },
      table: { header, rows: cohorts.map((c) => [c.cohort, c.size, ...c.retention]) },
    };
  });

  handle('completeness', (q) => {
    const days = intParam(q, 'days', 1, 365, 30);
    const { app: appFilter, ...others } = segmentParams(q);
    const other = Object.keys(others)[0];
    // The ledger counts requests per app; events were never split by platform, type... there.
    if (other !== undefined) throw new BadParam(`${other}: completeness can only be filtered by app`);
    // The ledger counts per UTC receipt day: that is when the collector saw the requests.
    const to = utcDay(deps.clock.now());
    const from = addDays(to, -(days - 1));
    const list = deps.rollups.completeness(from, to, appFilter);
    const reasons = [...new Set(list.flatMap((d) => Object.keys(d.rejected)))].sort();
    const otherDims = [...new Set(list.flatMap((d) => Object.keys(d.other)))].sort();
    return {
      json: { ok: true, from, to, days: list },
      table: {
        header: ['day', 'accepted', 'duplicates', 'rejected_total', 'bots', 'dropped', ...reasons.map((r) => `rejected_${r}`), ...otherDims.map((o) => `other_${o}`)],
        rows: list.map((d) => [
          d.day, d.accepted, d.duplicates, d.rejected_total, d.bots, d.dropped,
          ...reasons.map((r) => d.rejected[r] ?? 0),
          ...otherDims.map((o) => d.other[o] ?? 0),
        ]),
      },
    };
  });

  app.route('/', liveRoutes(deps));
  return app;
}
