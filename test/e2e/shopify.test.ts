// The Shopify custom pixel (examples/shopify/pixel.js) in a real Chromium: a shop page stands
// in for Shopify's sandbox (shopify-sandbox.html: analytics.subscribe, browser.cookie,
// browser.localStorage, init) on its own origin, publishing checkout events shaped as Shopify
// documents them, and the real collector (harness.ts) must end up with the order in its
// Orders report, attributed to the email campaign, its cart closed, and the landing counted
// as the campaign's one click.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import { MINUTE, ROOT, SHOP, type Collector, expectOrderOnce, serve, type Served, ordersWithId, report, startCollector } from './harness.js';

let c: Collector;
let browser: Browser;
let shop: Served | undefined;
let shopUrl: string;

beforeAll(async () => {
  c = await startCollector();
  await c.app.store.directory.putCampaigns(SHOP, [{ campaignId: '601', name: 'Shopify spring' }], Date.now());
  // The pixel exactly as a merchant pastes it, with the two values a merchant sets.
  const pixel = (await readFile(join(ROOT, 'examples/shopify/pixel.js'), 'utf8'))
    .replace("customerId: 'YOUR-CUSTOMER-ID'", `customerId: '${SHOP}'`)
    .replace("endpoint: 'https://collector.example.com'", `endpoint: '${c.url}'`);
  expect(pixel).toContain(c.url);
  const sandbox = await readFile(join(ROOT, 'test/e2e/shopify-sandbox.html'), 'utf8');
  // the shop on `localhost`, the collector on 127.0.0.1: another origin, as in production
  shop = await serve((req, res) => {
    const js = req.url === '/pixel.js';
    res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(js ? pixel : sandbox);
  }, 'localhost');
  shopUrl = shop.url;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await c?.close();
});

/** Opens a page of the shop; resolves once the pixel has handled its page_viewed. */
async function open(page: Page, path: string) {
  await page.goto(shopUrl + path);
  await page.waitForFunction(() => (window as { shopify?: { ready?: unknown } }).shopify?.ready);
  await page.evaluate(() => (window as unknown as { shopify: { ready: Promise<string> } }).shopify.ready);
}

const money = (amount: number) => ({ amount, currencyCode: 'EUR' });

/** A line of Shopify's checkout: `variant.price` is the unit price. */
function line(sku: string, title: string, type: string, price: number, quantity: number) {
  const variantId = `gid://shopify/ProductVariant/${sku.length}${price * 100}`;
  return {
    id: `gid://shopify/CheckoutLineItem/${sku}`,
    quantity,
    title,
    discountAllocations: [],
    finalLinePrice: money(price * quantity),
    variant: {
      id: variantId,
      sku,
      title: 'Default Title',
      untranslatedTitle: 'Default Title',
      price: money(price),
      image: { src: `https://cdn.example/${sku}.png` },
      product: { id: `gid://shopify/Product/${sku.length}`, title, untranslatedTitle: title, type, vendor: 'Northwind', url: `/products/${sku.toLowerCase()}` },
    },
  };
}

/** The `checkout` of checkout_started and checkout_completed; the order only once placed. */
function checkout(token: string, orderId?: string) {
  const address = { address1: 'Hauptstr. 1', city: 'München', countryCode: 'DE', zip: '80331', firstName: 'Anna', lastName: 'Schmidt' };
  return {
    token,
    attributes: [],
    currencyCode: 'EUR',
    email: 'anna@example.com',
    phone: null,
    lineItems: [line('DRL-18', 'Cordless Drill 18 V', 'Power tools', 129, 1), line('GLV-2', 'Work Gloves', '', 12.5, 2)],
    subtotalPrice: money(154),
    totalTax: money(24.59),
    shippingLine: { price: money(4.9) },
    totalPrice: money(158.9),
    discountApplications: [],
    discountsAmount: money(0),
    shippingAddress: address,
    billingAddress: address,
    transactions: orderId ? [{ gateway: 'shopify_payments', amount: money(158.9), paymentMethod: { type: 'creditCard', name: 'Visa' } }] : [],
    ...(orderId ? { order: { id: orderId, customer: { id: 'gid://shopify/Customer/77', isFirstOrder: true } } } : {}),
  };
}

