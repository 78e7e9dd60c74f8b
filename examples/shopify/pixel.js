// emarsys-track for Shopify: a custom web pixel. Paste this whole file into Shopify admin →
// Settings → Customer events → Add custom pixel, set the two values below, Save, Connect
// (README.md beside this file has the steps).
//
// Shopify runs the pixel in a sandbox, without the page's DOM or its script tags, on every
// page, the checkout and the Thank You page included. It reads the campaign of an email
// link from `page_viewed`, and sends the checkout as a cart (`checkout_started`) and the
// order (`checkout_completed`) to the collector, as the browser SDK would (docs/protocol.md).
const EMARSYS_TRACK = {
  customerId: 'YOUR-CUSTOMER-ID', // your account at the collector, e.g. '112734771'
  endpoint: 'https://collector.example.com', // the collector's base URL
  attributionDays: 30, // how long a campaign click keeps attributing
};

// ---------------------------------------------------------------------------------------
// Nothing to change below.

const DAY = 864e5;
// The campaign parameters of an email link (docs/sdk.md, Campaign attribution); a value the
// collector would refuse (over 512 characters, control characters) is skipped.
const CAMPAIGN_PARAM = /^(emst|sc_(src|uid|lid|llid|eh|customer)|utm_(source|medium|campaign))$/;
const CAMPAIGN_VALUE = /^[^\0-\x1f\x7f]{1,512}$/;
// The keys the browser SDK uses too, so a shop that also runs it on its storefront shares
// one visitor and one campaign with the pixel.
const VISITOR = '_et_vid';
const CAMPAIGN = '_et_cmp';
const QUEUE = '_et_px_queue';
// Answers a retry cannot fix: the event is dropped (with a warning), not retried.
const FINAL = /^4(0[0134]|1[03]|22)$/;

// --- Storage: the sandbox's browser.cookie and browser.localStorage reach the shop's own
// (first-party) cookies and localStorage. Values are URI-encoded JSON, as the SDK writes them.
// A value is written to both, and read from the cookie first: Safari keeps script-set cookies
// 7 days, localStorage longer.
async function read(key) {
  const raw = (await browser.cookie.get(key).catch(() => '')) || (await browser.localStorage.getItem(key).catch(() => null));
  try {
    return raw ? JSON.parse(decodeURIComponent(raw)) : undefined;
  } catch {
    return undefined;
  }
}

async function keep(key, value, days) {
  const raw = encodeURIComponent(JSON.stringify(value));
  const expires = new Date(Date.now() + days * DAY).toUTCString();
  await Promise.all([
    browser.cookie.set(`${key}=${raw}; expires=${expires}; path=/; SameSite=Lax`).catch(() => {}),
    browser.localStorage.setItem(key, raw).catch(() => {}),
  ]);
}

// The retry queue lives in localStorage only: it needs room, and never rides along with requests.
async function queued() {
  const raw = await browser.localStorage.getItem(QUEUE).catch(() => null);
  try {
    const q = JSON.parse(raw || '[]');
    return Array.isArray(q) ? q : [];
  } catch {
    return [];
  }
}
const setQueue = (q) => browser.localStorage.setItem(QUEUE, JSON.stringify(q.slice(-100))).catch(() => {});

// --- The shopper: a visitor ID (the SDK's, else Shopify's client ID, else a new one) and
// the campaign of the last email link clicked within the attribution window.
async function visitor(event) {
  const id = (await read(VISITOR)) || event.clientId || crypto.randomUUID();
  await keep(VISITOR, id, 365);
  return String(id);
}

async function attribution() {
  const kept = await read(CAMPAIGN);
  if (kept && Date.now() - kept.at < EMARSYS_TRACK.attributionDays * DAY) return kept;
  // The legacy emstrack.js cookie: its value is the emst of the click, its time unknown.
  const legacy = await browser.cookie.get('_ems_campaign').catch(() => '');
  return legacy ? { emst: decodeURIComponent(legacy), at: Date.now() } : undefined;
}

