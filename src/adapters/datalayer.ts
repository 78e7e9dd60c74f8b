// GA4 ecommerce events in the page's dataLayer (docs/integrations.md): `purchase` → order(),
// `begin_checkout` → cart(). Both GTM's `dataLayer.push({ event, ecommerce })` and gtag.js's
// `gtag('event', name, params)` (an `arguments` object in the dataLayer) are read.
import { call, watch } from './queue.js';

/** A GA4 item as our item: `price` is a unit price in GA4 too. */
const items = (list: unknown) =>
  [].concat((list as never) || []).map((i: any) => ({ sku: i.item_id, name: i.item_name, category: i.item_category, price: i.price ?? 0, quantity: i.quantity }));

/** The page's data model, as GTM keeps it: each `ecommerce` push merges in, `{ ecommerce: null }` clears it. */
let model: any;
/** transaction_ids already turned into an order on this page (themes and tag managers often push a purchase twice). */
const sent = new Set<unknown>();

function handle(e: any): void {
  let name = e.event;
  let data = model;
  if (e[0] == 'event') [, name, data] = e;
  else if ('ecommerce' in e) data = model = e.ecommerce && { ...model, ...e.ecommerce };
  if (!data) return;
  const details = { items: items(data.items), total: data.value, currency: data.currency };
  if (name == 'begin_checkout') call('cart', details);
  if (name == 'purchase' && !sent.has(data.transaction_id)) {
    // (without a transaction_id, a new object: the order is refused by name, and a later one is still read)
    sent.add(data.transaction_id ?? {});
    call('order', { ...details, orderId: data.transaction_id, tax: data.tax, shipping: data.shipping });
  }
}

/** Starts reading the dataLayer: what was pushed before, then every push. */
export const watchDataLayer = () => watch('dataLayer', handle);
