import { hashUnit } from './random.js';
import type { UserTraits } from './population.js';
import { isoString } from '../shared/index.js';

/**
 * Builds one synthetic event as an NDJSON line (a valid `StoredEvent`). Lines are assembled by hand
 * rather than with JSON.stringify because every value here is plain ASCII we chose ourselves — no
 * escaping needed — and that keeps the generator at millions of events per second.
 */

const PAGES = ['home', 'pricing', 'docs', 'dashboard', 'settings', 'blog'];
const ACTIONS = ['signup_button', 'search', 'export', 'share', 'filter', 'invite'];
const CONVERSIONS = ['signup', 'purchase', 'upgrade'];
const APPS = ['web', 'ios', 'android'] as const;
const WEB_CLIENTS = [
  '"browser":"Chrome","os":"Windows","device_type":"desktop"',
  '"browser":"Chrome","os":"macOS","device_type":"desktop"',
  '"browser":"Safari","os":"macOS","device_type":"desktop"',
  '"browser":"Firefox","os":"Linux","device_type":"desktop"',
  '"browser":"Safari","os":"iOS","device_type":"mobile"',
  '"browser":"Chrome","os":"Android","device_type":"mobile"',
];
const LOCALES = ['en-US', 'de-DE', 'fr-FR', 'es-ES', 'ja-JP'];

export interface EventSlot {
  seed: number;
  /** Prefix making event ids unique per seed and day. */
  idPrefix: string;
  slot: number;
  day: number;
  user: number;
  traits: UserTraits;
  /** The user's how-many-th event of the day (drives the funnel). */
  nth: number;
  timeMs: number;
  receivedMs: number;
}

function pick<T>(list: readonly T[], u: number): T {
  return list[Math.floor(u * list.length)]!;
}

/** Event type and feature for a user's nth event of the day: landing page, then a funnel for some. */
function kind(s: EventSlot): [type: string, feature: string | undefined, meta: string | undefined] {
  const { seed, user, day, nth, slot } = s;
  const funnel = hashUnit(seed, user, day * 16 + 7) < 0.35;
  const clicks = funnel && hashUnit(seed, user, day * 16 + 8) < 0.5;
  const buys = clicks && hashUnit(seed, user, day * 16 + 9) < 0.4;
  const u = hashUnit(seed, slot, day * 16 + 10);
  const v = hashUnit(seed, slot, day * 16 + 11);
  if (nth === 0) return ['page_view', funnel ? 'pricing' : pick(PAGES, v), undefined];
  if (nth === 1 && clicks) return ['action', 'signup_button', '{"button":"primary"}'];
  if (nth === 2 && buys) return ['conversion', 'signup', '{"plan":"team"}'];
  if (u < 0.5) return ['page_view', pick(PAGES, v), undefined];
  if (u < 0.88) return ['action', pick(ACTIONS, v), undefined];
  if (u < 0.91) return ['conversion', pick(CONVERSIONS, v), `{"value":${Math.floor(v * 200)}}`];
  if (u < 0.92) return ['error', undefined, '{"message":"TypeError: x is undefined"}'];
  if (u < 0.97) return ['web_vital', undefined, `{"name":"LCP","value":${Math.floor(500 + v * 3000)}}`];
  return ['video.play', 'tutorial', undefined];
}

/** `Date#toISOString` without allocating a Date: the generator formats three timestamps per event. */
export const iso = isoString;

/**
 * The part of a line that only depends on the user and the day (ids, session, context, app),
 * pre-encoded once per user and day: writing a few long cached byte runs is far cheaper than
 * flattening a many-piece string per event.
 */
export function userDayTail(seed: number, user: number, day: number, traits: UserTraits): Buffer {
  const app = APPS[traits.app];
  const version = `2.${Math.floor((day - traits.firstDay) / 30 + hashUnit(seed, user, 5) * 3)}.${traits.app}`;
  const web = traits.app === 0;
  const client = web ? WEB_CLIENTS[Math.floor(hashUnit(seed, user, 8) * WEB_CLIENTS.length)]! : traits.app === 1 ? '"os":"iOS","device_type":"mobile"' : '"os":"Android","device_type":"mobile"';
  const locale = pick(LOCALES, hashUnit(seed, user, 9));
  return Buffer.from(
    `,"anonymous_id":"${traits.anonymousId}","session_id":"s_${user.toString(36)}_${day + 1000}"` +
      `,"context":{"app_version":"${version}","platform":"${app}",${client},"locale":"${locale}"},"app":"${app}"}\n`,
    'latin1',
  );
}

/** The per-event part of a line: everything up to (not including) the user/day tail. */
export function eventHead(s: EventSlot): string {
  const { seed, user, day, traits } = s;
  const [type, feature, meta] = kind(s);
  const identified = day > traits.identifyDay || (day === traits.identifyDay && s.nth > 0);
  const time = iso(s.timeMs);
  // 2% of clients have a wrong clock: `ts` is what they sent, `time` the collector's correction.
  const skew = hashUnit(seed, user, 6) < 0.02 ? Math.floor((hashUnit(seed, user, 7) - 0.5) * 7_200_000) : 0;
  const ts = skew === 0 ? time : iso(s.timeMs + skew);
  let line = `{"event_id":"${s.idPrefix}${s.slot.toString(36)}","event_type":"${type}","ts":"${ts}","time":"${time}","received_at":"${iso(s.receivedMs)}"`;
  if (feature !== undefined) line += `,"feature":"${feature}"`;
  if (identified) line += `,"user_id":"${traits.userId}"`;
  if (traits.app === 0 && feature !== undefined) line += `,"url":"https://app.example.com/${feature}"`;
  if (meta !== undefined) line += `,"metadata":${meta}`;
  return line;
}

/** One whole NDJSON line (tests and small callers; the generator writes head and tail separately). */
export function eventLine(s: EventSlot): string {
  return eventHead(s) + userDayTail(s.seed, s.user, s.day, s.traits).toString('latin1');
}
