// The demo shop end to end: a shopper in Chromium follows an email link through the shop
// (examples/shop, the real SDK from dist/), a real collector stores what arrives, and the
// marketer finds it in the dashboard. Then the delivery fault matrix: each fault
// must end with the order in the reports exactly once.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MINUTE,
  ROOT,
  SHOP,
  type Buyer,
  type Collector,
  emailLink,
  expectOrderOnce,
  logIn,
  ordersWithId,
  placeOrder,
  poll,
  report,
  screenshot,
  shopToConfirmation,
  shopperPages,
  startCollector,
  tableRows,
  tableText,
} from './harness.js';

let c: Collector;
const newPage = shopperPages();

beforeAll(async () => {
  c = await startCollector();
  await c.app.store.directory.putCampaigns(SHOP, [
    { campaignId: '501', name: 'Spring Sale' },
    { campaignId: '502', name: 'Cart reminder test' },
  ], Date.now());
});

afterAll(async () => {
  await c?.close();
});

const anna: Buyer = { email: 'anna@example.com', name: 'Anna Schmidt', city: 'Berlin' };
const cartIdOf = (page: Page) => page.evaluate(() => (JSON.parse(localStorage.getItem('northwind.cart') ?? '{}') as { id?: string }).id);
const isOrderPost = (body: string | null) => !!body && body.includes('"type":"order"');

async function abandonedCartIds(): Promise<string[]> {
  return (await report<{ cartId: string }>(c, 'abandoned-carts?attributed=all&limit=1000')).rows.map((r) => r.cartId);
}

describe('the demo shop and the dashboard', () => {
  it('email link → product → cart → Order Confirmation → Thank You: the order shows in the dashboard', async () => {
    const shopper = await newPage();
    await shopToConfirmation(shopper, emailLink(c, '501', 'u-anna'), ['BNT-DLX', 'DRL-18V'], anna, 'full');
    await screenshot(shopper, 'shop-order-confirmation-desktop');
    const orderId = await placeOrder(shopper);
    await screenshot(shopper, 'shop-thank-you-desktop');
    expect(orderId).toMatch(/^NW-/);

    const { order, items } = await expectOrderOnce(c, orderId);
    expect(order).toMatchObject({ campaignId: '501', campaignName: 'Spring Sale', email: 'anna@example.com', total: 133.99, currency: 'EUR', itemCount: 2 });
    expect(items.map((i) => [i.sku, i.name, i.price, i.quantity]).sort()).toEqual([
      ['BNT-DLX', 'Bolt & Nut <Deluxe>', 4.99, 1],
      ['DRL-18V', 'Cordless Drill 18V', 129, 1],
    ]);

    const marketer = await newPage();
    await logIn(marketer, c, 'marketer', '#view=orders');
    const row = marketer.locator('#table tbody tr', { hasText: orderId });
    await poll(() => row.count()).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells).toEqual(expect.arrayContaining([orderId, 'anna@example.com', 'Spring Sale', '€133.99', '2', 'Berlin', 'DE']));

    // zoom to the items; the view, zoom included, survives a reload
    await row.getByRole('button', { name: `Show items of order ${orderId}` }).click();
    await marketer.waitForSelector('#zoom[open] #zoom-items tbody tr');
    expect(await tableText(marketer, '#zoom-items')).toEqual([
      ['BNT-DLX', 'Bolt & Nut <Deluxe>', 'Fixings', '€4.99', '1', '€4.99'],
      ['DRL-18V', 'Cordless Drill 18V', 'Power tools', '€129.00', '1', '€129.00'],
    ]);
    expect(decodeURIComponent(new URL(marketer.url()).hash)).toContain(`zoom=order:${orderId}`);
    await marketer.reload();
    await marketer.waitForSelector('#zoom[open] #zoom-items tbody tr');
    expect(await marketer.textContent('#zoom-title')).toBe(`Order ${orderId}`);
    await marketer.keyboard.press('Escape');
    await poll(() => new URL(marketer.url()).hash).not.toContain('zoom');
  });

  it('Order Confirmation, then leaving: an abandoned cart after the timeout; a later purchase recovers it', async () => {
    const shopper = await newPage();
    await shopToConfirmation(shopper, emailLink(c, '502', 'u-ben'), ['BNT-DLX'], { email: 'ben@example.com', name: 'Ben', city: 'Wien' }, 'full');
    const cartId = (await cartIdOf(shopper))!;

    await c.app.sweeper.runOnce();
    expect(await abandonedCartIds()).not.toContain(cartId);
    c.advance(31 * MINUTE);
    await c.app.sweeper.runOnce();
    const [cart] = (await report<Record<string, unknown>>(c, `abandoned-carts?campaign=502`)).rows;
    expect(cart).toMatchObject({ cartId, campaignId: '502', campaignName: 'Cart reminder test', email: 'ben@example.com', total: 9.89, itemCount: 1 });

    const marketer = await newPage();
    await logIn(marketer, c, 'marketer', '#view=abandoned-carts&campaign=502');
    await marketer.getByRole('button', { name: `Show items of cart ${cartId}` }).click();
    await marketer.waitForSelector('#zoom[open] #zoom-items tbody tr');
    expect(await tableText(marketer, '#zoom-items')).toEqual([['BNT-DLX', 'Bolt & Nut <Deluxe>', 'Fixings', '€4.99', '1', '€4.99']]);
    expect(await marketer.textContent('#zoom-facts')).toContain('Abandoned');
    await marketer.keyboard.press('Escape');

    // the shopper comes back to the open tab and pays
    const orderId = await placeOrder(shopper);
    const { order } = await expectOrderOnce(c, orderId);
    expect(order.campaignId).toBe('502');
    expect(await abandonedCartIds()).not.toContain(cartId);
    const [summary] = (await report<Record<string, unknown>>(c, 'summary?campaign=502')).rows;
    expect(summary).toMatchObject({ campaignId: '502', orders: 1, recoveredCarts: 1, revenue: 9.89 });

    await marketer.reload();
    await poll(() => marketer.textContent('#panel-message')).toBe('Nothing matches these filters yet.');
    await marketer.getByRole('tab', { name: 'Results Summary' }).click();
    const row = marketer.locator('#table tbody tr', { hasText: 'Cart reminder test' });
    await poll(() => row.count()).toBe(1);
    const [cells] = (await tableRows(marketer)).filter((r) => r.Campaign === 'Cart reminder test');
    expect(cells).toMatchObject({ 'Gross revenue': '€9.89', 'Net revenue': '€9.89', 'Recovered carts': '1' });
  });
});

