import type { StoredEvent } from '@tally/protocol';
import type { LogStore } from '../deps.js';

/** Minutes kept and answered: the realtime view shows the last 30. */
export const REALTIME_MINUTES = 30;
const LATEST = 50;
/** Per minute and app; far above a small team's traffic, and it bounds memory under a flood. */
const MAX_USERS_PER_BUCKET = 200_000;

interface Bucket {
  events: number;
  users: Set<string>;
}

export interface LatestEvent {
  received_at: string;
  event_type: string;
  feature: string | null;
  url: string | null;
  platform: string | null;
  app: string | null;
}

export interface MinutePoint {
  /** Start of the minute, ISO-8601 UTC. */
  minute: string;
  /** `HH:MM` of that minute in TALLY_TZ. */
  label: string;
  events: number;
  users: number;
}

export interface RealtimeFeed {
  minutes(now: number, timeZone: string, app?: string): MinutePoint[];
  latest(limit: number, app?: string): LatestEvent[];
  /** Distinct users over the whole 30 minutes. */
  activeUsers(now: number, app?: string): number;
  stop(): void;
}

/**
 * Events and users per minute of receipt, fed by the log's append hook, so an event shows here as
 * soon as it is durable (the rollups see it at the same moment). Held in memory only: after a
 * restart the last 30 minutes fill up again from new events. Minutes are the same instants in every
 * time zone in use today (offsets are whole minutes); only their labels are written in TALLY_TZ.
 */
export function createRealtimeFeed(log: LogStore, clock: { now(): number }): RealtimeFeed {
  const buckets = new Map<number, Map<string, Bucket>>();
  const latest: (LatestEvent & { minute: number })[] = [];
  const prune = (nowMinute: number) => {
    for (const m of buckets.keys()) if (m <= nowMinute - REALTIME_MINUTES) buckets.delete(m);
  };
  const add = (e: StoredEvent) => {
    const ms = Date.parse(e.received_at);
    const minute = Math.floor(ms / 60_000);
    let byApp = buckets.get(minute);
    if (byApp === undefined) buckets.set(minute, (byApp = new Map()));
    const app = e.app ?? '';
    let b = byApp.get(app);
    if (b === undefined) byApp.set(app, (b = { events: 0, users: new Set() }));
    b.events++;
    const user = e.user_id ?? e.anonymous_id;
    if (user !== undefined && b.users.size < MAX_USERS_PER_BUCKET) b.users.add(user);
    latest.push({
      minute,
      received_at: e.received_at,
      event_type: e.event_type,
      feature: e.feature ?? null,
      url: e.url ?? null,
      platform: e.context?.platform ?? null,
      app: e.app ?? null,
    });
    if (latest.length > LATEST * 20) latest.splice(0, latest.length - LATEST * 10);
  };
  const off = log.onAppend((events) => {
    for (const e of events) add(e);
    prune(Math.floor(clock.now() / 60_000));
  });
  const appBuckets = (m: number, app?: string): Bucket[] => {
    const byApp = buckets.get(m);
    if (!byApp) return [];
    if (app === undefined) return [...byApp.values()];
    const b = byApp.get(app);
    return b ? [b] : [];
  };
  return {
    minutes(now, timeZone, app) {
      const nowMinute = Math.floor(now / 60_000);
      prune(nowMinute);
      const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      const out: MinutePoint[] = [];
      for (let m = nowMinute - REALTIME_MINUTES + 1; m <= nowMinute; m++) {
        const list = appBuckets(m, app);
        const users = new Set<string>();
        let events = 0;
        for (const b of list) {
          events += b.events;
          for (const u of b.users) users.add(u);
        }
        out.push({ minute: new Date(m * 60_000).toISOString(), label: fmt.format(m * 60_000), events, users: users.size });
      }
      return out;
    },
    latest(limit, app) {
      const out: LatestEvent[] = [];
      for (let i = latest.length - 1; i >= 0 && out.length < limit; i--) {
        const e = latest[i]!;
        if (app !== undefined && e.app !== app) continue;
        const { minute: _m, ...rest } = e;
        out.push(rest);
      }
      return out;
    },
    activeUsers(now, app) {
      const nowMinute = Math.floor(now / 60_000);
      const users = new Set<string>();
      for (let m = nowMinute - REALTIME_MINUTES + 1; m <= nowMinute; m++) for (const b of appBuckets(m, app)) for (const u of b.users) users.add(u);
      return users.size;
    },
    stop: off,
  };
}
