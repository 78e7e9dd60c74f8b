// Web Extend's ScarabQueue commands become cart() and order(); its line totals our unit prices
// (docs/integrations.md).
import { beforeEach, expect, it } from 'vitest';
import { freshPage, global, loadAdapters, settle, tracker } from './helpers.js';

beforeEach(freshPage);

const scarab = (...commands: unknown[][]) => (global.ScarabQueue as unknown[]).push(...commands);

it('turns a purchase pushed before the script loaded into an order with unit prices, its total and the email', async () => {
  const { net } = tracker();
  global.ScarabQueue = [
    ['setCustomerId', '4711'],
    ['setEmail', 'anna@example.com'],
    ['purchase', { orderId: 'W-1', items: [{ item: 'SKU-1', price: 59.97, quantity: 3 }, { item: 'SKU-2', price: '10.00', quantity: 3 }, { item: 'SKU-3', price: '4.5' }] }],
    ['go'],
  ];
  await loadAdapters('data-web-extend');
  expect(net.events()).toMatchObject([
    {
      type: 'order',
      orderId: 'W-1',
      email: 'anna@example.com',
      total: '74.47',
      items: [
        { sku: 'SKU-1', price: '19.99', quantity: 3 },
        { sku: 'SKU-2', price: '3.33', quantity: 2 },
        { sku: 'SKU-2', price: '3.34', quantity: 1 },
        { sku: 'SKU-3', price: '4.5', quantity: 1 },
      ],
    },
  ]);
});

it('sends a cart at go when its contents changed, once per change, and the emptied cart', async () => {
  const { net } = tracker();
  global.ScarabQueue = [];
  await loadAdapters('data-web-extend');
  const page = (items: object[]) => scarab(['cart', items], ['view', 'P-1'], ['go']);
  page([]); // nothing in the cart, never anything sent: nothing to send
  page([{ item: 'A', price: '20.00', quantity: 2 }]);
  page([{ item: 'A', price: '20.00', quantity: 2 }]);
  page([{ item: 'A', price: '30.00', quantity: 3 }]);
  page([]);
  page([]);
  await settle();
  const carts = net.events();
  expect(carts.map((c) => [c.type, c.type == 'cart' && c.total, c.items.map((i) => [i.sku, i.price, i.quantity])])).toEqual([
    ['cart', '20.00', [['A', '10.00', 2]]],
    ['cart', '30.00', [['A', '10.00', 3]]],
    ['cart', '0', []],
  ]);
  expect(new Set(carts.map((c) => c.type == 'cart' && c.cartId)).size).toBe(1);
});

it('keeps reading after the Web Extend script replaces the ScarabQueue array with its own object', async () => {
  const { net } = tracker();
  global.ScarabQueue = [];
  await loadAdapters('data-web-extend');
  const seen: unknown[] = [];
  global.ScarabQueue = { push: (...c: unknown[]) => seen.push(...c) };
  scarab(['purchase', { orderId: 'W-2', items: [{ item: 'S', price: 5, quantity: 2 }] }], ['go']);
  await settle();
  expect(seen).toHaveLength(2);
  expect(net.events()).toMatchObject([{ type: 'order', orderId: 'W-2', total: '5', items: [{ sku: 'S', price: '2.5', quantity: 2 }] }]);
});

it('warns about a line total it cannot convert, naming the line, and sends nothing', async () => {
  const { net, console } = tracker();
  global.ScarabQueue = [];
  await loadAdapters('data-web-extend');
  scarab(['purchase', { orderId: 'W-3', items: [{ item: 'S', price: '5', quantity: 1 }, { item: 'T', price: '2,999.00', quantity: 1 }] }], ['go']);
  scarab(['purchase', { orderId: 'W-4', items: [{ item: 'S', price: '5', quantity: 0.5 }] }], ['go']);
  await settle();
  expect(console.warn.mock.calls).toEqual([
    ['[emarsys-track]', 'ScarabQueue purchase: items[1]: price "2,999.00" for quantity 1 is not a line total like "59.97" for a whole quantity'],
    ['[emarsys-track]', 'ScarabQueue purchase: items[0]: price "5" for quantity 0.5 is not a line total like "59.97" for a whole quantity'],
  ]);
  expect(net.events()).toEqual([]);
});

it('warns about an entry it cannot read, and goes on with the next', async () => {
  const { net, console } = tracker();
  global.ScarabQueue = [];
  await loadAdapters('data-web-extend');
  expect(() => scarab(['purchase', { orderId: 'W-6', items: [null] }], ['go'])).not.toThrow();
  scarab(['purchase', { orderId: 'W-7', items: [{ item: 'S', price: '5', quantity: 1 }] }], ['go']);
  await settle();
  expect(console.warn.mock.calls).toEqual([['[emarsys-track]', expect.stringMatching(/^ScarabQueue entry skipped: /)]]);
  expect(net.events()).toMatchObject([{ orderId: 'W-7' }]);
});

it('leaves an unasked ScarabQueue alone', async () => {
  const { net } = tracker();
  global.ScarabQueue = [['purchase', { orderId: 'W-5', items: [] }], ['go']];
  await loadAdapters('data-datalayer');
  expect(Object.getOwnPropertyDescriptor(window, 'ScarabQueue')).toHaveProperty('writable', true);
  expect(net.events()).toEqual([]);
});
