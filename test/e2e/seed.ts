// Background data for the dashboard suite: a week of clicks, orders and carts over three
// campaigns and direct traffic, sent through the collector's ingest route (POST /v1/events)
// as shop browsers would; an order whose browser lost the campaign cookie (attributed to its
// visitor's click), one from another device (its contact's click), one from the shop's
// backend (POST /purchases); a partial refund and a cancellation through the refunds API. So
// the views, the chart and paging have something real to show.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { CartEvent, ClickEvent, OrderEvent } from '../../src/protocol/schema.js';
import { type Collector, MINUTE, SHOP, report } from './harness.js';

const DAY = 24 * 60 * MINUTE;
export const CAMPAIGNS = [
  { campaignId: '611', name: 'Spring Sale' },
  { campaignId: '612', name: 'Weekly Newsletter' },
  { campaignId: '613', name: 'Win-back' },
];
const PRODUCTS = [
  { sku: 'DRL-18V', name: 'Cordless Drill 18V', category: 'Power tools', price: 129 },
  { sku: 'HMR-450', name: 'Claw Hammer 450 g', category: 'Hand tools', price: 24.9 },
  { sku: 'TPM-5M', name: 'Tape Measure 5 m', category: 'Measuring', price: 9.5 },
  { sku: 'GLV-PRO', name: 'Work Gloves "Pro Grip"', category: 'Safety', price: 14 },
];
const CITIES = ['Berlin', 'Hamburg', 'München', 'Wien', 'Budapest'];

export interface Seeded {
  /** email-attributed orders */
  attributed: number;
  /** orders without a campaign */
  direct: number;
  /** attributed orders per campaign ID */
  perCampaign: Record<string, number>;
  /** carts left open (abandoned once the clock moves past the timeout) */
  openCarts: string[];
  /** clicks per campaign ID */
  clicks: Record<string, number>;
  /** orders attributed without a campaign cookie, and from the shop's backend */
  byVisitor: string;
  byContact: string;
  byApi: string;
  /** the order refunded in part, what was refunded, and the cancelled order */
  refunded: { orderId: string; amount: string; netTotal: string };
  cancelled: string;
}

/** The campaigns of the orders that came without one (clicks decide) or from the backend. */
const FALLBACK = { visitor: '611', contact: '612', api: '613' };

/** POST to the shop's account API with the marketer's token; answers the status. */
async function api(c: Collector, path: string, body: unknown, method = 'POST'): Promise<number> {
  const res = await fetch(`${c.url}/api/v1/customers/${SHOP}/${path}`, {
    method,
    headers: { authorization: `Bearer ${c.tokens.marketer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.status;
}

async function sendEvents(c: Collector, events: (OrderEvent | CartEvent | ClickEvent)[]): Promise<void> {
  for (let start = 0; start < events.length; start += 100) {
    const res = await fetch(`${c.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ v: 1, customerId: SHOP, events: events.slice(start, start + 100) }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rejected: [] });
  }
}

function lines(i: number) {
  const picked = PRODUCTS.slice(i % 3, (i % 3) + 1 + (i % 2));
  return picked.map((p, k) => ({ ...p, quantity: 1 + ((i + k) % 3) }));
}

