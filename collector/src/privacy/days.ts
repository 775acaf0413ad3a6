/** Calendar-day arithmetic for erasure and retention (days as `YYYY-MM-DD` strings). */

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

/** `day` shifted by `n` calendar days (n may be negative). */
export function addDays(day: string, n: number): string {
  const ms = Date.parse(`${day}T00:00:00.000Z`) + n * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}
