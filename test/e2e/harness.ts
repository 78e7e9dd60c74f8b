// The end-to-end world shared by the dashboard and shop suites: a real collector (buildApp,
// SQLite in a temp dir, listening on a real port) with an injectable clock, the accounts
// and users the tests log in as, and small helpers that drive the shop and the dashboard
// the way a shopper and a marketer would.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchBrowser } from './browser.js';
import { buildApp } from '../../collector/src/app.js';
import { campaignLinkParams } from '../../src/protocol/campaign.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
export const MINUTE = 60_000;
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** The shop's account (the ID examples/shop carries), and another account next to it. */
export const SHOP = '112734771';
export const OTHER = '220000002';
export const PASSWORD = 'correct horse battery staple';
export const USERS = {
  marketer: { customerId: SHOP, email: 'marketer@northwind.test', role: 'ecommerce-admin' },
  manager: { customerId: SHOP, email: 'manager@northwind.test', role: 'admin' },
  stranger: { customerId: OTHER, email: 'marketer@other.test', role: 'ecommerce-admin' },
} as const;
export type UserName = keyof typeof USERS;

export interface Collector {
  url: string;
  app: FastifyInstance;
  /** API tokens by user */
  tokens: Record<UserName, string>;
  /** Moves the collector's clock (not the browser's) forward. */
  advance(ms: number): void;
  /** Stops the collector and starts it again on the same port and database. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startCollector(): Promise<Collector> {
  // the shop loads the SDK the collector serves from dist/
  if (!existsSync(join(ROOT, 'dist', 'emarsys-track.min.js'))) throw new Error('dist/emarsys-track.min.js is missing: run "npm run build:sdk" first');
  const dir = await mkdtemp(join(tmpdir(), 'emarsys-e2e-'));
  const db = join(dir, 'collector.db');
  let skipped = 0;
  const options = { db, clock: () => Date.now() + skipped, sweepIntervalMs: 0 };
  let app = await buildApp(options);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const port = Number(new URL(url).port);

  const now = Date.now();
  await app.store.customers.add({ customerId: SHOP, name: 'Northwind Tools', currency: 'EUR', abandonAfterSeconds: null }, now);
  await app.store.customers.add({ customerId: OTHER, name: 'Other Shop', currency: 'EUR', abandonAfterSeconds: null }, now);
  const tokens = {} as Record<UserName, string>;
  for (const [name, u] of Object.entries(USERS) as [UserName, (typeof USERS)[UserName]][]) {
    tokens[name] = (await app.auth.createUser(u.customerId, u.email, u.role, PASSWORD)).token;
  }
  await mkdir(SCREENSHOTS, { recursive: true });

  const collector: Collector = {
    url,
    app,
    tokens,
    advance: (ms) => {
      skipped += ms;
    },
    async restart() {
      // as a crash or a deploy would: open connections are dropped, not waited for
      app.server.closeAllConnections();
      await app.close();
      app = await buildApp(options);
      await app.listen({ port, host: '127.0.0.1' });
      collector.app = app;
    },
    async close() {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return collector;
}

/**
 * The install's first line as docs/sdk.md gives it: the stub and the shop's init() (its
 * example customer is SHOP), for a collector at `endpoint`; and the stub alone, as the install
 * with the options on the script tag has it.
 */
export async function installSnippet(endpoint: string): Promise<{ install: string; stub: string }> {
  const docs = await readFile(join(ROOT, 'docs/sdk.md'), 'utf8');
  return {
    install: /^(<script>!function.*<\/script>)$/m.exec(docs)![1].replace('https://collector.example.com', endpoint),
    stub: /^(<script>!function.*\}\(\)<\/script>)$/m.exec(docs)![1],
  };
}

/** expect.poll with room for a busy two-core machine. */
export interface Served {
  url: string;
  close(): Promise<void>;
}

/** A local HTTP server (a shop, a webhook receiver) on 127.0.0.1; `host` names it in its URL (`localhost`: another origin than the collector's). */
export async function serve(handler: RequestListener, host = '127.0.0.1'): Promise<Served> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });

/** GET a report of the shop's account with the marketer's API token (or another user's). */
export async function report<T = Record<string, unknown>>(
  c: Collector,
  path: string,
  user: UserName = 'marketer',
  customerId: string = SHOP,
): Promise<{ rows: T[]; total: number; next: string | null }> {
  const res = await fetch(`${c.url}/api/v1/customers/${customerId}/${path}`, { headers: { authorization: `Bearer ${c.tokens[user]}` } });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<{ rows: T[]; total: number; next: string | null }>;
}

export interface OrderRow {
  orderId: string;
  email: string | null;
  campaignId: string | null;
  campaignName: string | null;
  total: number;
  currency: string;
  itemCount: number;
}

/** Every order with this ID in the reports (an order must be there exactly once). */
export async function ordersWithId(c: Collector, orderId: string): Promise<OrderRow[]> {
  const { rows } = await report<OrderRow>(c, 'orders?attributed=all&limit=1000');
  return rows.filter((r) => r.orderId === orderId);
}

