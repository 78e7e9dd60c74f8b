// The Shopify custom pixel (examples/shopify/pixel.js) in a mocked Web Pixels sandbox: the
// documented async browser.cookie / browser.localStorage, each call answered a task later as
// the sandbox's RPC to the host page is, analytics.subscribe, and a fetch the test answers.
// Every event it sends must pass the collector's own check (checkEvent).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { checkEvent } from '../../../collector/src/validation/events.js';

const code = readFileSync(join(__dirname, '../../../examples/shopify/pixel.js'), 'utf8').replace("customerId: 'YOUR-CUSTOMER-ID'", "customerId: '112734771'");

const later = <T>(f: () => T) => new Promise<T>((r) => setTimeout(() => r(f()), 0));
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function sandbox(answer: (body: any) => Promise<any>, onGet: (k: string) => void = () => {}) {
  const jar = new Map<string, string>();
  const store = new Map<string, string>();
  const subs: Record<string, ((e: any) => unknown)[]> = {};
  const sent: any[] = [];
  const browser = {
    cookie: {
      get: (k: string) => later(() => jar.get(k) ?? ''),
      set: (c: string) => later(() => (jar.set(c.split('=')[0], c.slice(c.indexOf('=') + 1).split(';')[0]), '')),
    },
    localStorage: {
      // the value is read when the call is made, answered a task later
      getItem: (k: string) => {
        onGet(k);
        const v = store.get(k) ?? null;
        return later(() => v);
      },
      setItem: (k: string, v: string) => later(() => void store.set(k, v)),
    },
  };
  const fetch = vi.fn(async (_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    sent.push(...body.events);
    return answer(body);
  });
  const analytics = { subscribe: (n: string, f: (e: any) => unknown) => (subs[n] ||= []).push(f) };
  const init = { context: { document: { location: { href: 'https://shop.example/' } } } };
  new Function('analytics', 'browser', 'init', 'fetch', code)(analytics, browser, init, fetch);
  let seq = 0;
  const publish = (name: string, data: object = {}, href = 'https://shop.example/') =>
    Promise.all((subs[name] || []).map((f) => f({ id: `sh-${seq++}`, clientId: 'c-1', name, timestamp: new Date().toISOString(), context: { document: { location: { href } } }, data })));
  const kept = (k: string) => JSON.parse(decodeURIComponent(jar.get(k)!));
  return { publish, sent, store, jar, kept };
}

const ok = (body: any) => Promise.resolve({ ok: true, status: 200, json: async () => ({ accepted: body.events.length, duplicates: 0, rejected: [] }) });
const money = (amount: number) => ({ amount, currencyCode: 'EUR' });
const checkout = (lineItems: object[]) => ({
  token: 'TOK-1',
  currencyCode: 'EUR',
  email: 'anna@example.com',
  lineItems,
  totalPrice: money(30),
  totalTax: money(0),
  shippingLine: { price: money(0) },
  order: { id: '5551001' },
});
const line = { id: 'gid://shopify/CheckoutLineItem/1', quantity: 1, title: 'Drill', finalLinePrice: money(20), variant: { id: 'gid://shopify/ProductVariant/1', sku: 'DRL', price: money(20), product: { title: 'Drill', type: 'Tools' } } };
const warnings = () => (console.warn as any).mock.calls.map((c: unknown[]) => c.join(' '));

beforeEach(() => vi.spyOn(console, 'warn').mockImplementation(() => {}));
afterEach(() => vi.restoreAllMocks());

it('the order appended while page_viewed re-sends an earlier event is sent, not lost (queue edits are serialized)', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  setTimeout(() => release(), 30); // the collector answers in any case
  let pending = false;
  const s = sandbox(
    async (body) => {
      pending = true;
      await gate;
      return ok(body);
    },
    // The collector's answer arrives just as checkout_completed's handler reads the queue to append its order.
    (k) => k == '_et_px_queue' && pending && ((pending = false), release()),
  );
  // An event an earlier page could not deliver.
  s.store.set('_et_px_queue', JSON.stringify([{ type: 'cart', id: 'old-1', time: 1, visitor: 'v', cartId: 'TOK-1', items: [] }]));
  await Promise.all([
    s.publish('page_viewed'), // Thank You page: page_viewed's flush re-sends old-1
    s.publish('checkout_completed', { checkout: checkout([line]) }),
  ]);
  await tick(50);
  expect(s.sent.map((e) => e.type).sort()).toEqual(['cart', 'order']);
  expect(JSON.parse(s.store.get('_et_px_queue')!)).toEqual([]);
  expect(warnings()).toEqual([]);
});

it('the order is stored at once, even while an earlier send hangs (a Thank You page closed then keeps it for the next page)', async () => {
  const s = sandbox(() => new Promise(() => {})); // the collector never answers
  s.store.set('_et_px_queue', JSON.stringify([{ type: 'cart', id: 'old-1', time: 1, visitor: 'v', cartId: 'TOK-1', items: [] }]));
  void s.publish('page_viewed');
  await tick(5);
  void s.publish('checkout_completed', { checkout: checkout([line]) });
  await tick(20);
  expect(JSON.parse(s.store.get('_et_px_queue')!).map((e: any) => e.id)).toEqual(['old-1', 'sh-1']);
});

