// The legacy integrations end to end: the real collector (harness.ts: SQLite in a temp dir,
// injectable clock), the examples/legacy pages with the Suite's old snippets and pixel at
// /legacy/, dist/emstrack.js at /js/, and a real Chromium following an email link.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import { emailLink, expectOrderOnce, MINUTE, report, ROOT, SHOP, startCollector, type Collector } from './harness.js';

let c: Collector;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'emstrack.js'))) throw new Error('dist/emstrack.js is missing: run "npm run build:sdk" first');
  c = await startCollector();
  expect(c.app.hasRoute({ method: 'GET', url: '/upages/ti.php' }), 'app.ts registers routes/legacy-pixel.ts').toBe(true);
  expect(c.app.hasRoute({ method: 'GET', url: '/legacy/*' }), 'the collector serves examples/legacy/ at /legacy/').toBe(true);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

/** Does what a shopper does (a click, a reload) and waits for the page's tracking request to be answered. */
async function tracked(page: Page, act: () => Promise<unknown>, route: string) {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === route);
  await act();
  const res = await answered;
  expect(res.status()).toBe(200);
  return res;
}

const batchAnswer = async (page: Page, act: () => Promise<unknown>) => (await tracked(page, act, '/v1/events')).json();

describe('legacy emstrack.js pages in Chromium', () => {
  it('follows an email link through Order Confirmation and Thank You to an attributed order', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const warnings: string[] = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await page.goto(emailLink(c, '5521', 'UID9', '/legacy/index.html'));
    expect(await batchAnswer(page, () => page.click('#js-checkout'))).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await batchAnswer(page, () => page.click('#place-order'))).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const orderId = new URL(page.url()).searchParams.get('order')!;
    expect(orderId).toMatch(/^L-/);
    // A reload of the Thank You page sends the order again; it is stored once.
    expect(await batchAnswer(page, () => page.reload())).toMatchObject({ accepted: 0, duplicates: 1 });
    await context.close();
    expect(warnings).toEqual([]);

    const { order, items } = await expectOrderOnce(c, orderId);
    expect(order).toMatchObject({ campaignId: '5521', contactUid: 'UID9', total: 168.8, tax: 26.95, shipping: 4.9, city: 'München', country: 'DE', source: 'emstrack' });
    // The items report lists newest first; lines of one order come in no set order.
    expect(items.map((i) => [i.sku, i.name, i.price, i.quantity]).sort()).toEqual([
      ['DRL-18', 'Cordless Drill 18 V', 129, 1],
      ['GLV-2', 'Salt & Pepper Work Gloves', 12.5, 2],
      ['TAPE-5', 'Maßband 5 m', 9.9, 1],
    ]);
  });

  it('reports a checkout that stops at Order Confirmation as an abandoned cart after the timeout', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(emailLink(c, '5521', 'UID9', '/legacy/index.html'));
    await batchAnswer(page, () => page.click('#js-checkout'));
    await context.close();

    c.advance(29 * MINUTE);
    await c.app.sweeper.runOnce();
    expect((await report(c, 'abandoned-carts')).rows).toEqual([]);
    c.advance(2 * MINUTE);
    await c.app.sweeper.runOnce();
    const { rows } = await report<{ cartId: string }>(c, 'abandoned-carts');
    expect(rows).toEqual([expect.objectContaining({ campaignId: '5521', contactUid: 'UID9', total: 168.8, itemCount: 4, abandonedAt: expect.any(String) })]);
    const cart = await fetch(`${c.url}/api/v1/customers/${SHOP}/abandoned-carts/${rows[0].cartId}`, { headers: { authorization: `Bearer ${c.tokens.marketer}` } });
    expect(((await cart.json()) as { items: { sku: string }[] }).items.map((i) => i.sku)).toEqual(['DRL-18', 'GLV-2', 'TAPE-5']);
  });
});

describe('legacy ti.php pixel pages in Chromium', () => {
  it('pairs the two pixels into one order with the unencoded values intact', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await tracked(page, () => page.goto(`${c.url}/legacy/pixel-order-confirmation.html`), '/upages/ti.php');
    const gif = await tracked(page, () => page.click('#place-order'), '/upages/ti.php');
    expect(gif.headers()['content-type']).toBe('image/gif');
    expect(await page.evaluate(() => document.querySelector('img')!.naturalWidth)).toBe(1);
    await context.close();

    const { order, items } = await expectOrderOnce(c, 'P-1001');
    expect(order).toMatchObject({ campaignId: '5521', total: 168.8, city: 'München', source: 'ti.php' });
    expect(items.map((i) => i.name).sort()).toEqual(['Cordless Drill 18 V', 'Maßband 5 m', 'Salt & Pepper Work Gloves']);
    expect(await c.app.store.rejected.list(SHOP)).toEqual([]);
  });
});
