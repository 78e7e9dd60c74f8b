// What a webhook receiver gets (written to the outbox by the store, sent by webhooks/): one
// JSON envelope per event, money as JSON numbers in the
// currency's units and times as ISO strings, like the reports.
import { moneyToNumber } from '../money.js';
import type { RefundableOrder, RefundRecord } from './refunds.js';
import type { OrderRecord, StoredItem } from './types.js';

export const WEBHOOK_EVENTS = ['order.placed', 'cart.abandoned', 'order.refunded'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface Envelope {
  /** the delivery ID, also sent as webhook-id: stable across retries */
  id: string;
  type: WebhookEvent;
  createdAt: string;
  customerId: string;
  data: Record<string, unknown>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const moneyOrNull = (v: bigint | null) => (v === null ? null : moneyToNumber(v));
const orNull = (s: string) => (s === '' ? null : s);

function items(list: readonly StoredItem[]) {
  return list.map((i) => ({ sku: i.sku, name: i.name, category: i.category, price: moneyToNumber(i.price), quantity: i.quantity }));
}

type PurchaseFields = Pick<AbandonedCart, 'total' | 'currency' | 'tax' | 'shipping' | 'city' | 'country' | 'contactUid' | 'campaignId'>;

/** What an order and an abandoned cart both send, in this order, between their times and their items. */
function purchaseFields(p: PurchaseFields, email: string | null) {
  return {
    total: moneyToNumber(p.total),
    currency: p.currency,
    tax: moneyOrNull(p.tax),
    shipping: moneyOrNull(p.shipping),
    city: p.city,
    country: p.country,
    email,
    contactUid: orNull(p.contactUid),
    campaignId: orNull(p.campaignId),
  };
}

export function orderPlaced(o: OrderRecord, email: string | null): Record<string, unknown> {
  return {
    orderId: o.orderId,
    // the cart it closed: a receiver holding a `cart.abandoned` for it knows the cart was bought
    cartId: orNull(o.cartId),
    time: iso(o.time),
    ...purchaseFields(o, email),
    source: o.source,
    items: items(o.items),
  };
}

/** A refund of an order (or the refund a cancellation made), with what the order has had refunded so far. */
export function orderRefunded(o: RefundableOrder, r: RefundRecord): Record<string, unknown> {
  return {
    orderId: o.orderId,
    refundId: r.refundId,
    time: iso(r.createdAt),
    amount: moneyToNumber(r.amount),
    currency: r.currency,
    reason: r.reason,
    items: r.items,
    total: moneyToNumber(o.total),
    refunded: moneyToNumber(o.refunded),
    netTotal: moneyToNumber(o.total - o.refunded),
    cancelledAt: o.cancelledAt === null ? null : iso(o.cancelledAt),
    email: o.email,
    contactUid: orNull(o.contactUid),
    campaignId: orNull(o.campaignId),
  };
}

/**
 * Where a cart's email came from: `browser` (sent with the cart, so typed by whoever was on
 * the page: unverified), `api` (an order of the contact sent by the shop's backend through the
 * purchases API), `directory` (the contact directory, by the contact UID).
 */
export type EmailSource = 'browser' | 'api' | 'directory';

export interface AbandonedCart {
  cartId: string;
  time: number;
  abandonedAt: number;
  total: bigint;
  currency: string;
  tax: bigint | null;
  shipping: bigint | null;
  city: string | null;
  country: string | null;
  email: string | null;
  /** null when there is no email */
  emailSource: EmailSource | null;
  contactUid: string;
  campaignId: string;
  items: StoredItem[];
}

export function cartAbandoned(c: AbandonedCart): Record<string, unknown> {
  return {
    cartId: c.cartId,
    time: iso(c.time),
    abandonedAt: iso(c.abandonedAt),
    ...purchaseFields(c, c.email),
    emailSource: c.emailSource,
    items: items(c.items),
  };
}

/** Erasure: the envelope without the contact's email and UID (the event itself stays). */
export function redactEnvelope(payload: string): string {
  const e = JSON.parse(payload) as Envelope;
  const source = 'emailSource' in e.data ? { emailSource: null } : {};
  return JSON.stringify({ ...e, data: { ...e.data, email: null, ...source, contactUid: null } });
}