/** Publishes a standard event on the page; resolves once the pixel's request was answered. */
async function publish(page: Page, name: string, data: object) {
  const answered = page.waitForResponse((r) => r.url() === `${c.url}/v1/events`);
  await page.evaluate(([n, d]) => (window as unknown as { shopify: { publish(n: string, d: unknown): Promise<unknown> } }).shopify.publish(n, d), [name, data] as const);
  return (await answered).json();
}

it('email link → checkout_started → checkout_completed: the order in the Orders report, attributed, its cart closed, the click counted', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));

  const landing = '/products/drill?emst=601.u-anna&sc_src=email_601&sc_uid=u-anna';
  await open(page, landing);
  await open(page, landing); // a reload: the same click, not sent again
  await open(page, '/cart');
  await open(page, '/checkouts/cn/TOKEN-1');
  expect(await publish(page, 'checkout_started', { checkout: checkout('TOKEN-1') })).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  await open(page, '/checkouts/cn/TOKEN-1/thank-you');
  expect(await publish(page, 'checkout_completed', { checkout: checkout('TOKEN-1', '5551001') })).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  // Campaign and visitor live in the shop's own cookies, as the SDK keeps them.
  const cookies = Object.fromEntries((await context.cookies(shopUrl)).map((k) => [k.name, decodeURIComponent(k.value)]));
  expect(JSON.parse(cookies._et_cmp)).toMatchObject({ emst: '601.u-anna', sc_src: 'email_601', sc_uid: 'u-anna' });
  expect(JSON.parse(cookies._et_vid)).toEqual(expect.any(String));
  await context.close();
  expect(warnings).toEqual([]);

  const { order, items } = await expectOrderOnce(c, '5551001');
  expect(order).toMatchObject({ campaignId: '601', campaignName: 'Shopify spring', email: 'anna@example.com', total: 158.9, tax: 24.59, shipping: 4.9, currency: 'EUR', city: 'München', country: 'DE', itemCount: 3 });
  expect(items.map((i) => [i.sku, i.name, i.price, i.quantity]).sort()).toEqual([
    ['DRL-18', 'Cordless Drill 18 V', 129, 1],
    ['GLV-2', 'Work Gloves', 12.5, 2],
  ]);
  // The landing was the campaign's one click: the dashboard's clicks and click-to-order conversion.
  const [summary] = (await report(c, 'summary?campaign=601')).rows;
  expect(summary).toMatchObject({ campaignId: '601', orders: 1, clicks: 1, clickConversion: 1 });
  // The order closed its checkout's cart: never abandoned.
  c.advance(31 * MINUTE);
  await c.app.sweeper.runOnce();
  const abandoned = await report<{ cartId: string }>(c, 'abandoned-carts?attributed=all&limit=1000');
  expect(abandoned.rows.map((r) => r.cartId)).not.toContain('TOKEN-1');
});

it('the collector unreachable on the Thank You page: the order is kept and sent with the next page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, '/?emst=601.u-ben');
  await open(page, '/checkouts/cn/TOKEN-2/thank-you');
  await page.route(`${c.url}/v1/events`, (route) => route.abort('internetdisconnected'));
  await page.evaluate((d) => (window as unknown as { shopify: { publish(n: string, d: unknown): Promise<unknown> } }).shopify.publish('checkout_completed', d), {
    checkout: { ...checkout('TOKEN-2', '5551002'), email: 'ben@example.com' },
  });
  expect(await page.evaluate(() => JSON.parse(localStorage.getItem('_et_px_queue')!).map((e: { orderId: string }) => e.orderId))).toEqual(['5551002']);
  expect(await ordersWithId(c, '5551002')).toEqual([]);

  await page.unroute(`${c.url}/v1/events`);
  const answered = page.waitForResponse((r) => r.url() === `${c.url}/v1/events`);
  await open(page, '/account/orders/5551002');
  expect(await (await answered).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  expect(await page.evaluate(() => localStorage.getItem('_et_px_queue'))).toBe('[]');
  await context.close();
  const { order } = await expectOrderOnce(c, '5551002');
  expect(order).toMatchObject({ campaignId: '601', email: 'ben@example.com', total: 158.9 });
});
