// Server-side purchases (docs/advanced.md): the shop's backend reports an order. It becomes an order
// record like the browser's (source `api`), written through the same grouped, durable write,
// so it is stored once per (customer, orderId) whichever copy arrives first.
//
// Attribution: `emst` when given; else the contact's live click, i.e. the last campaign link
// the contact clicked (recorded by the browser events) within the customer's attribution window
// (`customers set --attribution-days`, 30 by default) before the purchase; else none (direct),
// so buyers who never came from an email are captured too.
import { parseCampaign } from '../../../src/protocol/index.js';
import { badRequest } from '../errors.js';
import { clampTime, itemsTotal, toStoredItem } from '../ingest/normalize.js';
import type { IngestService } from '../ingest/service.js';
import { parseMoney } from '../money.js';
import { directoryUid, emailKey, uidKey } from '../store/profiles.js';
import type { Store } from '../store/store.js';
import { DAY_MS, buyerOf, type Customer, type OrderRecord } from '../store/types.js';
import { checkAmounts, STORABLE } from '../validation/amounts.js';

export interface PurchaseInput {
  email: string;
  orderId: string;
  total?: number | string;
  currency?: string;
  items?: { sku: string; name?: string; category?: string; price: number | string; quantity?: number }[];
  emst?: string;
  time?: number;
  cartId?: string;
  visitor?: string;
}

export interface PurchaseResult {
  orderId: string;
  /** true when the order was already stored (from the browser or an earlier call): nothing changed */
  duplicate: boolean;
  /** what the stored order is attributed to */
  campaignId: string | null;
  contactUid: string | null;
  /** how the campaign was found; null for a duplicate (the first copy decided) */
  attribution: 'emst' | 'click' | 'none' | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    purchases: PurchaseService;
  }
}

interface Attribution {
  campaignId: string;
  contactUid: string;
  clickAt: number | null;
  how: 'emst' | 'click' | 'none';
}

export class PurchaseService {
  constructor(
    private readonly store: Store,
    private readonly ingest: IngestService,
    private readonly clock: () => number,
  ) {}

  private async attribute(customer: Customer, p: PurchaseInput, time: number): Promise<Attribution> {
    const customerId = customer.customerId;
    const ref = p.emst ? parseCampaign({ emst: p.emst }) : undefined;
    const linkedUid = ref?.contactUid ? undefined : await directoryUid(this.store.db, customerId, p.email);
    const contactUid = ref?.contactUid ?? linkedUid ?? '';
    if (ref) return { campaignId: ref.campaignId, contactUid, clickAt: time, how: 'emst' };
    const profile = await this.store.profiles.get(customerId, contactUid ? uidKey(contactUid) : emailKey(p.email));
    const at = profile?.lastCampaignAt;
    if (profile?.lastCampaignId && at !== null && at !== undefined && at <= time && at >= time - customer.attributionDays * DAY_MS) {
      return { campaignId: profile.lastCampaignId, contactUid, clickAt: at, how: 'click' };
    }
    return { campaignId: '', contactUid, clickAt: null, how: 'none' };
  }

  async record(customer: Customer, p: PurchaseInput): Promise<PurchaseResult> {
    const receivedAt = this.clock();
    const time = clampTime(p.time ?? receivedAt, receivedAt);
    const a = await this.attribute(customer, p, time);
    const items = (p.items ?? []).map(toStoredItem);
    const order: OrderRecord = {
      type: 'order',
      eventId: '', // de-duplicated by order ID alone
      orderId: p.orderId,
      // the browser's cart and visitor, when the backend read them: the order closes that cart
      // (else the visitor's earlier ones), as the browser's copy would
      cartId: p.cartId ?? '',
      time,
      receivedAt,
      campaignId: a.campaignId,
      contactUid: a.contactUid,
      clickAt: a.clickAt,
      email: p.email,
      currency: p.currency ?? customer.currency,
      total: p.total !== undefined ? parseMoney(p.total) : itemsTotal(items),
      tax: null,
      shipping: null,
      city: null,
      country: null,
      items,
      itemCount: items.reduce((n, i) => n + i.quantity, 0),
      visitor: p.visitor ?? '', // else the browser's copy, if it comes, fills it in
      sessionId: null,
      source: 'api',
      buyer: buyerOf(a.contactUid, p.email, ''),
    };
    // the projector attributes an order that came without a campaign itself
    if (a.how !== 'none') order.attribution = a.how === 'emst' ? 'api' : 'contact';
    // the shop's own backend is not held to the maximum order value, only to what the columns hold
    const bad = checkAmounts(order, STORABLE, '');
    if (bad) throw badRequest(bad.field, bad.reason);
    const [outcome] = await this.ingest.write(customer.customerId, [order]);
    if (outcome === 'accepted') {
      return { orderId: p.orderId, duplicate: false, campaignId: a.campaignId || null, contactUid: a.contactUid || null, attribution: a.how };
    }
    const stored = await this.store.reports.getOrder(customer.customerId, p.orderId);
    return { orderId: p.orderId, duplicate: true, campaignId: stored?.campaignId ?? null, contactUid: stored?.contactUid ?? null, attribution: null };
  }
}
