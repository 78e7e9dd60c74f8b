// The built dist/emarsys-track.min.js, run as a page runs it: catches what only the
// minifier can break (renamed properties, dropped code), which the source tests cannot see.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { pathOf } from '../../scripts/size.mjs';
import type { Api } from '../../src/browser.js';
import { CUSTOMER, ENDPOINT, ORDER, clearBrowser, fakeFetch, page, settle, storedQueue } from './helpers.js';

const FILE = 'dist/emarsys-track.min.js';
const global = window as unknown as { emarsysTrack?: Api };

/** Runs the bundle as a script tag with these data-* attributes; resolves once it has set up (in the microtask after it ran). */
async function loadBundle(data: Record<string, string>) {
  expect(existsSync(pathOf(FILE)), `${FILE} is not built: run npm run build:sdk`).toBe(true);
  const tag = document.createElement('script');
  for (const [k, v] of Object.entries(data)) tag.setAttribute(`data-${k}`, v);
  Object.defineProperty(document, 'currentScript', { configurable: true, value: tag });
  new Function(readFileSync(pathOf(FILE), 'utf8'))();
  await 0;
}

beforeEach(() => {
  clearBrowser();
  delete global.emarsysTrack;
});
afterEach(() => {
  delete (document as { currentScript?: unknown }).currentScript;
  vi.unstubAllGlobals();
});

it('tracks a cart and an order end to end', async () => {
  const net = fakeFetch();
  vi.stubGlobal('fetch', net.fetch);
  history.replaceState(null, '', '/landing?emst=12345.ABCDEF');
  await loadBundle({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
  await expect(global.emarsysTrack!.cart({ items: [{ sku: 'S', price: '5.00' }] })).resolves.toBe('sent');
  await expect(global.emarsysTrack!.order({ ...ORDER, currency: 'huf' })).resolves.toBe('sent');
  const [cart, order] = net.events();
  expect(net.calls[0]).toMatchObject({ url: `${ENDPOINT}/v1/events`, batch: { v: 1, customerId: CUSTOMER } });
  expect(order).toMatchObject({ type: 'order', orderId: 'A-1001', currency: 'HUF', cartId: cart.cartId, visitor: cart.visitor });
  expect(order.attribution).toMatchObject({ emst: '12345.ABCDEF' });
  await expect(global.emarsysTrack!.order(ORDER)).resolves.toBe('duplicate');
});

it('retries, with the same event ID, what the source build queued (stored data outlives a build)', async () => {
  await page('/', {}, { fetch: fakeFetch(new TypeError('offline')).fetch }).tracker.order(ORDER);
  const [queued] = storedQueue();
  const net = fakeFetch();
  vi.stubGlobal('fetch', net.fetch);
  await loadBundle({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
  await settle();
  expect(net.events()).toEqual([queued]);
  expect(storedQueue()).toEqual([]);
  await expect(global.emarsysTrack!.order(ORDER)).resolves.toBe('duplicate');
});

it('refuses "2,999.00" with the message of the source build', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.stubGlobal('fetch', fakeFetch().fetch);
  await loadBundle({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
  await expect(global.emarsysTrack!.order({ ...ORDER, items: [{ sku: 'S', price: '2,999.00' }] })).rejects.toThrow(
    'items[0].price: "2,999.00" is not an amount like "2999.00"',
  );
  expect(warn).toHaveBeenCalledOnce();
});
