// Clicks and attribution that survives a lost cookie, in Chromium with the demo shop and the
// real SDK from dist/: a campaign link's landing is recorded once; an order whose browser has
// lost the campaign cookie is attributed to its visitor's click, an order from another browser
// to its contact's click; past the customer's attribution window, to nothing.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP, type Buyer, type Collector, emailLink, expectOrderOnce, placeOrder, poll, shopToConfirmation, shopperPages, startCollector } from './harness.js';

const DAY = 86_400_000;

let c: Collector;
const newPage = shopperPages();

beforeAll(async () => {
  c = await startCollector();
});

afterAll(async () => {
  await c?.close();
});

/** The clicks the collector keeps for a campaign (with their event IDs and times: a failure shows whether a click was sent twice or made twice). */
async function clicksOf(campaignId: string): Promise<{ click_id: string; visitor: string; contact_uid: string; path: string; clicked_at: number; received_at: number }[]> {
  return c.app.store.db.all('SELECT click_id, visitor, contact_uid, path, clicked_at, received_at FROM clicks WHERE customer_id = $1 AND campaign_id = $2', [SHOP, campaignId]);
}

/** The campaign the stored order went to, and how it was attributed (once the reports have it). */
async function attributionOf(orderId: string): Promise<{ campaignId: string; attribution: string | null }> {
  await expectOrderOnce(c, orderId);
  const row = await c.app.store.db.get<{ campaign_id: string; attribution: string | null }>(
    'SELECT campaign_id, attribution FROM orders WHERE customer_id = $1 AND order_id = $2',
    [SHOP, orderId],
  );
  return { campaignId: row!.campaign_id, attribution: row!.attribution };
}

/** Follows the email link, and waits until the collector has the click. */
async function land(page: Page, campaignId: string, contactUid: string): Promise<void> {
  await page.goto(emailLink(c, campaignId, contactUid));
  await poll(async () => (await clicksOf(campaignId)).length).toBe(1);
}

const buyer = (email: string): Buyer => ({ email, name: 'Test Buyer', city: 'Berlin' });

describe('clicks and attribution without the cookie', () => {
  it('records one click per click: a reload or the next page sends none', async () => {
    const page = await newPage();
    const clickPosts: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/v1/events') && r.postData()?.includes('"type":"click"')) clickPosts.push(r.postData()!);
    });
    await land(page, '701', 'u-ida');
    await page.reload();
    await page.goto(`${c.url}/shop/product.html?sku=DRL-18V`);
    await page.goBack();
    // what the reloads and pages would have sent has had time to arrive
    await page.waitForLoadState('networkidle');
    const clicks = await clicksOf('701');
    expect(clicks).toHaveLength(1);
    expect(clicks[0]).toMatchObject({ contact_uid: 'u-ida', path: '/shop/' });
    expect(clickPosts).toHaveLength(1);
  });

  it('the campaign cookie removed after the click: the order is still attributed, through the visitor', async () => {
    const page = await newPage();
    await land(page, '702', 'u-jan');
    // as Safari does to script-set cookies after 7 days (the visitor ID survives in this test, as in a first-party server-set cookie)
    await page.context().clearCookies({ name: '_et_cmp' });
    await shopToConfirmation(page, `${c.url}/shop/`, ['HMR-450'], buyer('jan@example.com'));
    const orderId = await placeOrder(page);
    expect(await attributionOf(orderId)).toEqual({ campaignId: '702', attribution: 'visitor' });
  });

  it('another browser with the same email: the order is attributed to the contact’s click', async () => {
    await c.app.store.directory.putContacts(SHOP, [{ contactUid: 'u-kim', email: 'kim@example.com' }], Date.now());
    await land(await newPage(), '703', 'u-kim');
    const phone = await newPage();
    await shopToConfirmation(phone, `${c.url}/shop/`, ['TPM-5M'], buyer('kim@example.com'));
    const orderId = await placeOrder(phone);
    expect(await attributionOf(orderId)).toEqual({ campaignId: '703', attribution: 'contact' });
  });

  it('past the attribution window: the order is not attributed', async () => {
    await c.app.store.customers.update(SHOP, { attributionDays: 1 });
    try {
      const page = await newPage();
      await land(page, '704', 'u-lea');
      await page.context().clearCookies({ name: '_et_cmp' });
      // two days later, for the browser and the collector
      await page.context().clock.install({ time: Date.now() + 2 * DAY });
      c.advance(2 * DAY);
      await shopToConfirmation(page, `${c.url}/shop/`, ['GLV-PRO'], buyer('lea@example.com'));
      const orderId = await placeOrder(page);
      expect(await attributionOf(orderId)).toEqual({ campaignId: '', attribution: null });
    } finally {
      await c.app.store.customers.update(SHOP, { attributionDays: 30 });
    }
  });
});
