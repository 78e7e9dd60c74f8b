// @ts-check
// Money as the collector keeps it: exact integers of 1/10000 of the currency's unit
// (docs/http-api.md). The JSON carries amounts as numbers with at most four decimals, so
// each is read back into that integer before any arithmetic (a line total, a day's
// revenue), and shown from an exact decimal string: no float ever adds or multiplies money.

const SCALE = 10_000n;
const DECIMAL = /^(-?)(\d+)(?:\.(\d{1,4}))?$/;

/** An amount from a report row: a JSON number or a dot-decimal string. */
/** @typedef {number | string} Amount */

/**
 * An amount as an exact count of 1/10000 units. A JSON number is the double closest to a
 * decimal of at most four places, so rounding it to four places gives that decimal back.
 * @param {Amount} value
 * @returns {bigint}
 */
export function toUnits(value) {
  const text = typeof value === 'number' ? value.toFixed(4) : value.trim();
  const m = DECIMAL.exec(text);
  if (!m) throw new RangeError(`not an amount with at most four decimals: ${value}`);
  const units = BigInt(m[2] ?? '0') * SCALE + BigInt((m[3] ?? '').padEnd(4, '0'));
  return m[1] ? -units : units;
}

/** @param {bigint} units @returns {string} the exact decimal, e.g. 29995000n → "2999.5" */
export function unitsToDecimal(units) {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const frac = (abs % SCALE).toString().padStart(4, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / SCALE}${frac ? `.${frac}` : ''}`;
}

/** The closest double, for drawing (a bar's height), never for arithmetic. @param {bigint} units */
export function unitsToNumber(units) {
  return Number(unitsToDecimal(units));
}

/** A line's total, unit price × quantity, exact. @param {Amount} price @param {number} quantity */
export function lineTotal(price, quantity) {
  return toUnits(price) * BigInt(quantity);
}

/** @param {Iterable<bigint>} amounts */
export function sumUnits(amounts) {
  let sum = 0n;
  for (const a of amounts) sum += a;
  return sum;
}

/** @type {Map<string, (decimal: string) => string>} */
const formats = new Map();

/**
 * How one currency is written in the viewer's locale, with that currency's own fraction
 * digits (2 for EUR, 0 for JPY, 3 for BHD). Intl formats a decimal string exactly.
 * @param {string} currency
 */
function formatFor(currency) {
  let format = formats.get(currency);
  if (!format) {
    try {
      const intl = new Intl.NumberFormat(undefined, { style: 'currency', currency });
      format = (decimal) => intl.format(/** @type {Intl.StringNumericLiteral} */ (decimal));
    } catch {
      // a code Intl rejects still shows, as "12.50 X1"
      const intl = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
      format = (decimal) => `${intl.format(/** @type {Intl.StringNumericLiteral} */ (decimal))} ${currency}`;
    }
    formats.set(currency, format);
  }
  return format;
}

/**
 * An amount in its currency, in the viewer's locale; '' when there is no amount.
 * @param {Amount | bigint | null | undefined} value an amount from a row, or exact units
 * @param {string} currency
 */
export function money(value, currency) {
  if (value === null || value === undefined || value === '') return '';
  return formatFor(currency)(unitsToDecimal(typeof value === 'bigint' ? value : toUnits(value)));
}