/** A landing page with campaign parameters replaces the kept click (last click wins). */
async function captureCampaign(href) {
  let click;
  for (const [k, v] of new URL(href).searchParams) if (CAMPAIGN_PARAM.test(k) && CAMPAIGN_VALUE.test(v)) (click ||= { at: Date.now() })[k] = v;
  if (click) await keep(CAMPAIGN, click, EMARSYS_TRACK.attributionDays);
}

// --- Shopify's checkout (the `checkout` of the standard events) as our fields.
const amount = (money) => money?.amount;
const text = (v) => (v == null || v === '' ? undefined : String(v));

function details(checkout) {
  const address = checkout.shippingAddress || checkout.billingAddress || {};
  return {
    items: (checkout.lineItems || []).map((line) => ({
      // A variant without a SKU is reported by its variant ID.
      sku: text(line.variant?.sku) || text(line.variant?.id) || text(line.id),
      name: text(line.variant?.product?.title) || text(line.title),
      category: text(line.variant?.product?.type),
      price: amount(line.variant?.price),
      quantity: line.quantity,
    })),
    total: amount(checkout.totalPrice),
    tax: amount(checkout.totalTax),
    shipping: amount(checkout.shippingLine?.price),
    currency: text(checkout.currencyCode) || text(checkout.totalPrice?.currencyCode),
    email: text(checkout.email),
    city: text(address.city),
    country: text(address.countryCode),
  };
}

// --- Delivery: every event is queued first, then the queue is sent as one batch with
// `fetch` and `keepalive` (the request outlives the page), as text/plain (no CORS preflight).
// What the collector could not take now (offline, 5xx, 429) stays queued, with the same
// event IDs, and is sent again with the next page of the shop.
let sending = Promise.resolve();

function flush() {
  sending = sending.then(async () => {
    const batch = (await queued()).slice(0, 20);
    if (!batch.length) return;
    const done = new Set();
    try {
      const body = JSON.stringify({ v: 1, customerId: String(EMARSYS_TRACK.customerId), events: batch });
      const res = await fetch(EMARSYS_TRACK.endpoint.replace(/\/+$/, '') + '/v1/events', { method: 'POST', body, keepalive: body.length < 2e4 });
      const answer = await res.json().catch(() => ({}));
      if (res.ok || FINAL.test(String(res.status))) for (const e of batch) done.add(e.id);
      if (!res.ok && done.size) console.warn('[emarsys-track] dropped', batch, res.status, answer.message);
      for (const r of answer.rejected || []) console.warn(`[emarsys-track] ${batch[r.index]?.type} dropped: ${r.field}: ${r.reason}`);
    } catch {
      return; // not reached: kept for the next page
    }
    await setQueue((await queued()).filter((e) => !done.has(e.id)));
  });
  return sending;
}

async function track(type, event, fields) {
  // Shopify's event ID is unique and the same if Shopify delivers the event again: the
  // collector stores it once.
  const e = { type, id: event.id || crypto.randomUUID(), time: Date.parse(event.timestamp) || Date.now(), visitor: await visitor(event), attribution: await attribution() };
  for (const [k, v] of Object.entries(fields)) if (v != null) e[k] = v;
  await setQueue([...(await queued()), e]);
  return flush();
}

// --- The events.
analytics.subscribe('page_viewed', async (event) => {
  await captureCampaign((event.context?.document || init.context.document).location.href);
  await visitor(event);
  await flush();
});

analytics.subscribe('checkout_started', (event) => {
  const checkout = event.data.checkout;
  return track('cart', event, { cartId: text(checkout.token), ...details(checkout) });
});

analytics.subscribe('checkout_completed', (event) => {
  const checkout = event.data.checkout;
  return track('order', event, { orderId: text(checkout.order?.id), cartId: text(checkout.token), ...details(checkout) });
});
