// The rows the projector reads and writes (batch.ts): their TypeScript shapes, the columns a
// set-based statement names (Dialect.recordset), and how a read row becomes a shape.
import { big, bigOrNull, num, strOrNull, type Column } from '../database.js';
import type { CartFacts } from '../stats.js';
import type { Attribution, CartState } from '../types.js';

/** A cart row as stored (every column but the customer's). */
export interface Cart {
  cart_id: string;
  state: CartState;
  time: number;
  received_at: number;
  campaign_id: string;
  contact_uid: string;
  email: string | null;
  total: bigint;
  currency: string;
  tax: bigint | null;
  shipping: bigint | null;
  city: string | null;
  country: string | null;
  item_count: number;
  items: string;
  visitor: string;
  session_id: string | null;
  source: string;
  event_id: string;
  abandoned_at: number | null;
  closed_at: number | null;
  order_id: string | null;
  contact_key: string;
}

export const CART_COLUMNS: readonly Column[] = [
  ['cart_id', 'text'],
  ['state', 'text'],
  ['time', 'bigint'],
  ['received_at', 'bigint'],
  ['campaign_id', 'text'],
  ['contact_uid', 'text'],
  ['email', 'text'],
  ['total', 'numeric'],
  ['currency', 'text'],
  ['tax', 'numeric'],
  ['shipping', 'numeric'],
  ['city', 'text'],
  ['country', 'text'],
  ['item_count', 'bigint'],
  ['items', 'text'],
  ['visitor', 'text'],
  ['session_id', 'text'],
  ['source', 'text'],
  ['event_id', 'text'],
  ['abandoned_at', 'bigint'],
  ['closed_at', 'bigint'],
  ['order_id', 'text'],
  ['contact_key', 'text'],
];
export const CART_SELECT = CART_COLUMNS.map(([n]) => n).join(', ');

/** What the batch needs to know of an order. */
export interface Order {
  order_id: string;
  time: number;
  source: string;
  visitor: string;
  session_id: string | null;
  cart_id: string;
  campaign_id: string;
  buyer: string;
  contact_key: string;
  currency: string;
  total: bigint;
  /** what its refunds add up to */
  refunded: bigint;
  item_lines: number;
  attribution: Attribution | null;
}
export const ORDER_SELECT =
  'order_id, time, source, visitor, session_id, cart_id, campaign_id, buyer, contact_key, currency, total, refunded, attribution, (SELECT COUNT(*) FROM order_items i WHERE i.customer_id = orders.customer_id AND i.order_id = orders.order_id) AS item_lines';

export const ORDER_COLUMNS: readonly Column[] = [
  ['order_id', 'text'],
  ['time', 'bigint'],
  ['received_at', 'bigint'],
  ['campaign_id', 'text'],
  ['contact_uid', 'text'],
  ['email', 'text'],
  ['buyer', 'text'],
  ['total', 'numeric'],
  ['currency', 'text'],
  ['tax', 'numeric'],
  ['shipping', 'numeric'],
  ['city', 'text'],
  ['country', 'text'],
  ['item_count', 'bigint'],
  ['source', 'text'],
  ['visitor', 'text'],
  ['session_id', 'text'],
  ['cart_id', 'text'],
  ['event_id', 'text'],
  ['contact_key', 'text'],
  ['attribution', 'text'],
  ['click_at', 'bigint'],
];

/** A click, as the attribution needs it. */
export interface Click {
  click_id: string;
  campaign_id: string;
  contact_uid: string;
  contact_key: string;
  visitor: string;
  clicked_at: number;
}
export const CLICK_SELECT = 'click_id, campaign_id, contact_uid, contact_key, visitor, clicked_at';
export const toClick = (r: Record<string, unknown>): Click => ({
  click_id: String(r.click_id),
  campaign_id: String(r.campaign_id),
  contact_uid: String(r.contact_uid),
  contact_key: String(r.contact_key),
  visitor: String(r.visitor),
  clicked_at: num(r.clicked_at),
});
export const CLICK_COLUMNS: readonly Column[] = [
  ['click_id', 'text'],
  ['campaign_id', 'text'],
  ['contact_uid', 'text'],
  ['contact_key', 'text'],
  ['visitor', 'text'],
  ['clicked_at', 'bigint'],
  ['received_at', 'bigint'],
  ['path', 'text'],
];
/** an unattributed order or cart, to look up its visitor's and contact's last clicks */
export const LOOKUP_COLUMNS: readonly Column[] = [
  ['visitor', 'text'],
  ['contact_key', 'text'],
  ['time', 'bigint'],
  ['since', 'bigint'],
];

export const ITEM_COLUMNS: readonly Column[] = [
  ['order_id', 'text'],
  ['line', 'bigint'],
  ['time', 'bigint'],
  ['campaign_id', 'text'],
  ['sku', 'text'],
  ['name', 'text'],
  ['category', 'text'],
  ['price', 'numeric'],
  ['quantity', 'bigint'],
];

export type Json = Record<string, unknown>;


export function toCart(r: Record<string, unknown>): Cart {
  return {
    cart_id: String(r.cart_id),
    state: r.state as CartState,
    time: num(r.time),
    received_at: num(r.received_at),
    campaign_id: String(r.campaign_id),
    contact_uid: String(r.contact_uid),
    email: strOrNull(r.email),
    total: big(r.total),
    currency: String(r.currency),
    tax: bigOrNull(r.tax),
    shipping: bigOrNull(r.shipping),
    city: strOrNull(r.city),
    country: strOrNull(r.country),
    item_count: num(r.item_count),
    items: String(r.items),
    visitor: String(r.visitor),
    session_id: strOrNull(r.session_id),
    source: String(r.source),
    event_id: String(r.event_id),
    abandoned_at: r.abandoned_at === null ? null : num(r.abandoned_at),
    closed_at: r.closed_at === null ? null : num(r.closed_at),
    order_id: strOrNull(r.order_id),
    contact_key: String(r.contact_key),
  };
}

export function toOrder(r: Record<string, unknown>): Order {
  return {
    order_id: String(r.order_id),
    time: num(r.time),
    source: String(r.source),
    visitor: String(r.visitor),
    session_id: strOrNull(r.session_id),
    cart_id: String(r.cart_id),
    campaign_id: String(r.campaign_id),
    buyer: String(r.buyer),
    contact_key: String(r.contact_key),
    currency: String(r.currency),
    total: big(r.total),
    refunded: big(r.refunded),
    item_lines: num(r.item_lines),
    attribution: strOrNull(r.attribution) as Attribution | null,
  };
}

export const factsOf = (c: Cart): CartFacts => ({
  campaignId: c.campaign_id,
  time: c.time,
  currency: c.currency,
  state: c.state,
  itemCount: c.item_count,
  total: c.total,
});

export const CLICK_DAY_COLUMNS: readonly Column[] = [
  ['campaign_id', 'text'],
  ['day', 'bigint'],
  ['clicks', 'bigint'],
];
export const CLOSER_COLUMNS: readonly Column[] = [
  ['cart_id', 'text'],
  ['visitor', 'text'],
  ['time', 'bigint'],
];
export const BUYER_DAY_COLUMNS: readonly Column[] = [
  ['campaign_id', 'text'],
  ['currency', 'text'],
  ['day', 'bigint'],
  ['buyer', 'text'],
];
export const BUYER_COLUMNS: readonly Column[] = [
  ['campaign_id', 'text'],
  ['currency', 'text'],
  ['buyer', 'text'],
];
