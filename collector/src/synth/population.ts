import { hashUnit, mix32 } from './random.js';

/**
 * Who the synthetic users are and on which days they show up. A user is a pure function of
 * (seed, index): first day, loyalty, app, when they identify. Nothing is stored per user, so the
 * population can be large without memory cost.
 *
 * Days are indices relative to the first generated day; users whose first day is negative existed
 * before the window (so day 0 is not all new users and retention cohorts look realistic).
 */

export interface UserTraits {
  firstDay: number;
  /** Base probability of being active on a given day after the first. */
  loyalty: number;
  /** 0 web, 1 ios, 2 android. */
  app: 0 | 1 | 2;
  /** Day from which the user carries a `user_id` (from their 2nd event that day); Infinity if never. */
  identifyDay: number;
  userId: string;
  anonymousId: string;
}

export function userTraits(seed: number, index: number, days: number): UserTraits {
  return { ...coreTraits(seed, index, days), userId: userId(index), anonymousId: anonymousId(seed, index) };
}

type CoreTraits = Omit<UserTraits, 'userId' | 'anonymousId'>;

function coreTraits(seed: number, index: number, days: number): CoreTraits {
  const h1 = hashUnit(seed, index, 1);
  const h2 = hashUnit(seed, index, 2);
  const h3 = hashUnit(seed, index, 3);
  const h4 = hashUnit(seed, index, 4);
  const pre = Math.ceil(days * 1.5);
  const firstDay = Math.floor(h1 * (days + pre)) - pre;
  const loyalty = h2 < 0.15 ? 0.8 : h2 < 0.65 ? 0.35 : 0.1;
  const app = h3 < 0.6 ? 0 : h3 < 0.85 ? 1 : 2;
  const identifyDay = h4 < 0.6 ? firstDay + Math.floor(h4 * 5) : Infinity;
  return { firstDay, loyalty, app, identifyDay };
}

/** Whether user `index` is active on day `day` (first day always; afterwards decaying with age). */
export function isActive(seed: number, index: number, day: number, t: CoreTraits): boolean {
  if (day < t.firstDay) return false;
  if (day === t.firstDay) return true;
  const age = day - t.firstDay;
  const p = t.loyalty * (0.45 + 0.55 * Math.exp(-age / 10));
  return hashUnit(seed ^ 0x5bd1e995, index, day + 1000) < p;
}

/** The users active on `day`, in a seed-dependent order (so event slots spread them over the day). */
export function activeUsers(seed: number, population: number, days: number, day: number): Int32Array {
  const out = new Int32Array(population);
  let n = 0;
  for (let i = 0; i < population; i++) {
    if (isActive(seed, i, day, coreTraits(seed, i, days))) out[n++] = i;
  }
  const active = out.subarray(0, n);
  // Fisher–Yates with a per-day hash stream: deterministic, and no user is favoured by index.
  for (let k = n - 1; k > 0; k--) {
    const j = mix32((seed ^ Math.imul(day + 7, 0x9e3779b1)) + k) % (k + 1);
    const tmp = active[k]!;
    active[k] = active[j]!;
    active[j] = tmp;
  }
  return active;
}

export function userId(index: number): string {
  return `usr_${index.toString(36).padStart(5, '0')}`;
}

export function anonymousId(seed: number, index: number): string {
  return `anon_${mix32(seed ^ 0xa5a5a5a5 ^ index).toString(16).padStart(8, '0')}${index.toString(36)}`;
}
