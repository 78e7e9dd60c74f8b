// Exact decimal arithmetic for amounts that arrive as line totals (Web Extend) and must leave as
// unit prices: BigInt over the digits, never float division, so 59.97 for 3 is "19.99", not
// 19.989999999999998.

/**
 * An amount as [digits scaled by 10^scale, scale]. A number is rounded to 4 decimals first, as
 * the collector rounds it (1.1 * 3 is 3.3000000000000003: 3.3), then read in its shortest form.
 */
const parse = (v: unknown): [bigint, number] | undefined => {
  const m = /^(-?)(\d{1,13})(?:\.(\d{1,4}))?$/.exec(typeof v == 'number' ? '' + +v.toFixed(4) : typeof v == 'string' ? v : '');
  return m ? [BigInt(m[1] + m[2] + (m[3] || '')), (m[3] || '').length] : undefined;
};

/** A scaled integer back to a dot-decimal string: (1999n, 2) → "19.99". */
const format = (n: bigint, scale: number): string => {
  const s = (n < 0 ? -n : n).toString().padStart(scale + 1, '0');
  return (n < 0 ? '-' : '') + (scale ? s.slice(0, -scale) + '.' + s.slice(-scale) : s);
};

/**
 * A line total split into unit prices: one `[price, quantity]` when it divides exactly within 4
 * decimals (the most the collector keeps), else two of the same line whose sum is still the
 * exact total ("10.00" for 3: 2 × "3.33" and 1 × "3.34"). Undefined when `total` is not an
 * amount or `quantity` not a whole number from 1 to 1,000,000.
 */
export function unitPrices(total: unknown, quantity: unknown): [string, number][] | undefined {
  const t = parse(total);
  const q = +(quantity ?? 1);
  if (!t || !(q > 0 && q <= 1e6 && q % 1 == 0)) return;
  const n = BigInt(q);
  for (let scale = t[1]; scale <= 4; scale++) {
    const v = t[0] * 10n ** BigInt(scale - t[1]);
    if (v % n == 0n) return [[format(v / n, scale), q]];
  }
  // Not exact within 4 decimals: cents (or the total's own decimals) for every unit, the
  // remainder spread one smallest unit each over the last `r` units.
  const scale = Math.max(t[1], 2);
  const v = t[0] * 10n ** BigInt(scale - t[1]);
  const sign = v < 0 ? -1n : 1n;
  const base = (sign * v) / n;
  const r = Number((sign * v) % n);
  return [
    [format(sign * base, scale), q - r],
    [format(sign * (base + 1n), scale), r],
  ];
}

/** The exact sum of amounts, or undefined when one is not an amount. */
export function sum(amounts: unknown[]): string | undefined {
  let scale = 0;
  const parts: [bigint, number][] = [];
  for (const a of amounts) {
    const p = parse(a);
    if (!p) return;
    parts.push(p);
    scale = Math.max(scale, p[1]);
  }
  return format(
    parts.reduce((acc, [v, s]) => acc + v * 10n ** BigInt(scale - s), 0n),
    scale,
  );
}
