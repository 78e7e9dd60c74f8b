// CSV out (RFC 4180, CRLF, UTF-8). Every tracked string is hostile: a text value that a
// spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading '.
// So does such a start after a ';' inside a value: spreadsheets in many locales (German,
// French…) open a .csv with ';' as the separator, where it begins a cell of its own.
// Numbers the collector itself writes (money, counts) are never prefixed.

const FORMULA_START = /(^|;)([=+\-@\t\r])/g;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const safe = value.replace(FORMULA_START, "$1'$2");
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvNumber(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

export function csvLine(cells: readonly string[]): string {
  return `${cells.join(',')}\r\n`;
}
