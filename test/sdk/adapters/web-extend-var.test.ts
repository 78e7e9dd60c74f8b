// Web Extend's snippet declares `var ScarabQueue = ScarabQueue || []`: a global that cannot be
// redefined, so its replacement by Web Extend's script is found by a check twice a second.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { freshPage, global, loadAdapters, tracker } from './helpers.js';

beforeEach(() => {
  freshPage();
  // As a classic script's `var` at the top level makes it: writable, not configurable.
  Object.defineProperty(window, 'ScarabQueue', { value: [['setEmail', 'vera@example.com']], writable: true, enumerable: true, configurable: false });
});
afterEach(() => vi.useRealTimers());

it('keeps reading a var-declared ScarabQueue after Web Extend replaces it', async () => {
  const { net } = tracker();
  vi.useFakeTimers({ toFake: ['setInterval'] });
  await loadAdapters('data-web-extend');
  const seen: unknown[] = [];
  global.ScarabQueue = { push: (...c: unknown[]) => seen.push(...c) };
  vi.advanceTimersByTime(500);
  (global.ScarabQueue as unknown[]).push(['purchase', { orderId: 'V-1', items: [{ item: 'S', price: '3', quantity: 2 }] }], ['go']);
  await vi.waitFor(() => expect(net.events()).toMatchObject([{ type: 'order', orderId: 'V-1', items: [{ sku: 'S', price: '1.5', quantity: 2 }] }]));
  expect(seen).toHaveLength(2);
});
