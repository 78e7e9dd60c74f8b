// buildPixelUrl: the image pixel for server-rendered shops, as the legacy Suite URL
// (GET /upages/ti.php, docs/legacy.md) or the modern one (GET /v1/pixel.gif?customerId=…&e=<JSON>).
// Neither carries an email: a URL ends up in proxy and server logs (docs/server-helpers.md).
import { createHash } from 'node:crypto';
import { ROUTES } from '../protocol/constants.js';
import type { CartEvent, Item, Money, OrderEvent } from '../protocol/schema.js';
import { endpointBase, fail, items as checkItems, money, optionalText, text, type ItemInput } from './check.js';

export interface PixelHit {
  /** The collector's base URL, e.g. `https://collector.example.com`. */
  endpoint: string;
  customerId: string;
  /** `legacy` (default): the Suite's `ti.php` parameters. `modern`: one protocol event as JSON. */
  format?: 'legacy' | 'modern';
  /** The shopper's visitor ID; required by `modern` (legacy falls back to the session). */
  visitor?: string;
  session?: string;
  /** The `emst` value captured from the email link's landing URL. */
  emst?: string;
  /** Thank You page: the order ID. Without it the hit is the Order Confirmation page's cart. */
  orderId?: string;
  /** `modern` only: ties the cart to its order; required for a cart. */
  cartId?: string;
  total?: Money;
  tax?: Money;
  shipping?: Money;
  city?: string;
  country?: string;
  /** `modern` only. */
  currency?: string;
  items?: ItemInput[];
  /** `modern` only: epoch ms of the event; defaults to now. */
  time?: number;
}

const MODERN_ONLY = ['cartId', 'currency', 'time'] as const;

/** Amounts as the legacy parser reads them: a plain dot decimal, float noise rounded off. */
const amount = (m: Money) => (typeof m === 'number' ? String(Number(m.toFixed(4))) : m);

const query = (pairs: [string, string | undefined][]) =>
  pairs
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');

function legacyUrl(hit: PixelHit, lineItems: Item[]): string {
  for (const key of MODERN_ONLY) if (hit[key] !== undefined) fail(key, 'the legacy ti.php pixel has no such parameter; use format "modern"');
  const m = (v: Money | undefined) => (v === undefined ? undefined : amount(v));
  const pairs: [string, string | undefined][] = [
    ['ems_customer', hit.customerId],
    ['ems_visitor', hit.visitor],
    ['ems_session', hit.session],
    ['ems_campaign', hit.emst],
    ['ems_action', 'purchase'],
    ['order', hit.orderId],
    ['total', m(hit.total)],
    ['tax', m(hit.tax)],
    ['shipping', m(hit.shipping)],
    ['city', hit.city],
    ['country', hit.country],
  ];
  // Every item writes all five lists, so slot i of each list is item i.
  for (const it of lineItems) {
    pairs.push(['code[]', it.sku], ['category[]', it.category ?? ''], ['productname[]', it.name ?? ''], ['price[]', amount(it.price)], ['quantity[]', String(it.quantity)]);
  }
  return `${endpointBase(hit.endpoint)}${ROUTES.legacyPixel}?${query(pairs)}`;
}

function modernEvent(hit: PixelHit, lineItems: Item[]): CartEvent | OrderEvent {
  const time = hit.time ?? Date.now();
  if (!Number.isInteger(time) || time < 0) fail('time', 'must be epoch milliseconds');
  const common = {
    time,
    visitor: text('visitor', hit.visitor),
    session: hit.session,
    attribution: hit.emst === undefined ? undefined : { emst: hit.emst, at: time },
    items: lineItems,
    tax: hit.tax,
    shipping: hit.shipping,
    currency: hit.currency,
    city: hit.city,
    country: hit.country,
  };
  const event: CartEvent | OrderEvent =
    hit.orderId === undefined
      ? { type: 'cart', id: '', cartId: text('cartId', hit.cartId), total: hit.total, ...common }
      : { type: 'order', id: '', orderId: hit.orderId, cartId: hit.cartId, total: hit.total!, ...common };
  // Derived from the content, not the time: a re-rendered page repeats the event ID and is de-duplicated.
  event.id = 'srv-' + createHash('sha256').update(JSON.stringify([hit.customerId, { ...event, time: 0, attribution: hit.emst }])).digest('hex').slice(0, 32);
  return event;
}

/** The pixel's URL for an `<img>` on the Order Confirmation (no `orderId`) or Thank You page. Throws a TypeError naming a bad field. */
export function buildPixelUrl(hit: PixelHit): string {
  if (typeof hit !== 'object' || hit === null) fail('hit', 'must be an object');
  text('customerId', hit.customerId);
  for (const key of ['visitor', 'session', 'emst', 'orderId', 'cartId', 'city', 'country', 'currency'] as const) optionalText(key, hit[key]);
  for (const key of ['total', 'tax', 'shipping'] as const) money(key, hit[key]);
  if (hit.orderId !== undefined && hit.total === undefined) fail('total', 'missing; an order (with orderId) needs its total');
  const lineItems = checkItems(hit.items);
  const format = hit.format ?? 'legacy';
  if (format === 'legacy') return legacyUrl(hit, lineItems);
  if (format !== 'modern') fail('format', `${JSON.stringify(format)} is neither "legacy" nor "modern"`);
  const event = modernEvent(hit, lineItems);
  return `${endpointBase(hit.endpoint)}${ROUTES.pixel}?${query([['customerId', hit.customerId], ['e', JSON.stringify(event)]])}`;
}
