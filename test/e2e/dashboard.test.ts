// The dashboard end to end, in Chromium against a real collector: hostile data shown as
// text, filters, paging, the URL hash and CSV, clicks, conversion, refunds and attribution,
// who may see what, the end of a session (also by a password change), and
// screenshots of every view at desktop and phone size (test-results/screenshots/).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import {
  DESKTOP,
  MINUTE,
  PASSWORD,
  PHONE,
  ROOT,
  SHOP,
  type Collector,
  emailLink,
  expectOrderOnce,
  logIn,
  poll,
  report,
  screenshot,
  startCollector,
  tableRows,
  tableText,
  USERS,
} from './harness.js';
import { CAMPAIGNS, type Seeded, seedWeek } from './seed.js';

const IMG = '<img src=x onerror="window.__xss=1">';
const SCRIPT = '<script>window.__xss=1</script>';
const EVIL_EMAIL = "x'/onerror='window.__xss=1'@evil.test";
const EVIL_CAMPAIGN = `${IMG} & ${SCRIPT}`;
const RECIPE_ORDER = 'R-</script><script>window.__xss=1</script>';

let c: Collector;
let browser: Browser;
let seeded: Seeded;
let contexts: BrowserContext[] = [];

/** A marketer's or shopper's browser. The dashboard's CSP is bypassed, so only its own code stands between hostile data and the page. */
async function newContext(viewport = DESKTOP): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'Europe/Berlin', bypassCSP: true });
  contexts.push(context);
  return context;
}

const xss = (page: Page) => page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);
/** Elements that tracked data must never have become. */
const injected = (page: Page) => page.$$eval('#main img, #main script, #main svg, #zoom img, #zoom script, #zoom b, #main b', (els) => els.length);

/** The hostile order and cart, sent by the real SDK from a shop page reached by an email link. */
async function sendHostileData(): Promise<void> {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(emailLink(c, '666', IMG));
  const sent = await page.evaluate(
    async ([order, cart]) => {
      const t = (window as unknown as { emarsysTrack: { order(o: unknown): Promise<string>; cart(o: unknown): Promise<string> } }).emarsysTrack;
      return [await t.order(order), await t.cart(cart)];
    },
    [
      {
        orderId: IMG,
        items: [{ sku: SCRIPT, name: SCRIPT, category: IMG, price: '13.37', quantity: 1 }],
        total: '13.37',
        currency: 'EUR',
        email: EVIL_EMAIL,
        city: IMG,
        country: SCRIPT,
      },
      {
        cartId: SCRIPT,
        items: [{ sku: 'BNT-DLX', name: IMG, category: SCRIPT, price: 4.99, quantity: 2 }],
        total: 9.98,
        email: EVIL_EMAIL,
        city: SCRIPT,
      },
    ] as const,
  );
  expect(sent).toEqual(['sent', 'sent']);
  await context.close();
}

/**
 * The server-template recipe's Thank You page, rendered with its own helpers
 * (examples/recipes/server-template) for an order whose ID and name try to end the script.
 */
async function sendRecipeOrder(): Promise<void> {
  const dir = join(ROOT, 'examples', 'recipes', 'server-template');
  const { jsonForScript } = (await import(join(dir, 'json-for-script.js'))) as { jsonForScript(v: unknown): string };
  const { orderForTracking } = (await import(join(dir, 'tracking.js'))) as { orderForTracking(o: unknown): unknown };
  const head = (await readFile(join(dir, 'partials', 'emarsys-track.html'), 'utf8')).replace('https://collector.example.com', '/');
  const order = {
    number: RECIPE_ORDER,
    lines: [{ sku: 'R-1', name: '</script><script>window.__xss=1</script>', category: '<!--', unitPrice: 19.9, quantity: 2 }],
    total: 39.8,
    currency: 'EUR',
    email: 'recipe@example.com',
    city: 'Köln',
    country: 'DE',
  };
  const html = `<!doctype html><html><head><meta charset="utf-8">${head}</head><body><h1>Thank you</h1>
<script>emarsysTrack.order(${jsonForScript(orderForTracking(order))}).then(function (r) { document.body.dataset.tracked = r; });</script>
</body></html>`;
  const context = await newContext();
  const url = `${c.url}/shop/recipe-thank-you.html`;
  await context.route(url, (route) => route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' }));
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-tracked]');
  expect(await page.getAttribute('body', 'data-tracked')).toBe('sent');
  expect(await xss(page)).toBeUndefined();
  await context.close();
}

