import { addDays, daysBetween, isDay } from './format.js';

export const VIEWS = ['overview', 'realtime', 'funnels', 'retention', 'completeness'] as const;
export type View = (typeof VIEWS)[number];
export const PRESETS = [
  ['today', 'Today', 1],
  ['7d', '7 days', 7],
  ['30d', '30 days', 30],
  ['90d', '90 days', 90],
  ['365d', '365 days', 365],
] as const;
/** The dimensions the query API filters and breaks down by, in the order the tables appear. */
export const DIMS = ['feature', 'event_type', 'url', 'platform', 'app_version', 'browser', 'os', 'device_type', 'app'] as const;
export type Dim = (typeof DIMS)[number];
export const DIM_LABELS: Record<Dim, string> = {
  feature: 'Feature',
  event_type: 'Event type',
  url: 'URL',
  platform: 'Platform',
  app_version: 'App version',
  browser: 'Browser',
  os: 'OS',
  device_type: 'Device type',
  app: 'App',
};

/** Everything a view shows is decided by the URL, so any view can be bookmarked or sent. */
export interface State {
  view: View;
  range: string;
  from?: string;
  to?: string;
  filters: Partial<Record<Dim, string>>;
  /** View-specific: chart metric, funnel steps and window, retention cohort size. */
  extra: Record<string, string>;
}

const EXTRA = ['metric', 'steps', 'within', 'cohort'];

export function readState(loc: Location = location): State {
  const seg = loc.pathname.replace(/^\/dashboard\/?/, '').split('/')[0] ?? '';
  const view = (VIEWS as readonly string[]).includes(seg) ? (seg as View) : 'overview';
  const q = new URLSearchParams(loc.search);
  const filters: State['filters'] = {};
  for (const d of DIMS) {
    const v = q.get(d);
    if (v) filters[d] = v;
  }
  const extra: Record<string, string> = {};
  for (const k of EXTRA) {
    const v = q.get(k);
    if (v) extra[k] = v;
  }
  const from = q.get('from');
  const to = q.get('to');
  if (isDay(from) && isDay(to) && from <= to) return { view, range: 'custom', from, to, filters, extra };
  const range = q.get('range');
  return { view, range: PRESETS.some((p) => p[0] === range) ? range! : '30d', filters, extra };
}

export function stateUrl(s: State): string {
  const q = new URLSearchParams();
  if (s.range === 'custom' && s.from && s.to) {
    q.set('from', s.from);
    q.set('to', s.to);
  } else if (s.range !== '30d') q.set('range', s.range);
  for (const d of DIMS) if (s.filters[d] !== undefined) q.set(d, s.filters[d]!);
  for (const [k, v] of Object.entries(s.extra)) if (v) q.set(k, v);
  const qs = q.toString();
  return `/dashboard${s.view === 'overview' ? '' : `/${s.view}`}${qs ? `?${qs}` : ''}`;
}

export interface Range {
  from: string;
  to: string;
  days: number;
  prevFrom: string;
  prevTo: string;
}

/** The chosen range as calendar days in TALLY_TZ (today comes from the collector), and the period before it. */
export function resolveRange(s: State, today: string): Range {
  let from: string;
  let to: string;
  if (s.range === 'custom' && s.from && s.to) {
    from = s.from;
    to = s.to;
  } else {
    const n = PRESETS.find((p) => p[0] === s.range)?.[2] ?? 30;
    to = today;
    from = addDays(today, -(n - 1));
  }
  const days = daysBetween(from, to);
  return { from, to, days, prevTo: addDays(from, -1), prevFrom: addDays(from, -days) };
}

/** The filters as query parameters of the API. */
export const filterParams = (s: State): Record<string, string> => ({ ...s.filters }) as Record<string, string>;
