/**
 * Leading characters that make Excel, LibreOffice and Google Sheets read a cell as a formula (or, for
 * tab and carriage return, hide one behind white space): OWASP's CSV-injection list.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell. Strings that would start a formula get a leading `'` (OWASP's rule: spreadsheets
 * show the text, not a formula's result); numbers are written as numbers, negative ones included.
 * Then RFC 4180 quoting.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (typeof v !== 'number' && typeof v !== 'bigint' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * RFC 4180 CSV with a header row: the one CSV writer, so every export (query API, dashboard
 * downloads) gets the formula neutralisation.
 */
export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
