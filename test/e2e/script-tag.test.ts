// The recommended install (docs/sdk.md) in a real Chromium, on a shop page of its own origin:
// a Thank You page from an email link sends its order, which ends in the Orders report; and
// on the way from load to the sent order our script runs no regular expression and never
// reads its own tag, the two first uses that cost a lean page the most main-thread time
// (BENCHMARKS.md, "SDK cost on the page").
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import { SHOP, type Collector, expectOrderOnce, installSnippet, serve, type Served, startCollector } from './harness.js';

let c: Collector;
let browser: Browser;
let shop: Served | undefined;

// Runs before anything else on the page: counts the regular expressions our script executes
// (every test, replace, match or split with a pattern goes through RegExp.prototype.exec once
// it is replaced) and every read of document.currentScript.
const WATCH = `<script>
  window.__seen = { patterns: [], tagReads: 0 };
  const exec = RegExp.prototype.exec;
  RegExp.prototype.exec = function (s) {
    if ((new Error().stack || '').includes('emarsys-track.min.js')) __seen.patterns.push(String(this));
    return exec.call(this, s);
  };
  const current = Object.getOwnPropertyDescriptor(Document.prototype, 'currentScript');
  Object.defineProperty(Document.prototype, 'currentScript', { configurable: true, get() { __seen.tagReads++; return current.get.call(this); } });
</script>`;

/** A Thank You page: `head` installs the SDK, then the page calls order() and keeps how it settled. */
const thankYou = (head: string, orderId: string) => `<!doctype html><html><head><meta charset="utf-8"><title>Thank you</title>
${WATCH}
${head}
</head><body><h1>Thank you for your order</h1>
<script>
  emarsysTrack.order({ orderId: '${orderId}', total: '214.80', tax: '35.80', shipping: '4.90', currency: 'eur',
    items: [{ sku: 'SKU-1001', name: 'Classic Sneaker', price: '89.95', quantity: 2 }, { sku: 'SKU-2040', price: 15, quantity: '2' }] })
    .then((r) => (window.__result = r), (e) => (window.__result = 'error: ' + e.message));
</script></body></html>`;

beforeAll(async () => {
  c = await startCollector();
  await c.app.store.directory.putCampaigns(SHOP, [{ campaignId: '705', name: 'Lean page' }], Date.now());
  const { install, stub } = await installSnippet(c.url);
  const core = `${c.url}/js/emarsys-track.min.js`;
  shop = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    // /tag: the install with the options on the script tag
    res.end(
      req.url!.startsWith('/tag')
        ? thankYou(`${stub}\n<script async src="${core}" data-customer-id="${SHOP}" data-endpoint="${c.url}"></script>`, 'TAG-1')
        : thankYou(`${install}\n<script async src="${core}"></script>`, 'LEAN-1'),
    );
  }, 'localhost');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await c?.close();
});

/** Opens `path` in a fresh context; how its order() settled, and what the watch saw. */
async function visit(path: string, refuse = false) {
  const page = await (await browser.newContext()).newPage();
  // a refusal for good: the SDK then tells it from a retriable answer by a pattern
  if (refuse) await page.route(`${c.url}/v1/events`, (route) => route.fulfill({ status: 400, contentType: 'application/json', body: '{"message":"no"}' }));
  await page.goto(`${shop!.url}${path}`);
  await page.waitForFunction(() => (window as unknown as { __result?: string }).__result, null, { timeout: 15_000 });
  const out = await page.evaluate(() => {
    const w = window as unknown as { __result: string; __seen: { patterns: string[]; tagReads: number } };
    return { result: w.__result, seen: w.__seen };
  });
  await page.context().close();
  return out;
}

it('sends the order from a lean page without a regular expression or a read of its tag', async () => {
  const { result, seen } = await visit('/thank-you?emst=705.u-lena');
  expect(result).toBe('sent');
  expect(seen).toEqual({ patterns: [], tagReads: 0 });

  const { order, items } = await expectOrderOnce(c, 'LEAN-1');
  expect(order).toMatchObject({ campaignId: '705', total: 214.8, currency: 'EUR', itemCount: 4 });
  expect(items.map((i) => [i.sku, i.quantity]).sort()).toEqual([
    ['SKU-1001', 2],
    ['SKU-2040', 2],
  ]);
});

it('the watch sees the tag read by the install with attributes, and the pattern of a refusal', async () => {
  const { result, seen } = await visit('/tag?emst=705.u-lena', true);
  expect(result).toBe('error: collector answered 400 no');
  expect(seen.tagReads).toBe(1);
  expect(seen.patterns).toEqual(['/^4(0[0134]|1[03]|22)$/']);
});
