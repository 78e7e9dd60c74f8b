// GA4 ecommerce events in the dataLayer become cart() and order() (docs/integrations.md).
import { beforeEach, expect, it } from 'vitest';
import { freshPage, global, loadAdapters, settle, tracker } from './helpers.js';

beforeEach(freshPage);

const PURCHASE = {
  transaction_id: 'T-1001',
  value: 72.05,
  tax: 11.5,
  shipping: '4.90',
  currency: 'eur',
  coupon: 'SPRING',
  items: [
    { item_id: 'SKU-1', item_name: 'Sneaker', item_category: 'Shoes', item_brand: 'Acme', price: 29.95, quantity: 2 },
    { item_id: 'SKU-2', item_name: 'Socks', price: '7.25' },
  ],
};

/** `gtag('event', …)` pushes its arguments object, not an array. */
function gtag(..._args: unknown[]) {
  // eslint-disable-next-line prefer-rest-params
  (global.dataLayer ||= []).push(arguments);
}

it('turns a GTM purchase pushed before the script loaded into one order', async () => {
  const { net } = tracker();
  global.dataLayer = [{ event: 'page_view' }, { ecommerce: null }, { event: 'purchase', ecommerce: PURCHASE }];
  await loadAdapters('data-datalayer');
  expect(net.events()).toMatchObject([
    {
      type: 'order',
      orderId: 'T-1001',
      total: 72.05,
      tax: 11.5,
      shipping: '4.90',
      currency: 'EUR',
      items: [
        { sku: 'SKU-1', name: 'Sneaker', category: 'Shoes', price: 29.95, quantity: 2 },
        { sku: 'SKU-2', name: 'Socks', price: '7.25', quantity: 1 },
      ],
    },
  ]);
  expect(net.events()[0]).not.toHaveProperty('coupon');
});

it('turns gtag.js begin_checkout and purchase, pushed after load, into a cart and its order', async () => {
  const { net } = tracker();
  await loadAdapters('data-datalayer');
  gtag('js', new Date());
  gtag('event', 'begin_checkout', { currency: 'EUR', value: 59.9, items: [{ item_id: 'SKU-1', price: 29.95, quantity: 2 }] });
  await settle();
  gtag('event', 'purchase', { ...PURCHASE, items: [{ item_id: 'SKU-1', price: 29.95, quantity: 2 }] });
  await settle();
  const [cart, order] = net.events();
  expect(cart).toMatchObject({ type: 'cart', total: 59.9, currency: 'EUR', items: [{ sku: 'SKU-1', quantity: 2 }] });
  expect(order).toMatchObject({ type: 'order', orderId: 'T-1001', cartId: cart.cartId });
});

it('takes an item without a price (optional in GA4) as priced 0, rather than losing the order', async () => {
  const { net } = tracker();
  await loadAdapters('data-datalayer');
  global.dataLayer!.push({ event: 'purchase', ecommerce: { transaction_id: 'NP-1', value: 20, currency: 'EUR', items: [{ item_id: 'GIFT', item_name: 'Gift card', quantity: 1 }] } });
  await settle();
  expect(net.events()).toMatchObject([{ type: 'order', orderId: 'NP-1', total: 20, items: [{ sku: 'GIFT', price: 0, quantity: 1 }] }]);
});

it('never sends one transaction_id twice (a theme and a tag manager both pushing it)', async () => {
  const { net } = tracker();
  await loadAdapters('data-datalayer');
  global.dataLayer!.push({ event: 'purchase', ecommerce: PURCHASE });
  global.dataLayer!.push({ ecommerce: null }, { event: 'purchase', ecommerce: { ...PURCHASE, value: 1 } });
  global.dataLayer!.push({ event: 'purchase', ecommerce: { ...PURCHASE, transaction_id: 'T-1002' } });
  await settle();
  expect(net.events().map((e) => e.type == 'order' && e.orderId)).toEqual(['T-1001', 'T-1002']);
});

it('reports every purchase without a transaction_id, and still reads the ones after it', async () => {
  const { net, console } = tracker();
  await loadAdapters('data-datalayer');
  const { transaction_id: _, ...noId } = PURCHASE;
  global.dataLayer!.push({ event: 'purchase', ecommerce: noId }, { ecommerce: null }, { event: 'purchase', ecommerce: noId });
  global.dataLayer!.push({ ecommerce: null }, { event: 'purchase', ecommerce: PURCHASE });
  await settle();
  expect(console.warn.mock.calls).toEqual([
    ['[emarsys-track]', 'orderId: is required'],
    ['[emarsys-track]', 'orderId: is required'],
  ]);
  expect(net.events().map((e) => e.type == 'order' && e.orderId)).toEqual(['T-1001']);
});

it('reads the ecommerce object as GTM does: pushes merge until a { ecommerce: null } reset', async () => {
  const { net } = tracker();
  await loadAdapters('data-datalayer');
  const dl = global.dataLayer!;
  dl.push({ ecommerce: { tax: 3, currency: 'USD' } }, { event: 'purchase', ecommerce: { transaction_id: 'A', value: 10, items: [] } });
  dl.push({ ecommerce: null }, { event: 'purchase', ecommerce: { transaction_id: 'B', value: 10, items: [] } });
  // An event without its own ecommerce object reads the model.
  dl.push({ ecommerce: null }, { ecommerce: { transaction_id: 'C', value: 5 } }, { event: 'purchase' });
  await settle();
  const [a, b, c] = net.events();
  expect(a).toMatchObject({ orderId: 'A', tax: 3, currency: 'USD' });
  expect(b).toMatchObject({ orderId: 'B' });
  expect(b).not.toHaveProperty('tax');
  expect(b).not.toHaveProperty('currency');
  expect(c).toMatchObject({ orderId: 'C', total: 5 });
});

it('starts on an init({ dataLayer: true }) made on the stub after the script loaded, and not before', async () => {
  const q: unknown[] = [];
  global.emarsysTrack = { q, init: (o: unknown) => void q.push(['init', [o]]) } as typeof global.emarsysTrack;
  global.dataLayer = [{ event: 'purchase', ecommerce: PURCHASE }];
  await loadAdapters();
  expect(q).toEqual([]);
  global.emarsysTrack!.init!({ customerId: '1', endpoint: '/c', dataLayer: true } as never);
  expect(q.map((c) => (c as unknown[])[0])).toEqual(['init', 'order']);
});

it('leaves an unasked dataLayer alone', async () => {
  const { net } = tracker();
  global.dataLayer = [{ event: 'purchase', ecommerce: PURCHASE }];
  const push = global.dataLayer.push;
  await loadAdapters('data-web-extend');
  expect(global.dataLayer.push).toBe(push);
  expect(net.events()).toEqual([]);
});

it('reports a bad amount naming the field, sends nothing, and never throws into the push', async () => {
  const { net, console } = tracker();
  await loadAdapters('data-datalayer');
  expect(() => global.dataLayer!.push({ event: 'purchase', ecommerce: { ...PURCHASE, value: '72,05' } }, { event: 'junk', ecommerce: 7 }, null)).not.toThrow();
  await settle();
  expect(console.warn).toHaveBeenCalledWith('[emarsys-track]', 'total: "72,05" is not an amount like "2999.00"');
  expect(net.events()).toEqual([]);
});
