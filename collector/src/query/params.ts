import { type Dim, DIMS } from '../rollup/index.js';
import { addDays, dayNumber, isDay } from '../shared/index.js';
import { SEGMENT_DIMS } from './segment.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from './top.js';

export class BadParam extends Error {}

type Q = Record<string, string | undefined>;

export function intParam(q: Q, name: string, min: number, max: number, fallback: number): number {
  const raw = q[name];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new BadParam(`${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

/** `limit` of a top-N list (docs/metrics.md#lists-and-limit). */
export const limitParam = (q: Q): number => intParam(q, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT);

export function enumParam<T extends string>(q: Q, name: string, allowed: readonly T[], fallback?: T): T {
  const raw = q[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new BadParam(`${name} is required (${allowed.join('|')})`);
    return fallback;
  }
  if (!(allowed as readonly string[]).includes(raw)) throw new BadParam(`${name} must be one of ${allowed.join(', ')}`);
  return raw as T;
}

/** `from`/`to` as calendar days; defaults to the `defaultDays` days ending today. */
export function rangeParams(q: Q, today: string, defaultDays: number): { from: string; to: string } {
  for (const name of ['from', 'to']) {
    const v = q[name];
    if (v !== undefined && !isDay(v)) throw new BadParam(`${name} must be a date YYYY-MM-DD`);
  }
  const to = q.to ?? today;
  const from = q.from ?? addDays(to, -(defaultDays - 1));
  if (from > to) throw new BadParam('from must not be after to');
  if (dayNumber(to) - dayNumber(from) > 731) throw new BadParam('from..to may span at most 732 days');
  return { from, to };
}

export function segmentParams(q: Q): Partial<Record<Dim, string>> {
  const out: Partial<Record<Dim, string>> = {};
  for (const d of SEGMENT_DIMS) {
    const v = q[d];
    if (v === undefined) continue;
    if (v === '') throw new BadParam(`${d} must not be empty`);
    out[d] = v;
  }
  return out;
}

const WITHIN = /^(\d{1,4})(d|h|m)$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

export function withinParam(q: Q): number {
  const raw = q.within ?? '7d';
  const m = WITHIN.exec(raw);
  if (!m || Number(m[1]) === 0) throw new BadParam('within must look like 7d, 12h or 30m');
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export function stepsParam(q: Q): { event_type: string; feature?: string }[] {
  const raw = q.steps;
  if (raw === undefined || raw === '') throw new BadParam('steps is required, e.g. page_view:pricing,action:signup_button');
  const steps = raw.split(',').map((s) => {
    const i = s.indexOf(':');
    const type = i === -1 ? s : s.slice(0, i);
    const feature = i === -1 ? undefined : s.slice(i + 1);
    if (type === '' || feature === '') throw new BadParam(`steps: "${s}" must be event_type or event_type:feature`);
    return feature === undefined ? { event_type: type } : { event_type: type, feature };
  });
  if (steps.length < 2 || steps.length > 10) throw new BadParam('steps must list 2 to 10 steps');
  return steps;
}

export const BREAKDOWN_DIMS: readonly Dim[] = DIMS;
