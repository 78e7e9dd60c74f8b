// emarsys-track for Shopify: a custom web pixel. Paste this whole file into Shopify admin →
// Settings → Customer events → Add custom pixel (name it, Add pixel), set the two values
// below, Save, Connect (README.md beside this file has the steps).
//
// Shopify runs the pixel in a sandbox, without the page's DOM or its script tags, on every
// page, the checkout and the Thank You page included. It reads the campaign of an email
// link from `page_viewed` and sends that landing as a click, and sends the checkout as a cart
// (`checkout_started`) and the order (`checkout_completed`) to the collector, as the browser
// SDK would (docs/protocol.md).
const EMARSYS_TRACK = {
  customerId: 'YOUR-CUSTOMER-ID', // your account at the collector, e.g. '112734771'
  endpoint: 'https://collector.example.com', // the collector's base URL
  attributionDays: 30, // how long a campaign click keeps attributing
};

// ---------------------------------------------------------------------------------------
// Nothing to change below.

const DAY = 864e5;
// The campaign parameters of an email link (docs/sdk.md, Campaign attribution), in the SDK's
// order: a click kept by either is the same JSON. A value the collector would refuse (over 512
// characters, control characters) is skipped.
const CAMPAIGN_PARAMS = ['emst', 'sc_src', 'sc_uid', 'sc_lid', 'sc_llid', 'sc_eh', 'sc_customer', 'utm_source', 'utm_medium', 'utm_campaign'];
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
// Every change of the queue is a read-modify-write of one value through async calls: they run
// one after another, or two would each write their own copy (an order appended while a send
// removes what it delivered would be lost). Sending is not on this chain: an order is stored
// at once, even while an earlier request hangs.
let editing = Promise.resolve();
const editQueue = (f) => (editing = editing.then(async () => browser.localStorage.setItem(QUEUE, JSON.stringify(f(await queued()).slice(-100))).catch(() => {})));

// --- The shopper: a visitor ID (the SDK's, else Shopify's client ID, else a new one) and
// the campaign of the last email link clicked within the attribution window.
async function visitor(event) {
  const id = (await read(VISITOR)) || event.clientId || crypto.randomUUID();
  await keep(VISITOR, id, 365);
  return String(id);
}

/** The kept click, within the attribution window (localStorage does not expire with it). */
async function keptClick() {
  const kept = await read(CAMPAIGN);
  return kept && Date.now() - kept.at < EMARSYS_TRACK.attributionDays * DAY ? kept : undefined;
}

async function attribution() {
  const kept = await keptClick();
  if (kept) return kept;
  // The legacy emstrack.js cookie: its value is the emst of the click, its time unknown.
  const legacy = await browser.cookie.get('_ems_campaign').catch(() => '');
  return legacy ? { emst: decodeURIComponent(legacy), at: Date.now() } : undefined;
}

/**
 * A landing page with campaign parameters replaces the kept click (last click wins) and, when
 * they name an email campaign, returns it to be sent. The same parameters as the kept click's
 * (a reload, the back button) are that click again: neither kept anew nor returned.
 */
async function captureClick(href) {
  const params = new URL(href).searchParams;
  let click;
  for (const k of CAMPAIGN_PARAMS) {
    const v = params.get(k); // the first of a name counts
    if (v && CAMPAIGN_VALUE.test(v)) (click ||= { at: Date.now() })[k] = v;
  }
  const kept = click && (await keptClick());
  if (!click || (kept && CAMPAIGN_PARAMS.every((k) => kept[k] === click[k]))) return;
  await keep(CAMPAIGN, click, EMARSYS_TRACK.attributionDays);
  // The collector refuses a click naming no email campaign (utm_ parameters alone name none).
  if (/^[^.]/.test(click.emst || '.') || /^email_./.test(click.sc_src)) return click;
}

// --- Shopify's checkout (the `checkout` of the standard events) as our fields.
const amount = (money) => money?.amount;
const text = (v) => (v == null || v === '' ? undefined : String(v));

/**
 * A line as an item. A line may have no variant (`variant: ProductVariant | null`), so no unit
 * price: it is reported as one unit at its line total, exact where a division might not be. A
 * line the collector would refuse (no ID, no price) would get the whole order refused: it is
 * left out, with a warning.
 */
function item(line) {
  const unit = amount(line.variant?.price);
  const it = {
    // A variant without a SKU is reported by its variant ID.
    sku: text(line.variant?.sku) || text(line.variant?.id) || text(line.id),
    name: text(line.variant?.product?.title) || text(line.title),
    category: text(line.variant?.product?.type),
    price: unit ?? amount(line.finalLinePrice),
    quantity: unit == null ? 1 : line.quantity,
  };
  if (it.sku && it.price != null) return it;
  console.warn(`[emarsys-track] line "${line.title}" left out: it has no ${it.sku ? 'price' : 'ID'}`);
}

function details(checkout) {
  const address = checkout.shippingAddress || checkout.billingAddress || {};
  return {
    items: (checkout.lineItems || []).map(item).filter(Boolean),
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
    await editQueue((q) => q.filter((e) => !done.has(e.id)));
  });
  return sending;
}

async function track(type, event, fields) {
  // Shopify's event ID is unique and the same if Shopify delivers the event again: the
  // collector stores it once.
  const e = { type, id: event.id || crypto.randomUUID(), time: Date.parse(event.timestamp) || Date.now(), visitor: await visitor(event), attribution: await attribution() };
  for (const [k, v] of Object.entries(fields)) if (v != null) e[k] = v;
  await editQueue((q) => [...q, e]);
  return flush();
}

// --- The events.
analytics.subscribe('page_viewed', async (event) => {
  const href = (event.context?.document || init.context.document).location.href;
  const click = await captureClick(href);
  // The path without query string (it may hold personal data) or fragment.
  if (click) return track('click', event, { time: click.at, attribution: click, path: new URL(href).pathname.slice(0, 512) });
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
