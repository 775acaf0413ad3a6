/**
 * Calendar arithmetic. Days are `YYYY-MM-DD` strings in TALLY_TZ; once an instant is mapped to its
 * zone's calendar day (through Intl, which knows the DST rules), everything else is plain date
 * arithmetic on the date itself, so it is done in UTC where every day has 24 hours.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of instant `ms` in IANA zone `timeZone`. */
export function dayInZone(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(ms);
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a calendar day (a dense integer, handy as an array index). */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

export function dayFromNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return dayFromNumber(dayNumber(day) + n);
}

/** Monday of the ISO week that holds `day`. */
export function weekStart(day: string): string {
  const n = dayNumber(day);
  // 1970-01-01 was a Thursday: (n + 3) % 7 is 0 on Mondays.
  const dow = (((n + 3) % 7) + 7) % 7;
  return dayFromNumber(n - dow);
}

/** ISO week label, e.g. `2026-W47` (the year is the ISO week-numbering year). */
export function isoWeek(day: string): string {
  const thursday = dayNumber(weekStart(day)) + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const jan1 = dayNumber(`${year}-01-01`);
  const week = Math.floor((thursday - jan1) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Every day from `from` to `to`, both included. */
export function dayRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let n = dayNumber(from), end = dayNumber(to); n <= end; n++) out.push(dayFromNumber(n));
  return out;
}

/**
 * `dayInZone` memoized per 15-minute slot: every UTC offset in use today is a multiple of 15
 * minutes, so a slot never straddles a zone's midnight, and Intl runs once per slot, not per event.
 */
export function dayMapper(timeZone: string): (ms: number) => string {
  const slots = new Map<number, string>();
  return (ms) => {
    const slot = Math.floor(ms / 900_000);
    let day = slots.get(slot);
    if (day === undefined) {
      if (slots.size > 100_000) slots.clear();
      day = dayInZone(ms, timeZone);
      slots.set(slot, day);
    }
    return day;
  };
}
