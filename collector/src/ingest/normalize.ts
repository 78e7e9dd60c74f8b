// A validated wire event → what the store keeps: exact money, the campaign read from the
// captured parameters, the customer's currency by default, and a trustworthy order date.
import { parseCampaign, type WireEvent } from '../../../src/protocol/index.js';
import { parseMoney } from '../money.js';
import { buyerOf, type ClickRecord, type Customer, type EventRecord, type OrderRecord, type StoredItem } from '../store/types.js';

/** How far back a browser's clock is believed: 7 days before the collector received the event. */
export const MAX_EVENT_AGE_MS = 7 * 86_400_000;

/** The order date is the browser's `time`, clamped into [receivedAt − 7 days, receivedAt]. */
export function clampTime(time: number, receivedAt: number): number {
  return Math.min(receivedAt, Math.max(receivedAt - MAX_EVENT_AGE_MS, time));
}

/** Where the legacy methods (emstrack.js, ti.php) send from: their campaign is the `emst` they captured. */
const LEGACY_SOURCES = new Set(['emstrack', 'ti.php']);

export function toRecord(ev: WireEvent, customer: Customer, receivedAt: number, source: string): EventRecord {
  const ref = parseCampaign(ev.attribution);
  if (ev.type === 'click') return toClick(ev, ref?.campaignId ?? '', ref?.contactUid ?? '', receivedAt, source);
  const items = ev.items.map(toStoredItem);
  const base = {
    eventId: ev.id,
    time: clampTime(ev.time, receivedAt),
    receivedAt,
    campaignId: ref?.campaignId ?? '',
    contactUid: ref?.contactUid ?? '',
    clickAt: ref && ev.attribution ? Math.min(ev.attribution.at, receivedAt) : null,
    email: ev.email ?? null,
    currency: ev.currency ?? customer.currency,
    tax: ev.tax === undefined ? null : parseMoney(ev.tax),
    shipping: ev.shipping === undefined ? null : parseMoney(ev.shipping),
    city: ev.city ?? null,
    country: ev.country ?? null,
    items,
    itemCount: items.reduce((n, i) => n + i.quantity, 0),
    visitor: ev.visitor,
    sessionId: ev.session ?? null,
    source,
  };
  if (ev.type === 'order') {
    const buyer = buyerOf(base.contactUid, base.email, base.visitor);
    // Object.assign, not a spread: on this V8 spreading the 17 fields costs ~5 µs a request
    const order: OrderRecord = Object.assign(base, { type: 'order' as const, orderId: ev.orderId, cartId: ev.cartId ?? '', total: parseMoney(ev.total), buyer });
    // absent: `cookie`, the SDK's or the pixel's kept parameters (docs/advanced.md)
    if (ref && LEGACY_SOURCES.has(source)) order.attribution = 'emst';
    return order;
  }
  return Object.assign(base, { type: 'cart' as const, cartId: ev.cartId, total: ev.total !== undefined ? parseMoney(ev.total) : itemsTotal(items) });
}

/** A click (checkEvent refused those without a campaign); its time is the browser's, clamped like an order's. */
function toClick(
  ev: Extract<WireEvent, { type: 'click' }>,
  campaignId: string,
  contactUid: string,
  receivedAt: number,
  source: string,
): ClickRecord {
  return {
    type: 'click',
    eventId: ev.id,
    time: clampTime(ev.time, receivedAt),
    receivedAt,
    campaignId,
    contactUid,
    email: null,
    visitor: ev.visitor,
    sessionId: ev.session ?? null,
    path: ev.path ?? null,
    source,
  };
}

/** What the items add up to, for a cart or purchase sent without a total. */
export function itemsTotal(items: readonly StoredItem[]): bigint {
  return items.reduce((sum, i) => sum + i.price * BigInt(i.quantity), 0n);
}

export function toStoredItem(i: { sku: string; name?: string; category?: string; price: number | string; quantity?: number }): StoredItem {
  return { sku: i.sku, name: i.name ?? null, category: i.category ?? null, price: parseMoney(i.price), quantity: i.quantity ?? 1 };
}