describe('delivery faults: each order ends up in the reports exactly once', () => {
  it('the tab closed right after order()', async () => {
    const shopper = await newPage();
    await shopToConfirmation(shopper, emailLink(c, '501', 'u-closed'), ['HMR-450'], anna);
    const closed = new Promise<void>((resolve) => {
      shopper.on('request', (r) => {
        if (r.url().endsWith('/v1/events') && isOrderPost(r.postData())) void shopper.close().then(resolve);
      });
    });
    void shopper.click('#place-order').catch(() => undefined);
    await closed;

    // the shopper's next visit retries whatever the closed tab could not deliver
    const next = await shopper.context().newPage();
    await next.goto(`${c.url}/shop/`);
    const orderId = await next.evaluate(() => (JSON.parse(localStorage.getItem('northwind.lastOrder') ?? '{}') as { orderId?: string }).orderId);
    expect(orderId).toMatch(/^NW-/);
    const { order } = await expectOrderOnce(c, orderId!);
    expect(order).toMatchObject({ campaignId: '501', total: 29.8 });
  });

  it('the browser offline at order(), back online on the next page', async () => {
    const shopper = await newPage();
    const context = shopper.context();
    await shopToConfirmation(shopper, emailLink(c, '501', 'u-offline'), ['TPM-5M'], anna);

    // Hold the SDK: the Thank You page's order() waits in the stub's queue until the
    // browser is offline, then the SDK loads and makes it.
    const sdk = '**/js/emarsys-track.min.js';
    let hold!: (route: Route) => void;
    const held = new Promise<Route>((resolve) => (hold = resolve));
    await context.route(sdk, (route) => hold(route));
    void shopper.click('#place-order');
    const route = await held;
    await poll(() => shopper.evaluate(() => (window as unknown as { emarsysTrack: { q?: unknown[] } }).emarsysTrack.q?.length)).toBe(1);
    await context.setOffline(true);
    await route.fulfill({ body: await readFile(join(ROOT, 'dist', 'emarsys-track.min.js')), contentType: 'text/javascript' });
    await context.unroute(sdk);
    await poll(() => shopper.getAttribute('body', 'data-tracked')).toBe('order');
    const orderId = (await shopper.textContent('#order-id'))!;
    expect(await shopper.evaluate(() => navigator.onLine)).toBe(false);
    expect(await ordersWithId(c, orderId)).toHaveLength(0);

    await context.setOffline(false);
    await shopper.click('text=Continue shopping');
    await shopper.waitForURL(`${c.url}/shop/`);
    await expectOrderOnce(c, orderId);
  });

  it('the collector answering 500, then recovering', async () => {
    const shopper = await newPage();
    const context = shopper.context();
    await shopToConfirmation(shopper, emailLink(c, '501', 'u-500'), ['GLV-PRO'], anna);

    let refused = 0;
    await context.route('**/v1/events', (route) => {
      refused++;
      return route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"internal","message":"server: down"}' });
    });
    const orderId = await placeOrder(shopper);
    await poll(() => refused).toBeGreaterThan(0);
    expect(await ordersWithId(c, orderId)).toHaveLength(0);

    await context.unroute('**/v1/events');
    await shopper.click('text=Continue shopping');
    await expectOrderOnce(c, orderId);
  });

  it('the collector restarted between Order Confirmation and Thank You', async () => {
    const shopper = await newPage();
    await shopToConfirmation(shopper, emailLink(c, '501', 'u-restart'), ['TBX-20'], anna);
    const cartId = (await cartIdOf(shopper))!;
    await c.restart();
    const orderId = await placeOrder(shopper);
    const { order } = await expectOrderOnce(c, orderId);
    expect(order).toMatchObject({ campaignId: '501', total: 53.9 });
    // the cart from before the restart was kept and is closed by the order
    c.advance(31 * MINUTE);
    await c.app.sweeper.runOnce();
    expect(await abandonedCartIds()).not.toContain(cartId);
  });

  it('the Thank You page reloaded three times', async () => {
    const shopper = await newPage();
    await shopToConfirmation(shopper, emailLink(c, '501', 'u-reload'), ['BNT-DLX', 'HMR-450'], anna);
    const orderPosts: string[] = [];
    shopper.on('request', (r) => {
      if (r.url().endsWith('/v1/events') && isOrderPost(r.postData())) orderPosts.push(r.postData()!);
    });
    const orderId = await placeOrder(shopper);
    for (let i = 0; i < 3; i++) {
      await shopper.reload();
      await poll(() => shopper.getAttribute('body', 'data-tracked')).toBe('order');
      expect(await shopper.textContent('#order-id')).toBe(orderId);
    }
    await expectOrderOnce(c, orderId);
    // the SDK itself sent the order once; the reloads did not even reach the collector
    expect(orderPosts).toHaveLength(1);
  });
});
