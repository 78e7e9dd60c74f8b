// The built dist/emarsys-track-adapters.min.js next to the built core, with the install stub
// as docs/sdk.md gives it: whichever script runs first, the shop's dataLayer purchase and
// ScarabQueue purchase arrive as orders (what only the minified builds can break).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { pathOf } from '../../../scripts/size.mjs';
import { CUSTOMER, ENDPOINT, fakeFetch, settle } from '../helpers.js';
import { freshPage, global } from './helpers.js';

const STUB = /^<script>(!function.*)<\/script>$/m.exec(readFileSync(resolve(import.meta.dirname, '../../../docs/sdk.md'), 'utf8'))![1];

/** Runs a built script as its tag would, with `data` as the tag's data-* attributes. */
function run(file: string, data: Record<string, string>) {
  expect(existsSync(pathOf(file)), `${file} is not built: run npm run build:sdk`).toBe(true);
  const tag = document.createElement('script');
  for (const [k, v] of Object.entries(data)) tag.setAttribute(`data-${k}`, v);
  document.head.append(tag);
  Object.defineProperty(document, 'currentScript', { configurable: true, value: tag });
  new Function(readFileSync(pathOf(file), 'utf8'))();
}
const core = (data: Record<string, string> = {}) => run('dist/emarsys-track.min.js', data);
const adapters = (data: Record<string, string> = {}) => run('dist/emarsys-track-adapters.min.js', data);

let net: ReturnType<typeof fakeFetch>;
beforeEach(() => {
  freshPage();
  net = fakeFetch();
  vi.stubGlobal('fetch', net.fetch);
  new Function(STUB)();
  global.dataLayer = [{ event: 'purchase', ecommerce: { transaction_id: 'T-1', value: '9.90', items: [{ item_id: 'S', price: '9.90' }] } }];
  global.ScarabQueue = [['purchase', { orderId: 'W-1', items: [{ item: 'S', price: '9.90', quantity: 2 }] }], ['go']];
});
afterEach(() => {
  delete (document as { currentScript?: unknown }).currentScript;
  vi.unstubAllGlobals();
});

it('adapters first, asked for by init() through the stub', async () => {
  global.emarsysTrack!.init!({ customerId: CUSTOMER, endpoint: ENDPOINT, dataLayer: true, webExtend: true } as never);
  adapters();
  core();
  await settle();
  expect(net.events().map((e) => [e.type == 'order' && e.orderId, e.total])).toEqual([
    ['T-1', '9.90'],
    ['W-1', '9.90'],
  ]);
});

it('core first, asked for by attributes on the core tag and on the adapters tag', async () => {
  core({ 'customer-id': CUSTOMER, endpoint: ENDPOINT, datalayer: '' });
  adapters({ 'web-extend': '' });
  await settle();
  await settle();
  expect(net.events().map((e) => [e.type == 'order' && e.orderId, e.items])).toEqual([
    ['T-1', [{ sku: 'S', price: '9.90', quantity: 1 }]],
    ['W-1', [{ sku: 'S', price: '4.95', quantity: 2 }]],
  ]);
});