export async function seedWeek(c: Collector): Promise<Seeded> {
  const now = Date.now();
  await c.app.store.directory.putCampaigns(SHOP, CAMPAIGNS, now);
  const events: (OrderEvent | CartEvent)[] = [];
  const clickEvents: ClickEvent[] = [];
  const perCampaign: Record<string, number> = {};
  const clicks: Record<string, number> = {};
  /** A landing on the campaign's email link, as the SDK reports it. */
  const click = (campaignId: string, contactUid: string, visitor: string, time: number) => {
    clicks[campaignId] = (clicks[campaignId] ?? 0) + 1;
    clickEvents.push({ type: 'click', id: randomUUID(), time, visitor, attribution: { emst: `${campaignId}.${contactUid}`, at: time }, path: '/shop/' });
  };
  const attributed = 63;
  for (let i = 0; i < attributed; i++) {
    const { campaignId } = CAMPAIGNS[i % CAMPAIGNS.length];
    perCampaign[campaignId] = (perCampaign[campaignId] ?? 0) + 1;
    const time = now - (i % 7) * DAY - i * 7 * MINUTE;
    click(campaignId, `u${i % 17}`, `v-seed-${i}`, time - 2 * 60 * MINUTE);
    const items = lines(i);
    const huf = i === 5;
    const total = items.reduce((sum, it) => sum + it.price * it.quantity, 0) * (huf ? 400 : 1);
    events.push({
      type: 'order',
      id: randomUUID(),
      time,
      visitor: `v-seed-${i}`,
      attribution: { emst: `${campaignId}.u${i % 17}`, at: time - 2 * 60 * MINUTE },
      orderId: `S-${String(1000 + i)}`,
      items: huf ? items.map((it) => ({ ...it, price: it.price * 400 })) : items,
      total: total.toFixed(2),
      currency: huf ? 'HUF' : 'EUR',
      email: `buyer${i % 17}@example.com`,
      city: CITIES[i % CITIES.length],
      country: i % 5 === 4 ? 'HU' : 'DE',
    });
  }
  const direct = 4;
  for (let i = 0; i < direct; i++) {
    const items = lines(i + 1);
    events.push({
      type: 'order',
      id: randomUUID(),
      time: now - i * DAY - 30 * MINUTE,
      visitor: `v-direct-${i}`,
      orderId: `D-${String(500 + i)}`,
      items,
      total: items.reduce((sum, it) => sum + it.price * it.quantity, 0).toFixed(2),
      currency: 'EUR',
      city: 'Köln',
      country: 'DE',
    });
  }
  const openCarts: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { campaignId } = CAMPAIGNS[i % 2];
    const time = now - i * DAY - 45 * MINUTE;
    const items = lines(i + 2);
    const cartId = `K-${String(700 + i)}`;
    openCarts.push(cartId);
    events.push({
      type: 'cart',
      id: randomUUID(),
      time,
      visitor: `v-cart-${i}`,
      attribution: { sc_src: `email_${campaignId}`, sc_uid: `u${i}`, at: time - 60 * MINUTE },
      cartId,
      items,
      total: items.reduce((sum, it) => sum + it.price * it.quantity, 0).toFixed(2),
      currency: 'EUR',
      email: `shopper${i}@example.com`,
    });
  }

  // clicks that led to no order (yet): conversion is below 100%
  for (let i = 0; i < 36; i++) {
    const { campaignId } = CAMPAIGNS[i % CAMPAIGNS.length];
    click(campaignId, `u${30 + i}`, `v-browse-${i}`, now - (i % 7) * DAY - 3 * 60 * MINUTE);
  }
  // the cookie lost (Safari's 7 days): the order comes without a campaign, its visitor clicked
  const lostAt = now - 3 * DAY;
  click(FALLBACK.visitor, 'u90', 'v-lost-cookie', lostAt - 8 * 60 * MINUTE);
  // the link opened on a phone, the order placed on a laptop with the contact's email
  const phoneAt = now - 2 * DAY;
  click(FALLBACK.contact, 'u91', 'v-phone', phoneAt - 5 * 60 * MINUTE);
  expect(await api(c, 'contacts-directory/u91', { email: 'two-devices@example.com' }, 'PUT')).toBe(200);
  const byVisitor = 'V-9001';
  const byContact = 'C-9002';
  for (const [orderId, visitor, time, email] of [
    [byVisitor, 'v-lost-cookie', lostAt, 'lost-cookie@example.com'],
    [byContact, 'v-laptop', phoneAt, 'two-devices@example.com'],
  ] as const) {
    const items = lines(3);
    events.push({
      type: 'order',
      id: randomUUID(),
      time,
      visitor,
      orderId,
      items,
      total: items.reduce((sum, it) => sum + it.price * it.quantity, 0).toFixed(2),
      currency: 'EUR',
      email,
      city: 'Graz',
      country: 'AT',
    });
  }

  // the clicks first, so the orders that came without a campaign find them
  await sendEvents(c, clickEvents);
  await sendEvents(c, events);
  const byApi = 'A-9003';
  expect(
    await api(c, 'purchases', { email: 'backend@example.com', orderId: byApi, total: '59.90', currency: 'EUR', emst: `${FALLBACK.api}.u92`, time: now - DAY }),
  ).toBe(201);
  for (const campaignId of Object.values(FALLBACK)) perCampaign[campaignId] = (perCampaign[campaignId] ?? 0) + 1;

  // refunds need their orders stored: wait until the projector has them all (expect.poll
  // works only inside a test, and this runs before them)
  const orders = attributed + direct + 3;
  const until = Date.now() + 15_000;
  while ((await report(c, 'orders?attributed=all&limit=1')).total < orders && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  expect((await report(c, 'orders?attributed=all&limit=1')).total, 'seeded orders stored').toBe(orders);
  // S-1001: 2 × 24.90 + 3 × 9.50 = 78.30; one hammer back, sent twice (a retry) and booked once
  const refunded = { orderId: 'S-1001', amount: '24.9', netTotal: '53.4' };
  for (const expected of [201, 200]) {
    expect(await api(c, `orders/${refunded.orderId}/refunds`, { amount: refunded.amount, refundId: 'RF-1', reason: 'hammer returned' })).toBe(expected);
  }
  const cancelled = 'S-1002';
  expect(await api(c, `orders/${cancelled}/cancel`, { reason: 'out of stock' })).toBe(200);
  return { attributed, direct, perCampaign, openCarts, clicks, byVisitor, byContact, byApi, refunded, cancelled };
}
