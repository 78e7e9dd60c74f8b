// @ts-check
// The chart's data from the timeseries report: which currency's revenue it shows and one
// point per day (net revenue, refunds, abandoned carts), with sums kept exact (money.js).
import { DAY } from './axis.js';
import { toUnits } from './money.js';

/** @typedef {import('./api.js').DayRow} DayRow */

/**
 * The currency whose revenue is charted: amounts in different currencies cannot share an
 * axis, so the account's default wins when it has revenue, else the most used one.
 * @param {DayRow[]} rows
 * @param {string} preferred
 */
export function chartCurrency(rows, preferred) {
  /** @type {Map<string, number>} */
  const used = new Map();
  for (const r of rows) if (toUnits(r.revenue) > 0n) used.set(r.currency, (used.get(r.currency) ?? 0) + 1);
  const [mostUsed] = [...used].sort((a, b) => b[1] - a[1]);
  return !mostUsed || used.has(preferred) ? preferred : mostUsed[0];
}

/** @param {string} isoDay @returns {number} epoch seconds of the UTC day's start */
const daySeconds = (isoDay) => Date.parse(`${isoDay}T00:00:00Z`) / 1000;

/**
 * Every day from the first to the last, zero where the collector had no row: the day
 * (epoch seconds); the gross revenue, refunds and net revenue in `currency` (exact); the
 * abandoned carts of every currency.
 * @param {DayRow[]} rows at least one
 * @param {string} currency
 */
export function dailySeries(rows, currency) {
  /** @type {Map<number, { gross: bigint, refunded: bigint }>} */
  const money = new Map();
  /** @type {Map<number, number>} */
  const abandoned = new Map();
  for (const r of rows) {
    const t = daySeconds(r.date);
    if (r.currency === currency) {
      const day = money.get(t) ?? { gross: 0n, refunded: 0n };
      money.set(t, { gross: day.gross + toUnits(r.revenue), refunded: day.refunded + toUnits(r.refunded) });
    }
    abandoned.set(t, (abandoned.get(t) ?? 0) + r.abandonedCarts);
  }
  const days = rows.map((r) => daySeconds(r.date));
  const series = {
    days: /** @type {number[]} */ ([]),
    gross: /** @type {bigint[]} */ ([]),
    refunded: /** @type {bigint[]} */ ([]),
    net: /** @type {bigint[]} */ ([]),
    abandoned: /** @type {number[]} */ ([]),
  };
  for (let day = Math.min(...days); day <= Math.max(...days); day += DAY) {
    const { gross, refunded } = money.get(day) ?? { gross: 0n, refunded: 0n };
    series.days.push(day);
    series.gross.push(gross);
    series.refunded.push(refunded);
    series.net.push(gross - refunded);
    series.abandoned.push(abandoned.get(day) ?? 0);
  }
  return series;
}
