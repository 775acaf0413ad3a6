import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { toCsv } from './csv.js';
import { BadParam, intParam } from './params.js';
import { createRealtimeFeed, REALTIME_MINUTES } from './realtime.js';

/**
 * `GET /api/analytics/info` (what a client needs to build its ranges: TALLY_TZ, today, the days
 * that hold data) and `GET /api/analytics/realtime` (the last 30 minutes). Auth is mounted by app.ts.
 */
export function liveRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const feed = createRealtimeFeed(deps.log, deps.clock);

  app.get('/api/analytics/info', (c) => {
    const a = deps.rollups;
    if (a.engine === undefined) return c.json({ ok: false, error: 'analytics are not available' }, 503);
    const days = a.engine.daysWithData('0000-01-01', '9999-12-31');
    return c.json({
      ok: true,
      time_zone: deps.config.timeZone,
      today: a.today(),
      now: new Date(deps.clock.now()).toISOString(),
      first_day: days[0] ?? null,
      last_day: days.at(-1) ?? null,
    });
  });

  app.get('/api/analytics/realtime', (c) => {
    const q = c.req.query();
    let limit: number;
    try {
      if (q.format !== undefined && q.format !== 'csv' && q.format !== 'json') throw new BadParam('format must be csv or json');
      if (q.app === '') throw new BadParam('app must not be empty');
      limit = intParam(q, 'latest', 0, 50, 20);
    } catch (err) {
      if (err instanceof BadParam) return c.json({ ok: false, error: err.message }, 400);
      throw err;
    }
    const now = deps.clock.now();
    const minutes = feed.minutes(now, deps.config.timeZone, q.app);
    if (q.format === 'csv') {
      c.header('content-type', 'text/csv; charset=utf-8');
      c.header('content-disposition', 'attachment; filename="realtime.csv"');
      return c.body(toCsv(['minute', 'label', 'events', 'users'], minutes.map((m) => [m.minute, m.label, m.events, m.users])));
    }
    return c.json({
      ok: true,
      now: new Date(now).toISOString(),
      time_zone: deps.config.timeZone,
      minutes_window: REALTIME_MINUTES,
      active_users: feed.activeUsers(now, q.app),
      events: minutes.reduce((s, m) => s + m.events, 0),
      minutes,
      latest: feed.latest(limit, q.app),
    });
  });

  return app;
}