export interface ItemRow {
  orderId: string;
  sku: string;
  name: string | null;
  price: number;
  quantity: number;
}

/**
 * Polls until the order has arrived (delivery may be a retry on a later page), then checks
 * it is in the orders report exactly once, its lines in the items report once each.
 */
export async function expectOrderOnce(c: Collector, orderId: string, timeoutMs = 10_000): Promise<{ order: OrderRow; items: ItemRow[] }> {
  const until = Date.now() + timeoutMs;
  let rows = await ordersWithId(c, orderId);
  while (rows.length === 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    rows = await ordersWithId(c, orderId);
  }
  expect(rows, `order ${orderId} in the orders report`).toHaveLength(1);
  const items = (await report<ItemRow>(c, 'items?attributed=all&limit=1000')).rows.filter((r) => r.orderId === orderId);
  expect(items.reduce((n, i) => n + i.quantity, 0), `units of ${orderId} in the items report`).toBe(rows[0].itemCount);
  return { order: rows[0], items };
}

/** The landing URL of an email link, decorated as `links decorate` does. */
export function emailLink(c: Collector, campaignId: string, contactUid: string, path = '/shop/'): string {
  const u = new URL(path, c.url);
  for (const [k, v] of campaignLinkParams({ campaignId, contactUid })) u.searchParams.set(k, v);
  return u.toString();
}

export interface Buyer {
  email: string;
  name: string;
  city: string;
}

/**
 * A shopper's way from the email link to the Order Confirmation page; resolves once the
 * page's cart() call has settled. `ui: 'full'` walks it all (landing, each product page,
 * the cart, the details form); `'short'` lands, then fills the cart and the details
 * straight into the shop's storage, for tests about delivery rather than the shop.
 */
export async function shopToConfirmation(page: Page, landing: string, skus: string[], buyer: Buyer, ui: 'full' | 'short' = 'short'): Promise<void> {
  await page.goto(landing);
  if (ui === 'short') {
    await page.evaluate(
      ([cart, details]) => {
        localStorage.setItem('northwind.cart', JSON.stringify(cart));
        localStorage.setItem('northwind.buyer', JSON.stringify({ ...details, country: 'DE' }));
      },
      [{ id: `CART-${randomUUID()}`, lines: skus.map((sku) => ({ sku, quantity: 1 })) }, buyer] as const,
    );
    await page.goto(new URL('confirm.html', page.url()).toString());
  } else {
    for (const sku of skus) {
      await page.click(`a[href="product.html?sku=${sku}"] >> nth=0`);
      await page.click('form.buy button[type=submit]');
      await page.waitForSelector('.added a');
      await page.click('.logo');
    }
    await page.click('a.cart-link');
    await page.click('a[href="checkout.html"]');
    await page.fill('#email', buyer.email);
    await page.fill('#name', buyer.name);
    await page.fill('#city', buyer.city);
    await page.click('button[type=submit]');
    await page.waitForURL(/confirm\.html/);
  }
  await poll(() => page.getAttribute('body', 'data-tracked')).toBe('cart');
}

/** Places the order from the Order Confirmation page; resolves with the order number shown. */
export async function placeOrder(page: Page): Promise<string> {
  await page.click('#place-order');
  await page.waitForURL(/thank-you\.html/);
  await poll(() => page.getAttribute('body', 'data-tracked')).toBe('order');
  return (await page.textContent('#order-id'))!;
}

/** Logs into the dashboard through its form. */
export async function logIn(page: Page, c: Collector, user: UserName, hash = ''): Promise<void> {
  const u = USERS[user];
  await page.goto(`${c.url}/${hash}`);
  await page.fill('#login-customer', u.customerId);
  await page.fill('#login-email', u.email);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#app:not([hidden])');
}

/** The text of each cell of the dashboard's table, row by row. */
export function tableText(page: Page, selector = '#table'): Promise<string[][]> {
  return page.$$eval(`${selector} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

/** The table's rows, each cell under its column's label. */
export function tableRows(page: Page, selector = '#table'): Promise<Record<string, string>[]> {
  return page.$$eval(`${selector} table`, ([table]) => {
    if (!table) return [];
    const labels = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
    return [...table.querySelectorAll('tbody tr')].map((tr) =>
      Object.fromEntries([...tr.querySelectorAll('td')].map((td, i) => [labels[i] ?? String(i), td.textContent ?? ''])),
    );
  });
}

/** Saves test-results/screenshots/<name>.png: the whole page, or what the screen shows. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/**
 * A browser for the test file and a fresh profile per `newPage()` (a new shopper, or the same
 * one on another device), each closed after its test.
 */
export function shopperPages(): () => Promise<Page> {
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  });
  afterAll(async () => {
    await browser?.close();
  });
  return async () => {
    const context = await browser!.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'Europe/Berlin' });
    contexts.push(context);
    return context.newPage();
  };
}