it('a line without a variant is priced by its finalLinePrice, as one unit: the order passes the collector', async () => {
  const s = sandbox(ok);
  const engraving = { id: 'gid://shopify/CheckoutLineItem/2', quantity: 2, title: 'Custom engraving', finalLinePrice: money(10.5), variant: null };
  await s.publish('checkout_completed', { checkout: checkout([line, engraving]) });
  const order = s.sent.find((e) => e.type == 'order');
  expect(order.items).toEqual([
    { sku: 'DRL', name: 'Drill', category: 'Tools', price: 20, quantity: 1 },
    { sku: 'gid://shopify/CheckoutLineItem/2', name: 'Custom engraving', price: 10.5, quantity: 1 },
  ]);
  expect(checkEvent(order, 'events[0]')).toMatchObject({ ok: true });
});

it('a line with no ID at all is left out with a warning naming it: the rest of the order passes', async () => {
  const s = sandbox(ok);
  await s.publish('checkout_started', { checkout: checkout([line, { quantity: 1, title: 'Gift wrap', finalLinePrice: money(3), variant: null }]) });
  const cart = s.sent.find((e) => e.type == 'cart');
  expect(cart.items.map((i: any) => i.sku)).toEqual(['DRL']);
  expect(checkEvent(cart, 'events[0]')).toMatchObject({ ok: true });
  expect(warnings()).toEqual([expect.stringContaining('Gift wrap')]);
});

it('a landing on an email link sends one click: the parameters, the visitor, the path without query or fragment', async () => {
  const s = sandbox(ok);
  await s.publish('page_viewed', {}, 'https://shop.example/products/drill?emst=601.u-anna&sc_src=email_601&q=anna%40example.com#reviews');
  expect(s.sent).toHaveLength(1);
  const click = s.sent[0];
  expect(click).toEqual({ type: 'click', id: expect.any(String), time: click.attribution.at, visitor: 'c-1', attribution: { at: expect.any(Number), emst: '601.u-anna', sc_src: 'email_601' }, path: '/products/drill' });
  expect(checkEvent(click, 'events[0]')).toMatchObject({ ok: true });
  expect(s.kept('_et_cmp')).toEqual(click.attribution);
});

it('the same parameters again (a reload) send nothing and keep the click time; another link is a new click', async () => {
  const s = sandbox(ok);
  const landing = 'https://shop.example/products/drill?sc_src=email_601&sc_uid=u-anna';
  await s.publish('page_viewed', {}, landing);
  const first = s.kept('_et_cmp');
  await tick(5);
  await s.publish('page_viewed', {}, landing);
  await s.publish('page_viewed', {}, 'https://shop.example/cart');
  expect(s.sent.map((e) => e.type)).toEqual(['click']);
  expect(s.kept('_et_cmp')).toEqual(first);
  await s.publish('page_viewed', {}, 'https://shop.example/?sc_src=email_602&sc_uid=u-anna');
  expect(s.sent.map((e) => e.attribution.sc_src)).toEqual(['email_601', 'email_602']);
});

it('the same parameters after the attribution window are a new click', async () => {
  const s = sandbox(ok);
  const old = { at: Date.now() - 31 * 864e5, emst: '601.u-anna' };
  s.jar.set('_et_cmp', encodeURIComponent(JSON.stringify(old)));
  s.store.set('_et_cmp', encodeURIComponent(JSON.stringify(old)));
  await s.publish('page_viewed', {}, 'https://shop.example/?emst=601.u-anna');
  expect(s.sent).toEqual([expect.objectContaining({ type: 'click', attribution: { at: expect.any(Number), emst: '601.u-anna' } })]);
  expect(s.sent[0].attribution.at).toBeGreaterThan(old.at);
});

it('parameters naming no email campaign are kept for attribution but send no click', async () => {
  const s = sandbox(ok);
  await s.publish('page_viewed', {}, 'https://shop.example/?utm_source=newsletter&utm_medium=email');
  await s.publish('page_viewed', {}, 'https://shop.example/?emst=.u-anna');
  await s.publish('page_viewed', {}, 'https://shop.example/?sc_src=email_');
  expect(s.sent).toEqual([]);
  expect(s.kept('_et_cmp')).toMatchObject({ sc_src: 'email_' });
});

it('a name twice in the landing URL: the first counts, as in the SDK', async () => {
  const s = sandbox(ok);
  await s.publish('page_viewed', {}, 'https://shop.example/?emst=601.u-anna&emst=999.x');
  expect(s.sent[0].attribution.emst).toBe('601.u-anna');
});

it('a long landing path is cut to 512 characters', async () => {
  const s = sandbox(ok);
  await s.publish('page_viewed', {}, `https://shop.example/${'a'.repeat(600)}?emst=601.u-anna`);
  expect(s.sent[0].path).toBe('/' + 'a'.repeat(511));
  expect(checkEvent(s.sent[0], 'events[0]')).toMatchObject({ ok: true });
});
