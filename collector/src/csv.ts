// CSV out (RFC 4180, CRLF, UTF-8). Every tracked string is hostile: a text value that a
// spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading '.
// Numbers the collector itself writes (money, counts) are never prefixed.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvNumber(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

export function csvLine(cells: readonly string[]): string {
  return `${cells.join(',')}\r\n`;
}
