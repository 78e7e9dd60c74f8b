// Money is stored exactly, as integer units of 1/10000 of the currency (a `bigint` here,
// BIGINT in the database), so sums never drift. Wire values are numbers or dot-decimal
// strings (protocol `Money`); strings are exact, numbers are rounded to 4 decimals.

export const MONEY_SCALE = 10_000n;
/** (zeros after the 4th decimal are taken: MONEY_PATTERN) */
const DECIMAL = /^(-?)([0-9]+)(?:\.([0-9]{1,4})0*)?$/;

/** A validated wire value (`Money`) → scaled integer. Throws on anything else. */
export function parseMoney(value: number | string): bigint {
  const text = typeof value === 'number' ? numberToDecimal(value) : value;
  const m = DECIMAL.exec(text);
  if (!m) throw new Error(`not a dot-decimal amount: ${text}`);
  const scaled = BigInt(m[2]) * MONEY_SCALE + BigInt((m[3] ?? '').padEnd(4, '0'));
  return m[1] === '-' ? -scaled : scaled;
}

function numberToDecimal(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite amount: ${n}`);
  const text = n.toFixed(4); // exact decimal expansion of the double, rounded to 4 places
  return text === '-0.0000' ? '0' : text;
}

/** Scaled integer → shortest exact decimal string: 29995000n → "2999.5". */
export function formatMoney(scaled: bigint): string {
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const whole = abs / MONEY_SCALE;
  const frac = (abs % MONEY_SCALE).toString().padStart(4, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** Scaled integer → JSON number (the closest double to the exact decimal). */
export function moneyToNumber(scaled: bigint): number {
  return Number(formatMoney(scaled));
}

/** a / b rounded half away from zero, both scaled or plain counts (b > 0). */
export function divRound(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  const r = a % b;
  if (2n * (r < 0n ? -r : r) >= b) return a < 0n ? q - 1n : q + 1n;
  return q;
}