beforeAll(async () => {
  c = await startCollector();
  browser = await launchBrowser();
  seeded = await seedWeek(c);
  await c.app.store.directory.putCampaigns(SHOP, [{ campaignId: '666', name: EVIL_CAMPAIGN }], Date.now());
  await sendHostileData();
  await sendRecipeOrder();
  // past the abandoned-cart timeout: the open carts are abandoned
  c.advance(31 * MINUTE);
  await c.app.sweeper.runOnce();
});

afterEach(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
});

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

async function marketer(hash = '', viewport = DESKTOP): Promise<Page> {
  const page = await (await newContext(viewport)).newPage();
  await logIn(page, c, 'marketer', hash);
  return page;
}

/** An amount as the dashboard writes it for the test browser's en-US locale. */
const eur = (amount: number | string, currency = 'EUR') => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(Number(amount));
const pct = (ratio: number) => ratio.toLocaleString('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** Waits for a report table with at least one row, or the empty-report message. */
async function tableShown(page: Page): Promise<void> {
  await page.waitForSelector('#table tbody tr, #panel-message:text("Nothing matches")');
}

describe('the dashboard', () => {
  it('shows hostile order, cart, campaign and contact data as text, never as markup', async () => {
    await expectOrderOnce(c, RECIPE_ORDER).then(({ items }) => expect(items[0].name).toBe('</script><script>window.__xss=1</script>'));
    const page = await marketer('#campaign=666');
    await tableShown(page);
    // the hostile link's landing is a click, and its order converts it
    expect(await tableRows(page)).toMatchObject([{ Campaign: EVIL_CAMPAIGN, Clicks: '1', 'Click-to-order conversion': '100%', 'Net revenue': '€13.37' }]);
    expect(await page.$$eval('#filter-campaign option', (os) => os.map((o) => o.textContent))).toContain(`\u2068${EVIL_CAMPAIGN}\u2069 (666)`);

    await page.getByRole('tab', { name: 'Orders' }).click();
    await page.getByRole('button', { name: `Show items of order ${IMG}` }).click();
    await page.waitForSelector('#zoom[open] #zoom-items tbody tr');
    expect(await page.textContent('#zoom-title')).toBe(`Order ${IMG}`);
    const facts = await page.textContent('#zoom-facts');
    for (const text of [EVIL_EMAIL, EVIL_CAMPAIGN, IMG, SCRIPT]) expect(facts).toContain(text);
    expect(await tableText(page, '#zoom-items')).toEqual([[SCRIPT, SCRIPT, IMG, '€13.37', '1', '€13.37']]);
    await page.keyboard.press('Escape');

    await page.getByRole('tab', { name: 'Abandoned carts' }).click();
    await page.getByRole('button', { name: `Show items of cart ${SCRIPT}` }).click();
    await page.waitForSelector('#zoom[open] #zoom-items tbody tr');
    expect(await tableText(page, '#zoom-items')).toEqual([['BNT-DLX', IMG, SCRIPT, '€4.99', '2', '€9.98']]);
    await page.keyboard.press('Escape');

    await page.getByRole('tab', { name: 'Items' }).click();
    await poll(async () => (await tableText(page)).some((r) => r[1] === SCRIPT && r[2] === SCRIPT && r[3] === IMG && r[6] === IMG)).toBe(true);
    // an item's unit price shows with a currency, like every amount
    expect((await tableText(page)).find((r) => r[1] === SCRIPT)?.[4]).toBe('€13.37');
    expect(await injected(page)).toBe(0);
    expect(await xss(page)).toBeUndefined();
    // the collector's own guard, on top: the dashboard page forbids inline script
    const res = await page.request.get(`${c.url}/`);
    expect(res.headers()['content-security-policy']).toContain("script-src 'self'");
  });

  it('filters by campaign, date and direct traffic, pages, keeps the view in the URL, and downloads CSV', async () => {
    const page = await marketer('#view=orders');
    const { total } = await report(c, 'orders?limit=1');
    await poll(() => page.textContent('#pager-range')).toBe(`Rows 1–50 of ${total}`);
    await page.click('#pager-next');
    await poll(() => page.textContent('#pager-range')).toBe(`Rows 51–${total} of ${total}`);
    expect(await page.locator('#table tbody tr').count()).toBe(total - 50);
    await page.click('#pager-prev');
    await poll(() => page.textContent('#pager-range')).toBe(`Rows 1–50 of ${total}`);

    // campaign filter, then direct traffic on top
    await page.selectOption('#filter-campaign', '612');
    await page.click('#filters button[type=submit]');
    await poll(() => page.locator('#table tbody tr').count()).toBe(seeded.perCampaign['612']);
    expect(new Set((await tableRows(page)).map((r) => r.Campaign))).toEqual(new Set(['Weekly Newsletter']));
    await page.selectOption('#filter-campaign', '');
    await page.check('#filter-all');
    await page.click('#filters button[type=submit]');
    const all = (await report(c, 'orders?attributed=all&limit=1')).total;
    expect(all).toBeGreaterThanOrEqual(total + seeded.direct);
    await poll(() => page.textContent('#pager-range')).toBe(`Rows 1–50 of ${all}`);

    // a date range: one UTC day
    const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const onDay = (await report(c, `orders?attributed=all&from=${day}&to=${day}&limit=1000`)).rows.length;
    await page.fill('#filter-from', day);
    await page.fill('#filter-to', day);
    await page.click('#filters button[type=submit]');
    await poll(() => page.locator('#table tbody tr').count()).toBe(onDay);

    // the hash holds the view: a reload (or a shared link) restores it
    const hash = new URL(page.url()).hash;
    expect(hash).toBe(`#view=orders&from=${day}&to=${day}&all=1`);
    await page.reload();
    await poll(() => page.locator('#table tbody tr').count()).toBe(onDay);
    expect(await page.inputValue('#filter-from')).toBe(day);
    expect(await page.isChecked('#filter-all')).toBe(true);

    // CSV of the current view comes from the collector, with the same filters
    const href = (await page.getAttribute('#csv', 'href'))!;
    expect(href).toBe(`/api/v1/customers/${SHOP}/orders?from=${day}&to=${day}&attributed=all&format=csv`);
    const csv = await page.request.get(`${c.url}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^time,orderId,email/);
    expect(lines).toHaveLength(onDay + 1);
  });

  it('computes line totals exactly and writes every amount with its currency', async () => {
    // direct traffic, so the campaign counts of the other tests stay as seeded
    const shop = await (await newContext()).newPage();
    await shop.goto(`${c.url}/shop/`);
    const sent = await shop.evaluate((order) => (window as unknown as { emarsysTrack: { order(o: unknown): Promise<string> } }).emarsysTrack.order(order), {
      orderId: 'EXACT-1',
      // 1.115 × 3 is 3.3449999999999998 in floats: €3.34 where the exact €3.345 rounds to €3.35
      items: [{ sku: 'SCR-M4', name: 'Screws M4', price: '1.115', quantity: 3 }],
      total: '3.345',
      currency: 'EUR',
    });
    expect(sent).toBe('sent');
    await expectOrderOnce(c, 'EXACT-1');

    const page = await marketer('#view=items&all=1&zoom=order:EXACT-1');
    await page.waitForSelector('#zoom[open] #zoom-items tbody tr');
    expect(await tableText(page, '#zoom-items')).toEqual([['SCR-M4', 'Screws M4', '', '€1.12', '3', '€3.35']]);
    expect(await page.textContent('#zoom-facts')).toContain('Value€3.35');
    await page.keyboard.press('Escape');
    await poll(async () => (await tableText(page)).find((r) => r[6] === 'EXACT-1')?.[4]).toBe('€1.12');
  });

  it('charts one day of data over that day', async () => {
    const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const page = await marketer(`#from=${day}&to=${day}`);
    await page.waitForSelector('#chart-canvas canvas');
    const dayText = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(day));
    expect(await page.textContent('#chart')).toContain(`${dayText} – ${dayText}.`);
    await screenshot(page, 'dashboard-summary-one-day-desktop', false);
  });

  it('shows the Results Summary per campaign: clicks, click-to-order conversion, gross, refunded and net revenue, and the chart', async () => {
    const page = await marketer();
    await page.waitForSelector('#chart-canvas canvas');
    const rows = await tableRows(page);
    type Summary = { campaignId: string; currency: string; orders: number; clicks: number; clickConversion: number; revenue: number; refunded: number; netRevenue: number };
    const { rows: api } = await report<Summary>(c, 'summary');
    expect(rows).toHaveLength(api.length);
    for (const { name, campaignId } of CAMPAIGNS) {
      const mine = rows.filter((r) => r.Campaign === name);
      const ofApi = api.filter((r) => r.campaignId === campaignId);
      // one row per campaign and currency; the Orders column adds up to what was sent
      const orders = mine.reduce((n, r) => n + Number(r.Orders), 0);
      expect(orders, `orders of campaign ${campaignId}`).toBe(seeded.perCampaign[campaignId]);
      // every currency row carries all the campaign's clicks, and its orders (all currencies) per click
      for (const r of mine) {
        expect(r.Clicks, `clicks of campaign ${campaignId}`).toBe(String(seeded.clicks[campaignId]));
        expect(r['Click-to-order conversion']).toBe(pct(orders / seeded.clicks[campaignId]));
      }
      // net = gross − refunded, each with its currency
      for (const a of ofApi) {
        const r = mine.find((m) => m['Gross revenue'] === eur(a.revenue, a.currency));
        expect(r, `${campaignId} in ${a.currency}`).toMatchObject({ Refunded: eur(a.refunded, a.currency), 'Net revenue': eur(a.netRevenue, a.currency) });
        expect(Math.round(a.netRevenue * 100)).toBe(Math.round(a.revenue * 100) - Math.round(a.refunded * 100));
      }
    }
    // the partial refund (S-1001, Weekly Newsletter) and the cancellation (S-1002, Win-back)
    const refunds = rows.filter((r) => r['Refunded orders'] !== '0').map((r) => [r.Campaign, r.Refunded, r['Refunded orders']]);
    expect(refunds.sort()).toEqual([['Weekly Newsletter', '€24.90', '1'], ['Win-back', '€28.50', '1']]);
    expect(await page.textContent('#chart')).toMatch(/net revenue \(€[\d,.]+ gross, €53\.40 refunded\) and \d+ abandoned carts/);
  });

  it('marks refunded and cancelled orders in words, and says how each order was attributed', async () => {
    const page = await marketer('#view=orders&campaign=612');
    await tableShown(page);
    const rows = await tableRows(page);
    const byId = (id: string) => rows.find((r) => r['Order ID'] === id);
    expect(byId(seeded.refunded.orderId)).toMatchObject({
      Status: 'Partly refunded',
      Value: '€78.30',
      Refunded: '€24.90',
      'Net total': eur(seeded.refunded.netTotal),
      'Attributed by': 'Email link (cookie)',
    });
    expect(byId(seeded.refunded.orderId)?.Click).not.toBe('');
    expect(byId(seeded.byContact)).toMatchObject({ Status: '', Campaign: 'Weekly Newsletter', 'Attributed by': 'Same contact', Refunded: '€0.00' });
    // an order untouched shows no status
    expect(rows.filter((r) => r.Status !== '')).toHaveLength(1);

    await page.evaluate(() => (location.hash = '#view=orders&campaign=613'));
    await poll(async () => (await tableRows(page)).find((r) => r['Order ID'] === seeded.cancelled)).toMatchObject({
      Status: 'Cancelled',
      Value: '€28.50',
      Refunded: '€28.50',
      'Net total': '€0.00',
    });
    expect((await tableRows(page)).find((r) => r['Order ID'] === seeded.byApi)).toMatchObject({ 'Attributed by': 'Shop backend (API)', Refunded: '€0.00' });
    await page.evaluate(() => (location.hash = '#view=orders&campaign=611'));
    await poll(async () => (await tableRows(page)).find((r) => r['Order ID'] === seeded.byVisitor)?.['Attributed by']).toBe('Same visitor');
    await page.evaluate(() => (location.hash = '#view=orders&all=1'));
    await poll(async () => (await tableRows(page)).find((r) => r['Order ID'] === 'D-500')?.['Attributed by']).toBe('Direct');

    // the zoom says the same
    await page.evaluate((id) => (location.hash = `#view=orders&zoom=order:${id}`), seeded.refunded.orderId);
    await page.waitForSelector('#zoom[open] #zoom-items tbody tr');
    const facts = await page.textContent('#zoom-facts');
    for (const fact of ['StatusPartly refunded', 'Attributed byEmail link (cookie)', 'Refunded€24.90', `Net value${eur(seeded.refunded.netTotal)}`]) expect(facts).toContain(fact);
    await page.keyboard.press('Escape');
    // closing the zoom rewrites the hash: only then open the next one, or the close undoes it
    await page.waitForFunction(() => !document.querySelector('#zoom[open]') && !location.hash.includes('zoom='));
    await page.evaluate((id) => (location.hash = `#view=orders&zoom=order:${id}`), seeded.cancelled);
    await poll(() => page.textContent('#zoom-facts')).toContain('StatusCancelled');
    expect(await page.textContent('#zoom-facts')).toContain('Cancelled at');
    await screenshot(page, 'dashboard-zoom-cancelled-desktop', false);
  });

  it('shows revenue by attribution method, the click fallback beside the cookie', async () => {
    const page = await marketer('#view=attribution');
    await tableShown(page);
    const rows = await tableRows(page);
    const { rows: api } = await report<{ attribution: string; currency: string; orders: number; netRevenue: number }>(c, 'attribution');
    expect(rows.map((r) => [r['Attributed by'], r.Orders, r['Net revenue']])).toEqual(
      api.map((a) => [
        { cookie: 'Email link (cookie)', visitor: 'Same visitor', contact: 'Same contact', emst: 'Legacy emst', api: 'Shop backend (API)', none: 'Direct' }[a.attribution],
        String(a.orders),
        eur(a.netRevenue, a.currency),
      ]),
    );
    for (const label of ['Same visitor', 'Same contact', 'Shop backend (API)']) expect(rows.find((r) => r['Attributed by'] === label)?.Orders, label).toBe('1');
    expect(rows.some((r) => r['Attributed by'] === 'Direct')).toBe(true);
  });
});

describe('access', () => {
  it("another customer's user sees none of this account's data, in the UI or the API", async () => {
    const page = await (await newContext()).newPage();
    await logIn(page, c, 'stranger', '#view=orders');
    await poll(() => page.textContent('#panel-message')).toBe('Nothing matches these filters yet.');
    expect(await page.textContent('#account-name')).toContain('Other Shop');
    expect(await page.$$eval('#filter-campaign option', (os) => os.length)).toBe(1);
    // a shared link to this account's order finds nothing in theirs
    await page.goto(`${c.url}/#view=orders&zoom=order:S-1000`);
    await poll(() => page.textContent('#zoom-message')).toBe('No order with ID “S-1000” in this account.');

    const status = (path: string) => page.evaluate((p) => fetch(p).then((r) => r.status), path);
    expect(await status(`/api/v1/customers/${SHOP}/orders`)).toBe(403);
    expect(await status(`/api/v1/customers/${SHOP}/orders/S-1000`)).toBe(403);
    expect(await status(`/api/v1/customers/${SHOP}/orders?format=csv`)).toBe(403);
    const token = await fetch(`${c.url}/api/v1/customers/${SHOP}/summary`, { headers: { authorization: `Bearer ${c.tokens.stranger}` } });
    expect(token.status).toBe(403);
  });

  it('a user without the ecommerce-admin role sees the reason and no data', async () => {
    const page = await (await newContext()).newPage();
    await logIn(page, c, 'manager', '#view=orders');
    await poll(() => page.textContent('#panel-message')).toContain('lacks the ecommerce-admin role for this account');
    expect(await page.locator('#table tbody tr').count()).toBe(0);
    expect(await page.isVisible('#tabs')).toBe(false);
    await screenshot(page, 'dashboard-no-access-desktop');

    const status = (path: string) => page.evaluate((p) => fetch(p).then((r) => r.status), path);
    expect(await status(`/api/v1/customers/${SHOP}/orders`)).toBe(403);
    expect(await status(`/api/v1/customers/${SHOP}/abandoned-carts/K-700`)).toBe(403);
    const token = await fetch(`${c.url}/api/v1/customers/${SHOP}/orders`, { headers: { authorization: `Bearer ${c.tokens.manager}` } });
    expect(token.status).toBe(403);
    const anonymous = await fetch(`${c.url}/api/v1/customers/${SHOP}/orders`);
    expect(anonymous.status).toBe(401);
  });
});

describe('screenshots and sessions', () => {
  // name, hash, the panel's title once it shows, what else to wait for
  const VIEWS: [string, string, string, string?][] = [
    ['summary', '', 'Results Summary', '#chart-canvas canvas'],
    ['orders', 'view=orders', 'Orders'],
    ['abandoned-carts', 'view=abandoned-carts', 'Abandoned carts'],
    ['items', 'view=items', 'Items sold'],
    ['attribution', 'view=attribution', 'Revenue by attribution'],
    ['zoom-order', 'view=orders&zoom=order:S-1001', 'Orders', '#zoom[open] #zoom-items tbody tr'],
    ['zoom-cart', 'view=abandoned-carts&zoom=cart:K-700', 'Abandoned carts', '#zoom[open] #zoom-items tbody tr'],
  ];

  it('saves every view at desktop and phone size', async () => {
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const login = await (await newContext(viewport)).newPage();
      await login.goto(`${c.url}/`);
      await login.waitForSelector('#login:not([hidden])');
      await screenshot(login, `dashboard-login-${size}`);
      const page = await marketer('#view=items', viewport);
      for (const [name, hash, title, more] of VIEWS) {
        await page.evaluate((h) => (location.hash = h), hash);
        await page.waitForFunction(
          (t) => document.getElementById('panel-title')?.textContent === t && !document.getElementById('table')?.hasAttribute('aria-busy'),
          title,
        );
        if (more) await page.waitForSelector(more);
        // a phone shows the top of the view: the full page would be thousands of pixels of cards
        await screenshot(page, `dashboard-${name}-${size}`, size === 'desktop' && !name.startsWith('zoom'));
        // rows stack on a phone: no view scrolls sideways
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `horizontal overflow of ${name} at ${size} size`).toBeLessThanOrEqual(0);
      }
    }
  });

  it('an ended session goes back to the login form and then to the same view', async () => {
    const page = await marketer('#view=items');
    await tableShown(page);
    c.advance(13 * 60 * MINUTE); // past the 12-hour session
    await page.getByRole('tab', { name: 'Abandoned carts' }).click();
    await poll(() => page.textContent('#login-message')).toBe('Your session has ended. Please log in again.');
    await page.fill('#login-password', 'not the password');
    await page.click('#login-form button[type=submit]');
    await poll(() => page.textContent('#login-message')).toBe('The customer ID, email or password is not right.');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.getByRole('button', { name: 'Show items of cart K-700' }).waitFor();

    await page.click('#logout');
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.evaluate((p) => fetch(p).then((r) => r.status), `/api/v1/customers/${SHOP}/orders`)).toBe(401);
  });

  it('recovers from a bad filter and a failed report, and keeps the view through the skip link, an ended session and a CSV download', async () => {
    const page = await marketer('#view=orders');
    await tableShown(page);
    const hashOf = () => new URL(page.url()).hash;

    // To before From is refused; correcting From (not To) lets Apply through
    await page.fill('#filter-from', '2026-12-05');
    await page.fill('#filter-to', '2026-12-01');
    await page.click('#filters button[type=submit]');
    expect(await page.evaluate(() => (document.getElementById('filter-to') as HTMLInputElement).validationMessage)).toBe('“To” must not be before “From”.');
    await page.fill('#filter-from', '2026-11-25');
    await page.click('#filters button[type=submit]');
    await poll(hashOf).toBe('#view=orders&from=2026-11-25&to=2026-12-01');
    // Reset clears fields that were never applied, and their error
    await page.fill('#filter-from', '2026-12-05');
    await page.click('#filters button[type=submit]');
    await page.click('#filters-reset');
    await poll(hashOf).toBe('#view=orders');
    expect([await page.inputValue('#filter-from'), await page.inputValue('#filter-to')]).toEqual(['', '']);

    // a report the collector refuses leaves no rows of the view before, and says why
    await tableShown(page);
    await page.evaluate(() => (location.hash = '#view=items&from=2026-12-05&to=2026-11-01'));
    await poll(() => page.textContent('#panel-message')).toBe('The report could not be loaded: to: must not be before from');
    expect(await page.locator('#table tbody tr').count()).toBe(0);
    expect(await page.isHidden('#pager')).toBe(true);
    // and no CSV link to the same refused query (a download that fails says nothing)
    expect(await page.isHidden('#csv')).toBe(true);
    // the Summary's chart spans at most 3660 days: the table still shows, with a note
    await page.evaluate(() => (location.hash = '#view=summary&from=2015-01-01'));
    await poll(() => page.textContent('#panel-message')).toMatch(/^The chart could not be drawn: from: the timeseries spans at most 3660 days/);
    expect(await page.locator('#table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.isHidden('#chart')).toBe(true);

    // the skip link moves focus, and the view stays
    await page.evaluate(() => (location.hash = '#view=orders&campaign=612'));
    await tableShown(page);
    await page.focus('#skip-link');
    await page.keyboard.press('Enter');
    expect(hashOf()).toBe('#view=orders&campaign=612');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('panel');

    // a CSV after the session ended brings the login form, not a silent failed download
    c.advance(13 * 60 * MINUTE);
    await page.click('#csv');
    await poll(() => page.textContent('#login-message')).toBe('Your session has ended. Please log in again.');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await tableShown(page);
    // an order opened as the session ends opens again after the login
    const first = (await tableRows(page))[0]['Order ID'];
    c.advance(13 * 60 * MINUTE);
    await page.getByRole('button', { name: `Show items of order ${first}` }).click();
    await poll(() => page.textContent('#login-message')).toBe('Your session has ended. Please log in again.');
    expect(new URLSearchParams(hashOf().slice(1)).get('zoom')).toBe(`order:${first}`);
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#zoom[open]');
  });

  it("keeps the reader's place: an order opened and closed far down a list, or Apply, never scrolls back up; Apply and a tab chosen again load new orders; focus shows as a solid ring", async () => {
    const page = await marketer('#view=orders&all=1', { width: 1280, height: 700 });
    await tableShown(page);
    const hashOf = () => new URL(page.url()).hash;
    const row = page.locator('#table tbody tr').nth(40);
    const id = (await tableRows(page))[40]['Order ID'];
    await row.scrollIntoViewIfNeeded();
    const scrolled = await page.evaluate(() => window.scrollY);
    expect(scrolled).toBeGreaterThan(500);
    await page.getByRole('button', { name: `Show items of order ${id}` }).click();
    await page.waitForSelector('#zoom[open] #zoom-items tbody tr');
    await page.keyboard.press('Escape');
    await poll(() => page.evaluate(() => window.scrollY)).toBe(scrolled);
    // an order that fails to load says so in its own dialog, not over the list
    const panelBefore = await page.textContent('#panel-message');
    await page.route(`**/orders/${encodeURIComponent(id)}`, (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"internal_error","message":"server: internal error"}' }));
    await page.getByRole('button', { name: `Show items of order ${id}` }).click();
    await poll(() => page.textContent('#zoom-message')).toBe(`The order “${id}” is not shown: it could not be loaded: server: internal error. Close this and open it again to retry.`);
    expect(await page.textContent('#panel-message')).toBe(panelBefore);
    await page.unroute(`**/orders/${encodeURIComponent(id)}`);
    await page.keyboard.press('Escape');
    await poll(hashOf).toBe('#view=orders&all=1');
    await poll(() => page.evaluate(() => window.scrollY)).toBe(scrolled);
    await page.getByRole('button', { name: `Show items of order ${id}` }).click();
    await page.waitForSelector('#zoom[open] #zoom-items tbody tr');
    await page.keyboard.press('Escape');
    await poll(hashOf).toBe('#view=orders&all=1');
    // closing went back to the list's own history entry (so Back leaves the list rather than
    // opening the order again), with the order one step forward
    await page.goForward();
    await page.waitForSelector('#zoom[open] #zoom-items tbody tr');
    await page.keyboard.press('Escape');
    await poll(hashOf).toBe('#view=orders&all=1');
    await poll(() => page.evaluate(() => window.scrollY)).toBe(scrolled);
    // the button the zoom returned focus to is on screen, with a solid ring
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const r = el.getBoundingClientRect();
      return { label: el.getAttribute('aria-label'), onScreen: r.top >= 0 && r.bottom <= innerHeight, outline: getComputedStyle(el).outlineStyle };
    });
    expect(focused).toEqual({ label: `Show items of order ${id}`, onScreen: true, outline: 'solid' });

    // an order that came in since: Apply (the same filters) and the tab again both show it
    const { total } = await report(c, 'orders?attributed=all&limit=1');
    const res = await fetch(`${c.url}/v1/events`, {
      method: 'POST',
      body: JSON.stringify({ v: 1, customerId: SHOP, events: [{ type: 'order', id: 'ev-late-1', time: c.app.clock(), visitor: 'v-late', orderId: 'LATE-1', total: '5.00', items: [] }] }),
    });
    expect(res.status).toBe(200);
    await page.click('#filters button[type=submit]');
    await poll(() => page.textContent('#pager-range')).toBe(`Rows 1–50 of ${total + 1}`);
    await page.getByRole('tab', { name: 'Orders' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement as HTMLElement).outlineStyle)).toBe('solid');

    // page 3, then a reload: "Previous page" still goes back (the cursors seen are kept in the tab)
    const more = Array.from({ length: 60 }, (_, i) => ({ type: 'order', id: `ev-page-${i}`, time: c.app.clock(), visitor: 'v-page', orderId: `PAGE-${i}`, total: '1.00', items: [] }));
    expect((await fetch(`${c.url}/v1/events`, { method: 'POST', body: JSON.stringify({ v: 1, customerId: SHOP, events: more }) })).status).toBe(200);
    const rows = total + 61;
    await page.click('#filters button[type=submit]');
    await poll(() => page.textContent('#pager-range')).toBe(`Rows 1–50 of ${rows}`);
    await page.click('#pager-next');
    await poll(() => page.textContent('#pager-range')).toBe(`Rows 51–100 of ${rows}`);
    await page.click('#pager-next');
    await poll(() => page.textContent('#pager-range')).toMatch(/^Rows 101–/);
    await page.reload();
    await poll(() => page.textContent('#pager-range')).toMatch(/^Rows 101–/);
    expect(await page.isEnabled('#pager-prev')).toBe(true);
    await page.click('#pager-prev');
    await poll(() => page.textContent('#pager-range')).toBe(`Rows 51–100 of ${rows}`);
  });

  it('a password change by an admin ends an open dashboard session: the next action lands on the login', async () => {
    const page = await marketer('#view=items');
    await tableShown(page);
    const admin = { authorization: `Bearer ${c.tokens.manager}`, 'content-type': 'application/json' };
    const users = `${c.url}/api/v1/customers/${SHOP}/users`;
    const changed = await fetch(`${users}/${USERS.marketer.email}/password`, { method: 'PUT', headers: admin, body: JSON.stringify({ password: PASSWORD }) });
    expect(changed.status).toBe(200);
    await page.getByRole('tab', { name: 'Abandoned carts' }).click();
    await poll(() => page.textContent('#login-message')).toBe('Your session has ended. Please log in again.');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.getByRole('button', { name: 'Show items of cart K-700' }).waitFor();
    // the change revoked the marketer's API token too: a new one for whatever runs next
    const token = await fetch(`${c.url}/api/v1/customers/${SHOP}/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ email: USERS.marketer.email }) });
    c.tokens.marketer = ((await token.json()) as { token: string }).token;
  });
});
