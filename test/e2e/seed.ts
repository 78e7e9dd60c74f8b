// Background data for the dashboard suite: a week of orders and carts over three campaigns
// and direct traffic, sent through the collector's ingest route (POST /v1/events) as shop
// browsers would, so the views, the chart and paging have something real to show.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { CartEvent, OrderEvent } from '../../src/protocol/schema.js';
import { type Collector, MINUTE, SHOP } from './harness.js';

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
}

function lines(i: number) {
  const picked = PRODUCTS.slice(i % 3, (i % 3) + 1 + (i % 2));
  return picked.map((p, k) => ({ ...p, quantity: 1 + ((i + k) % 3) }));
}

export async function seedWeek(c: Collector): Promise<Seeded> {
  const now = Date.now();
  await c.app.store.directory.putCampaigns(SHOP, CAMPAIGNS, now);
  const events: (OrderEvent | CartEvent)[] = [];
  const perCampaign: Record<string, number> = {};
  const attributed = 63;
  for (let i = 0; i < attributed; i++) {
    const { campaignId } = CAMPAIGNS[i % CAMPAIGNS.length];
    perCampaign[campaignId] = (perCampaign[campaignId] ?? 0) + 1;
    const time = now - (i % 7) * DAY - i * 7 * MINUTE;
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

  for (let start = 0; start < events.length; start += 100) {
    const res = await fetch(`${c.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ v: 1, customerId: SHOP, events: events.slice(start, start + 100) }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rejected: [] });
  }
  return { attributed, direct, perCampaign, openCarts };
}
