// The legacy integrations end to end: the real collector (SQLite in a temp dir), the
// examples/legacy pages with the Suite's old snippets and pixel, dist/emstrack.js, and a
// real Chromium following an email link through checkout.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../collector/src/auth/service.js';
import legacyPixelRoutes from '../../collector/src/routes/legacy-pixel.js';
import { buildApp } from '../../collector/src/app.js';
import type { FastifyInstance } from 'fastify';
import { launchBrowser } from './browser.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CUSTOMER = '112734771'; // the ID the example pages carry
const MINUTE = 60_000;

let dir: string;
let app: FastifyInstance;
let collector: string;
let browser: Browser;
let token: string;
// The collector's clock runs with real time, plus what the test skips ahead.
let skipped = 0;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'emstrack.js'))) throw new Error('dist/emstrack.js is missing: run "npm run build:sdk" first');
  dir = await mkdtemp(join(tmpdir(), 'emarsys-legacy-e2e-'));
  app = await buildApp({ db: join(dir, 'collector.db'), clock: () => Date.now() + skipped, sweepIntervalMs: 0 });
  // Until app.ts registers the legacy pixel and serves examples/legacy/ at /legacy/ itself.
  if (!app.hasRoute({ method: 'GET', url: '/upages/ti.php' })) await app.register(legacyPixelRoutes);
  if (!app.hasRoute({ method: 'GET', url: '/legacy/*' })) {
    await app.register(fastifyStatic, { root: join(ROOT, 'examples', 'legacy'), prefix: '/legacy/', decorateReply: false });
  }
  collector = await app.listen({ port: 0, host: '127.0.0.1' });
  await app.store.customers.add({ customerId: CUSTOMER, name: 'Northwind Tools', currency: 'EUR', abandonAfterSeconds: null }, Date.now());
  token = (await new AuthService(app.store, Date.now).createUser(CUSTOMER, 'marketer@example.com', 'ecommerce-admin')).token;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function report(path: string) {
  const res = await fetch(`${collector}/api/v1/customers/${CUSTOMER}/${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return res.json();
}

/** Navigates by clicking, as a shopper does, and waits for the page's tracking request to be answered. */
async function visit(page: Page, go: () => Promise<unknown>, tracking: string) {
  const answered = page.waitForResponse((r) => r.url().includes(tracking));
  await go();
  const res = await answered;
  expect(res.status()).toBe(200);
  return res;
}

describe('legacy emstrack.js pages in Chromium', () => {
  it('follows an email link through Order Confirmation and Thank You to an attributed order', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const warnings: string[] = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await page.goto(`${collector}/legacy/index.html?emst=5521.UID9`);
    const cartAnswer = await visit(page, () => page.click('#js-checkout'), '/v1/events');
    expect(await cartAnswer.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const orderAnswer = await visit(page, () => page.click('#place-order'), '/v1/events');
    expect(await orderAnswer.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const orderId = new URL(page.url()).searchParams.get('order')!;
    expect(orderId).toMatch(/^L-/);
    // A reload of the Thank You page is stored once.
    const again = await visit(page, () => page.reload(), '/v1/events');
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await context.close();
    expect(warnings).toEqual([]);

    const orders = await report('orders');
    expect(orders.rows.filter((r: { orderId: string }) => r.orderId === orderId)).toEqual([
      expect.objectContaining({ orderId, campaignId: '5521', contactUid: 'UID9', total: 168.8, tax: 26.95, shipping: 4.9, city: 'München', country: 'DE', source: 'emstrack' }),
    ]);
    const detail = await report(`orders/${orderId}`);
    expect(detail.items).toEqual([
      { sku: 'DRL-18', name: 'Cordless Drill 18 V', category: 'Power tools', price: 129, quantity: 1 },
      { sku: 'GLV-2', name: 'Salt & Pepper Work Gloves', category: 'Safety', price: 12.5, quantity: 2 },
      { sku: 'TAPE-5', name: 'Maßband 5 m', category: 'Measuring', price: 9.9, quantity: 1 },
    ]);
    const items = await report('items');
    expect(items.rows.filter((r: { orderId: string }) => r.orderId === orderId)).toHaveLength(3);
  });

  it('reports a checkout that stops at Order Confirmation as an abandoned cart after the timeout', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${collector}/legacy/index.html?emst=5521.UID9`);
    await visit(page, () => page.click('#js-checkout'), '/v1/events');
    await context.close();

    const sweep = () => app.sweeper.runOnce();
    skipped += 29 * MINUTE;
    await sweep();
    expect((await report('abandoned-carts')).rows).toEqual([]);
    skipped += 2 * MINUTE;
    await sweep();
    const { rows } = await report('abandoned-carts');
    expect(rows).toEqual([expect.objectContaining({ campaignId: '5521', contactUid: 'UID9', total: 168.8, itemCount: 4, abandonedAt: expect.any(String) })]);
    const cart = await report(`abandoned-carts/${rows[0].cartId}`);
    expect(cart.items.map((i: { sku: string }) => i.sku)).toEqual(['DRL-18', 'GLV-2', 'TAPE-5']);
  });
});

describe('legacy ti.php pixel pages in Chromium', () => {
  it('pairs the two pixels into one order with the unencoded values intact', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await visit(page, () => page.goto(`${collector}/legacy/pixel-order-confirmation.html`), '/upages/ti.php');
    const gif = await visit(page, () => page.click('#place-order'), '/upages/ti.php');
    expect(gif.headers()['content-type']).toBe('image/gif');
    expect(await page.evaluate(() => (document.querySelector('img') as HTMLImageElement).naturalWidth)).toBe(1);
    await context.close();

    const detail = await report('orders/P-1001');
    expect(detail).toMatchObject({ orderId: 'P-1001', campaignId: '5521', total: 168.8, city: 'München', source: 'ti.php' });
    expect(detail.items.map((i: { name: string }) => i.name)).toEqual(['Cordless Drill 18 V', 'Salt & Pepper Work Gloves', 'Maßband 5 m']);
    expect((await app.store.rejected.list(CUSTOMER)).filter((r) => r.source === 'ti.php')).toEqual([]);
  });
});
