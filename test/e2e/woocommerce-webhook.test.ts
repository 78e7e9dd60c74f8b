// The WooCommerce recipe's server-side fallback (examples/recipes/woocommerce/webhook.mjs):
// a signed "Order updated" webhook, as WooCommerce posts it, ends with the order in the real
// collector's Orders report through trackPurchase, attributed by the campaign the plugin
// stored with the order, and closes the shopper's cart; unsigned, forged and unpaid
// deliveries send nothing.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
// @ts-expect-error: a recipe in plain JavaScript, without types
import { webhookHandler } from '../../examples/recipes/woocommerce/webhook.mjs';
import { MINUTE, SHOP, type Collector, expectOrderOnce, ordersWithId, serve, type Served, startCollector } from './harness.js';

const SECRET = 'wc-secret';
let c: Collector;
let hook: Served | undefined;
let url: string;

beforeAll(async () => {
  c = await startCollector();
  await c.app.store.directory.putCampaigns(SHOP, [{ campaignId: '801', name: 'Woo spring' }], Date.now());
  hook = await serve(webhookHandler({ endpoint: c.url, customerId: SHOP, token: c.tokens.marketer, secret: SECRET }));
  url = `${hook.url}/`;
});

afterAll(async () => {
  await hook?.close();
  await c?.close();
});

/** An order as WooCommerce's REST API (and so its webhook) shapes it. */
const order = (number: string, status = 'processing') => ({
  id: 4711,
  number,
  status,
  currency: 'EUR',
  total: '158.90',
  total_tax: '24.59',
  shipping_total: '4.90',
  date_paid_gmt: '2026-03-02T10:15:00',
  billing: { email: 'wanda@example.com', city: 'Köln', country: 'DE' },
  meta_data: [
    { id: 1, key: '_emarsys_emst', value: '801.u-wanda' },
    { id: 2, key: '_emarsys_cart', value: `K-${number}` },
    { id: 3, key: '_emarsys_visitor', value: `v-${number}` },
  ],
  line_items: [
    { id: 1, name: 'Cordless Drill 18 V', product_id: 31, sku: 'DRL-18', quantity: 1, subtotal: '129.00', total: '129.00', price: 129 },
    { id: 2, name: 'Work Gloves', product_id: 32, sku: '', quantity: 2, subtotal: '25.00', total: '25.00', price: 12.5 },
  ],
});

async function deliver(body: unknown, signature?: string) {
  const raw = JSON.stringify(body);
  const sig = signature ?? createHmac('sha256', SECRET).update(raw).digest('base64');
  const res = await fetch(url, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'order.updated', 'x-wc-webhook-signature': sig } });
  return [res.status, await res.text()] as const;
}

it('a paid order from the webhook lands in the Orders report, attributed, with unit prices, and closes the cart', async () => {
  // the buyer's cart, sent by the SDK on the checkout page; the gateway never brings them back
  const cart = { type: 'cart', id: randomUUID(), time: Date.now() - MINUTE, visitor: 'v-1001', cartId: 'K-1001', total: '158.90', items: [{ sku: 'DRL-18', price: '129.00', quantity: 1 }] };
  const sent = await fetch(`${c.url}/v1/events`, { method: 'POST', body: JSON.stringify({ v: 1, customerId: SHOP, events: [cart] }) });
  expect(await sent.json()).toMatchObject({ accepted: 1, rejected: [] });
  expect(await deliver(order('1001'))).toEqual([200, 'sent: 201']);
  // WooCommerce sends "Order updated" again on every change: stored once.
  expect((await deliver({ ...order('1001'), status: 'completed' }))[0]).toBe(200);
  const { order: row, items } = await expectOrderOnce(c, '1001');
  expect(row).toMatchObject({ campaignId: '801', campaignName: 'Woo spring', email: 'wanda@example.com', total: 158.9, currency: 'EUR', itemCount: 3 });
  expect(items.map((i) => [i.sku, i.price, i.quantity]).sort()).toEqual([
    ['32', 12.5, 2],
    ['DRL-18', 129, 1],
  ]);
  // the order closed the cart the plugin stored with it: no abandoned-cart email for a buyer
  const closed = await fetch(`${c.url}/api/v1/customers/${SHOP}/abandoned-carts/K-1001`, { headers: { authorization: `Bearer ${c.tokens.marketer}` } });
  expect(await closed.json()).toMatchObject({ cartId: 'K-1001', state: 'ordered', orderId: '1001' });
});

it('sends nothing for a forged signature, a ping or an unpaid order', async () => {
  expect(await deliver(order('1002'), 'Zm9yZ2Vk')).toEqual([401, 'x-wc-webhook-signature: does not match the secret']);
  expect(await deliver(order('1003', 'pending'))).toEqual([200, 'not a paid order: skipped']);
  const ping = await fetch(url, { method: 'POST', body: 'webhook_id=7', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(ping.status).toBe(200);
  expect([...(await ordersWithId(c, '1002')), ...(await ordersWithId(c, '1003'))]).toEqual([]);
});
