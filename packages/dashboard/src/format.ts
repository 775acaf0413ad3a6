/** Numbers in the browser's locale. */
const int = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const pct = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const signedPct = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' });

export const fmt = (n: number) => int.format(n);
export const fmtPct = (n: number) => pct.format(n);

/** Relative change, or null when there is nothing to compare with. */
export function change(cur: number, prev: number): number | null {
  if (prev === 0) return cur === 0 ? 0 : null;
  return (cur - prev) / prev;
}

export type ChangeDir = 'up' | 'down' | 'flat';

// Changes are shown to 0.1 %: the arrow, its colour and the text all follow this one rounding, so
// a change that shows as 0 % is never drawn as a fall (or a rise).
const toShown = (c: number) => Math.round(c * 1000) / 1000;

/** Direction of a change as shown; `new` (nothing before) counts as up. */
export function changeDir(c: number | null): ChangeDir {
  if (c === null) return 'up';
  const r = toShown(c);
  return r > 0 ? 'up' : r < 0 ? 'down' : 'flat';
}

export function fmtChange(c: number | null): string {
  if (c === null) return 'new';
  const r = toShown(c);
  return r === 0 ? '±0%' : signedPct.format(r);
}

/** Calendar-day arithmetic on `YYYY-MM-DD`, done in UTC so no browser time zone shifts a day. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

const dayFmt = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
export const fmtDay = (day: string) => dayFmt.format(new Date(`${day}T00:00:00Z`));
export const isDay = (s: string | null | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
