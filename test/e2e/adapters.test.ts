// The dataLayer and Web Extend adapters in a real Chromium: shop pages on their own origin
// load the install stub, the core script and dist/emarsys-track-adapters.min.js from the
// collector (as a shop loads them from a CDN), and push what GA4 themes and Web Extend push.
// Each flow must end with the order in the Orders report, attributed to the email campaign.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import { SHOP, type Collector, expectOrderOnce, installSnippet, serve, type Served, startCollector } from './harness.js';

let c: Collector;
let browser: Browser;
let shop: Served | undefined;
let shopUrl: string;

beforeAll(async () => {
  c = await startCollector();
  await c.app.store.directory.putCampaigns(SHOP, [{ campaignId: '701', name: 'GA4 shop' }, { campaignId: '702', name: 'Web Extend shop' }], Date.now());
  const { install } = await installSnippet(c.url);
  // Every page: the install, the core's tag, the adapters' tag; the test writes the page's own
  // script (`?page=<base64 of the script>`) as the theme would.
  shop = await serve((req, res) => {
    const script = Buffer.from(new URL(req.url!, 'http://x').searchParams.get('page') ?? '', 'base64url').toString();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
${install}
<script async src="${c.url}/js/emarsys-track.min.js"></script>
<script async src="${c.url}/js/emarsys-track-adapters.min.js" data-datalayer data-web-extend></script>
<script>${script}</script>
</head><body><h1>Shop</h1></body></html>`);
  }, 'localhost');
  shopUrl = shop.url;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await c?.close();
});

/**
 * Opens a shop page running `script`; resolves once its tracking request was answered: the
 * first, or the one whose body names `marker` (a landing page also sends its click, and
 * the retry queue may resend what an earlier page queued).
 */
async function open(page: Page, path: string, script: string, marker?: string) {
  const answered = page.waitForResponse((r) => r.url() === `${c.url}/v1/events` && (!marker || (r.request().postData() ?? '').includes(marker)));
  await page.goto(`${shopUrl}${path}${path.includes('?') ? '&' : '?'}page=${Buffer.from(script).toString('base64url')}`);
  return (await answered).json();
}

it('a GA4 theme: begin_checkout and purchase in the dataLayer end as an attributed order', async () => {
  const page = await (await browser.newContext()).newPage();
  const items = `[{ item_id: 'DRL-18', item_name: 'Cordless Drill 18 V', item_category: 'Power tools', price: 129, quantity: 1 },
                  { item_id: 'GLV-2', item_name: 'Work Gloves', item_category: 'Safety', price: '12.50', quantity: 2 }]`;
  const gtm = (event: string, ecommerce: string) => `window.dataLayer = window.dataLayer || []; dataLayer.push({ ecommerce: null }); dataLayer.push({ event: '${event}', ecommerce: ${ecommerce} });`;
  // The email link lands on the checkout; its campaign is kept for the order.
  expect(await open(page, '/checkout?emst=701.u-gina', gtm('begin_checkout', `{ currency: 'EUR', value: 154, items: ${items} }`))).toMatchObject({ rejected: [] });
  const thankYou = gtm('purchase', `{ transaction_id: 'GA-1001', value: 158.9, tax: 24.59, shipping: 4.9, currency: 'EUR', items: ${items} }`);
  expect(await open(page, '/checkout/order-received/1001', thankYou, 'GA-1001')).toMatchObject({ accepted: 1, rejected: [] });
  await page.context().close();

  const { order, items: lines } = await expectOrderOnce(c, 'GA-1001');
  expect(order).toMatchObject({ campaignId: '701', campaignName: 'GA4 shop', total: 158.9, tax: 24.59, shipping: 4.9, currency: 'EUR', itemCount: 3 });
  expect(lines.map((i) => [i.sku, i.price, i.quantity]).sort()).toEqual([
    ['DRL-18', 129, 1],
    ['GLV-2', 12.5, 2],
  ]);
});

it('a Web Extend shop: cart and purchase in the ScarabQueue end as an attributed order with unit prices', async () => {
  const page = await (await browser.newContext()).newPage();
  const scarab = (commands: string) => `var ScarabQueue = ScarabQueue || []; ${commands} ScarabQueue.push(['go']);`;
  const cart = `ScarabQueue.push(['cart', [{ item: 'DRL-18', price: 129, quantity: 1 }, { item: 'GLV-2', price: 25, quantity: 2 }]]);`;
  expect(await open(page, '/cart?emst=702.u-wes', scarab(cart))).toMatchObject({ rejected: [] });
  const purchase = `ScarabQueue.push(['setEmail', 'wes@example.com']);
    ScarabQueue.push(['purchase', { orderId: 'WX-1001', items: [{ item: 'DRL-18', price: 129, quantity: 1 }, { item: 'GLV-2', price: 25, quantity: 2 }, { item: 'BIT-3', price: '10.00', quantity: 3 }] }]);`;
  expect(await open(page, '/checkout/success', scarab(purchase), 'WX-1001')).toMatchObject({ accepted: 1, rejected: [] });
  await page.context().close();

  const { order, items } = await expectOrderOnce(c, 'WX-1001');
  expect(order).toMatchObject({ campaignId: '702', campaignName: 'Web Extend shop', email: 'wes@example.com', total: 164, itemCount: 6 });
  expect(items.map((i) => [i.sku, i.price, i.quantity]).sort()).toEqual([
    ['BIT-3', 3.33, 2],
    ['BIT-3', 3.34, 1],
    ['DRL-18', 129, 1],
    ['GLV-2', 12.5, 2],
  ]);
});
