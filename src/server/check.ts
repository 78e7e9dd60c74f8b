// Input checks shared by the Node helpers: a bad value is a TypeError naming the field,
// thrown before anything is built or sent.
import { MONEY_PATTERN } from '../protocol/constants.js';
import type { Item, Money } from '../protocol/schema.js';

/** An item as a shop passes it: `quantity` defaults to 1. */
export type ItemInput = Omit<Item, 'quantity'> & { quantity?: number };

const MONEY = new RegExp(MONEY_PATTERN);

export function fail(field: string, reason: string): never {
  throw new TypeError(`${field}: ${reason}`);
}

export function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(field, 'must be a non-empty string');
  return value;
}

export function optionalText(field: string, value: unknown): string | undefined {
  return value === undefined ? undefined : text(field, value);
}

/** The collector's base URL without a trailing slash, so a route can be appended. */
export function endpointBase(endpoint: unknown): string {
  const url = text('endpoint', endpoint);
  if (!/^https?:\/\/[^/?#]+/i.test(url)) fail('endpoint', `${JSON.stringify(url)} is not an http(s) URL`);
  return url.replace(/[?#].*$/, '').replace(/\/+$/, '');
}

export function money(field: string, value: unknown): Money | undefined {
  if (value === undefined) return undefined;
  // the wire format's range: a number from -10¹³ to 10¹³ (1e21 would print as "1e+21"), or the dot-decimal pattern
  if (typeof value === 'number' ? !(Math.abs(value) <= 1e13) : typeof value !== 'string' || !MONEY.test(value)) {
    fail(field, `${typeof value === 'number' ? value : JSON.stringify(value)} is not an amount (a number, or a string with a dot decimal and no thousands separator)`);
  }
  return value as Money;
}

export function items(value: unknown): Item[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail('items', 'must be an array');
  return value.map((raw: Partial<ItemInput>, i) => {
    const quantity = raw?.quantity ?? 1;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 1e6) fail(`items[${i}].quantity`, `${JSON.stringify(quantity)} is not a whole number from 1 to 1,000,000`);
    const item: Item = { sku: text(`items[${i}].sku`, raw?.sku), price: money(`items[${i}].price`, raw?.price) ?? fail(`items[${i}].price`, 'missing'), quantity };
    const name = optionalText(`items[${i}].name`, raw.name);
    const category = optionalText(`items[${i}].category`, raw.category);
    if (name !== undefined) item.name = name;
    if (category !== undefined) item.category = category;
    return item;
  });
}
