import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { hashUnit, mix32, seedOf } from './random.js';
import { activeUsers, userTraits, type UserTraits } from './population.js';
import { eventHead, userDayTail } from './events.js';

export interface GenerateOptions {
  dataDir: string;
  days: number;
  eventsPerDay: number;
  /** Size of the user population over the whole period (daily active users are a share of it). */
  users: number;
  seed: string;
  /** Last generated UTC day, `YYYY-MM-DD`. */
  end: string;
  /** Share of events that arrive 1–7 days after they happened (default 1%). */
  lateShare?: number;
  /**
   * Write only the day files in this inclusive range of the plan (same people, same events as a full
   * run). Lets a benchmark generate and roll up a long period in slices, as nightly rollups would.
   */
  only?: { from: string; to: string };
}

export interface GenerateStats {
  files: string[];
  events: number;
  lateEvents: number;
  bytes: number;
  /** Mean over days of the distinct users that received at least one event slot that day. */
  meanDailyUsers: number;
  seconds: number;
}

const DAY_MS = 86_400_000;
const BUFFER_BYTES = 4 << 20;
const MAX_LINE_BYTES = 4096;

export class TargetExistsError extends Error {
  constructor(readonly path: string) {
    super(`refusing to overwrite existing log file ${path}`);
    this.name = 'TargetExistsError';
  }
}

/** The UTC day files `generateLog` would write, oldest first. */
export function generatedDays(end: string, days: number): string[] {
  const endMs = Date.parse(`${end}T00:00:00.000Z`);
  return Array.from({ length: days }, (_, i) => new Date(endMs - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/**
 * Writes a synthetic log straight into `<dataDir>/events/YYYY-MM-DD.ndjson` (one file per UTC
 * receipt day, the log store's format). Streams in 1 MiB chunks; each file is written under a
 * temporary name, fsynced and renamed, so a crash never leaves a half-written day behind.
 * Refuses to overwrite an existing day file (it would be someone's real data).
 */
export function generateLog(opts: GenerateOptions): GenerateStats {
  const started = performance.now();
  const seed = seedOf(opts.seed);
  const lateShare = opts.lateShare ?? 0.01;
  const dir = join(opts.dataDir, 'events');
  const dayNames = generatedDays(opts.end, opts.days);
  const wanted = (d: string) => opts.only === undefined || (d >= opts.only.from && d <= opts.only.to);
  for (const d of dayNames.filter(wanted)) {
    const path = join(dir, `${d}.ndjson`);
    if (existsSync(path)) throw new TargetExistsError(path);
  }
  mkdirSync(dir, { recursive: true });
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  // Per day: each active user's traits and pre-encoded line tail (see events.ts).
  const userCache = new Map<number, { traits: UserTraits; tail: Buffer }>();
  let cacheDay = -1;
  const userOn = (u: number, day: number) => {
    if (day !== cacheDay) {
      userCache.clear();
      cacheDay = day;
    }
    let c = userCache.get(u);
    if (c === undefined) {
      const traits = userTraits(seed, u, opts.days);
      c = { traits, tail: userDayTail(seed, u, day, traits) };
      userCache.set(u, c);
    }
    return c;
  };
  const stats: GenerateStats = { files: [], events: 0, lateEvents: 0, bytes: 0, meanDailyUsers: 0, seconds: 0 };
  let distinctSum = 0;
  const n = opts.eventsPerDay;
  let written = 0;
  for (let day = 0; day < opts.days; day++) {
    const name = dayNames[day]!;
    if (!wanted(name)) continue;
    written++;
    const dayStart = Date.parse(`${name}T00:00:00.000Z`);
    const active = activeUsers(seed, opts.users, opts.days, day);
    const counts = new Uint16Array(active.length);
    const idPrefix = `g${seed.toString(36)}-${(day + Math.floor(dayStart / DAY_MS)).toString(36)}-`;
    const path = join(dir, `${name}.ndjson`);
    const tmp = `${path}.gen-${process.pid}`;
    const fd = openSync(tmp, 'w');
    let used = 0;
    let cycle = 0;
    let distinct = 0;
    try {
      for (let slot = 0; slot < n && active.length > 0; slot++) {
        // Three quarters of the slots walk the (shuffled) active set so every active user appears;
        // the rest go to a skewed few — the power users every product has.
        let pos: number;
        const mustCover = cycle < active.length && n - slot <= active.length - cycle;
        if (mustCover || hashUnit(seed, slot, day * 4 + 1) < 0.75) {
          pos = cycle % active.length;
          cycle++;
        } else {
          pos = Math.floor(active.length * hashUnit(seed, slot, day * 4 + 2) ** 3);
        }
        const user = active[pos]!;
        const nth = counts[pos]!;
        if (nth === 0) distinct++;
        if (nth < 65535) counts[pos] = nth + 1;
        const receivedMs = dayStart + Math.floor(((slot + 0.5) * DAY_MS) / n);
        let timeMs = receivedMs - Math.floor(hashUnit(seed, slot, day * 4 + 3) * 2000);
        if (day > 0 && hashUnit(mix32(seed), slot, day) < lateShare) {
          timeMs -= (1 + Math.floor(hashUnit(seed, slot, day * 4 + 4) * 7)) * DAY_MS;
          stats.lateEvents++;
        }
        const { traits, tail } = userOn(user, day);
        // latin1 is exact here: lines are pure ASCII (see events.ts), and it skips UTF-8 encoding.
        used += buffer.write(eventHead({ seed, idPrefix, slot, day, user, traits, nth, timeMs, receivedMs }), used, 'latin1');
        used += tail.copy(buffer, used);
        if (used > BUFFER_BYTES - MAX_LINE_BYTES) {
          stats.bytes += writeSync(fd, buffer, 0, used);
          used = 0;
        }
      }
      if (used > 0) stats.bytes += writeSync(fd, buffer, 0, used);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    stats.files.push(path);
    stats.events += Math.min(n, active.length > 0 ? n : 0);
    distinctSum += distinct;
  }
  stats.meanDailyUsers = written > 0 ? Math.round(distinctSum / written) : 0;
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}
