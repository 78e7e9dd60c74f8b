// The amounts an event carries, checked before it is acknowledged so that applying it never
// fails: each amount, each line total (price × quantity) and the items total, in exact BigInt
// arithmetic, against the range its source may send (see docs/collector.md "Hostile traffic").
import { formatMoney, MONEY_SCALE } from '../money.js';
import type { CartRecord, OrderRecord } from '../store/types.js';
import type { FieldError } from './messages.js';

/** The largest amount a BIGINT column holds (scaled by 10^4). */
export const MAX_STORABLE = 2n ** 63n - 1n;

export interface AmountRange {
  min: bigint;
  max: bigint;
  /** what the maximum is, in the refusal's words */
  limit: string;
}

/** The largest amount the wire format can say (13 digits and 4 decimals), scaled. */
const MAX_WIRE = 10n ** 17n - 1n;

/** What the authenticated purchases API may send: any amount the wire format can say, line and items totals included. */
export const STORABLE: AmountRange = { min: -MAX_WIRE, max: MAX_WIRE, limit: 'the largest amount the collector takes' };

/** What browser and pixel events may send: 0 up to the customer's maximum order value (whole units). */
export function orderValueRange(maxOrderValue: number): AmountRange {
  return { min: 0n, max: BigInt(maxOrderValue) * MONEY_SCALE, limit: "this customer's maximum order value" };
}

function outside(value: bigint, r: AmountRange, what = 'is'): string | undefined {
  if (value < r.min) return r.min === 0n ? `must not be negative (${what} ${formatMoney(value)})` : `${what} ${formatMoney(value)}, below ${formatMoney(r.min)}`;
  if (value > r.max) return `${what} ${formatMoney(value)}, above ${r.limit} (${formatMoney(r.max)})`;
  return undefined;
}

/** The first amount of `r` outside `range`, as a field error under `base` (`events[2]`), or undefined. */
export function checkAmounts(r: OrderRecord | CartRecord, range: AmountRange, base: string): FieldError | undefined {
  const at = (name: string) => (base ? `${base}.${name}` : name);
  let items = 0n;
  for (const [j, item] of r.items.entries()) {
    const line = item.price * BigInt(item.quantity);
    items += line;
    const price = outside(item.price, range);
    if (price) return { field: at(`items[${j}].price`), reason: price };
    const total = outside(line, range, 'price × quantity is');
    if (total) return { field: at(`items[${j}]`), reason: total };
  }
  const sum = outside(items, range, 'the items add up to');
  if (sum) return { field: at('items'), reason: sum };
  for (const [name, value] of [
    ['total', r.total],
    ['tax', r.tax],
    ['shipping', r.shipping],
  ] as const) {
    const reason = value === null ? undefined : outside(value, range);
    if (reason) return { field: at(name), reason };
  }
  return undefined;
}
