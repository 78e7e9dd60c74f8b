// The script-tag entry, with the stub exactly as docs/sdk.md tells shops to paste it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../src/browser.js';
import { PREFIX } from '../../src/log.js';
import { CUSTOMER, ENDPOINT, ORDER, clearBrowser, clockAt, fakeFetch, settle } from './helpers.js';

const DOCS = readFileSync(resolve(import.meta.dirname, '../../docs/sdk.md'), 'utf8');
/** The recommended install's first line: the stub and the shop's init(). */
const INSTALL = /^<script>(!function.*\}\(\);emarsysTrack\.init\(.*\))<\/script>$/m.exec(DOCS)![1];
/** The stub alone, as the install with the options on the script tag has it. */
const STUB = /^<script>(!function.*\}\(\))<\/script>$/m.exec(DOCS)![1];

type Global = { emarsysTrack?: Api & { q?: unknown[] } };
const global = window as unknown as Global;

/** The stub's line, run as the shop's page would. */
const runStub = () => new Function(STUB)();

/** The script tag loading: `data` are its data-* attributes. */
async function loadScript(data: Record<string, string> = {}) {
  const tag = document.createElement('script');
  for (const [k, v] of Object.entries(data)) tag.setAttribute(`data-${k}`, v);
  Object.defineProperty(document, 'currentScript', { configurable: true, value: tag });
  vi.resetModules();
  await import('../../src/browser.js');
}

let net: ReturnType<typeof fakeFetch>;
beforeEach(() => {
  clearBrowser();
  delete global.emarsysTrack;
  net = fakeFetch();
  vi.stubGlobal('fetch', net.fetch);
});
afterEach(() => {
  delete (document as { currentScript?: unknown }).currentScript;
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('the stub', () => {
  it('is one short line', () => {
    expect(STUB.length).toBeLessThan(260);
    expect(INSTALL.startsWith(STUB + ';')).toBe(true);
  });

  it('with init() in it (the recommended install), the script never reads its own tag', async () => {
    new Function(INSTALL.replace('112734771', CUSTOMER).replace('https://collector.example.com', ENDPOINT))();
    const order = global.emarsysTrack!.order(ORDER);
    // A tag whose attributes say otherwise: not read.
    const tag = document.createElement('script');
    tag.setAttribute('data-customer-id', 'other');
    const read = vi.fn(() => tag);
    Object.defineProperty(document, 'currentScript', { configurable: true, get: read });
    vi.resetModules();
    await import('../../src/browser.js');
    await expect(order).resolves.toBe('sent');
    expect(net.calls[0].batch.customerId).toBe(CUSTOMER);
    expect(read).not.toHaveBeenCalled();
  });

  it('reads the tag when the first queued call is not init()', async () => {
    runStub();
    const order = global.emarsysTrack!.order(ORDER);
    global.emarsysTrack!.init({ customerId: 'other', endpoint: ENDPOINT });
    await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
    await expect(order).resolves.toBe('sent');
    // The tag's implicit init() came first; the queued one is a second init(), ignored.
    expect(net.calls[0].batch.customerId).toBe(CUSTOMER);
  });

  it('queues calls before load and the script replays them in order, settling their Promises', async () => {
    runStub();
    const cart = global.emarsysTrack!.cart({ items: [{ sku: 'S', price: 1 }] });
    const order = global.emarsysTrack!.order(ORDER);
    const again = global.emarsysTrack!.order(ORDER);
    expect(global.emarsysTrack!.q).toHaveLength(3);
    expect(net.calls).toHaveLength(0);

    await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
    await expect(cart).resolves.toBe('sent');
    await expect(order).resolves.toBe('sent');
    await expect(again).resolves.toBe('duplicate');
    // Replayed at once, they go in one request, in order.
    expect(net.calls.map((c) => c.batch.events.map((e) => e.type))).toEqual([['cart', 'order']]);
    expect(net.calls[0].batch.customerId).toBe(CUSTOMER);
    expect(net.events()[1].cartId).toBe(net.events()[0].cartId);
  });

  it('replaces itself with the real API, which works the same after load', async () => {
    runStub();
    await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
    expect(global.emarsysTrack!.q).toBeUndefined();
    await expect(global.emarsysTrack!.order(ORDER)).resolves.toBe('sent');
  });

  it('passes a rejection on to the Promise the stub returned', async () => {
    runStub();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const bad = global.emarsysTrack!.order({ ...ORDER, total: '2,999.00' });
    await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
    await expect(bad).rejects.toThrow('total: "2,999.00" is not an amount like "2999.00"');
  });

  it('replays a queued init when the tag has no data-customer-id', async () => {
    runStub();
    global.emarsysTrack!.init({ customerId: 'shop-7', endpoint: ENDPOINT });
    const order = global.emarsysTrack!.order(ORDER);
    await loadScript();
    await expect(order).resolves.toBe('sent');
    expect(net.calls[0].batch.customerId).toBe('shop-7');
  });

  it('replays consent after a pending data-consent', async () => {
    runStub();
    const order = global.emarsysTrack!.order(ORDER);
    global.emarsysTrack!.consent('granted');
    await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT, consent: 'pending' });
    // Held until the consent replayed right after it.
    await expect(order).resolves.toBe('queued');
    await global.emarsysTrack!.flush();
    expect(net.events().map((e) => e.type)).toEqual(['order']);
  });
});

describe('data-* attributes', () => {
  it('are an implicit init with every option', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    clockAt(1_700_000_000_000);
    history.replaceState(null, '', '/?emst=1.a');
    await loadScript({
      'customer-id': CUSTOMER,
      endpoint: ENDPOINT + '/',
      'attribution-days': '0.5',
      storage: 'session',
      'cookie-domain': 'localhost',
      consent: 'pending',
      debug: '',
    });
    await expect(global.emarsysTrack!.order(ORDER)).resolves.toBe('queued');
    await settle();
    expect(net.calls).toHaveLength(0);
    expect(sessionStorage.length + localStorage.length).toBe(0);
    global.emarsysTrack!.consent('granted');
    await global.emarsysTrack!.flush();
    expect(net.calls[0].url).toBe(`${ENDPOINT}/v1/events`);
    // Delivered at once: no queue stored.
    expect(Object.keys(sessionStorage).sort()).toEqual(['_et_cmp', '_et_order', '_et_vid']);
    expect(net.events()[0].attribution).toEqual({ emst: '1.a', at: 1_700_000_000_000 });
    expect(document.cookie).toBe('');
    expect(log).toHaveBeenCalledWith(PREFIX, 'sent', net.calls[0].batch.events, 200, expect.any(Object));
    // data-attribution-days, a string: half a day.
    vi.setSystemTime(1_700_000_000_000 + 864e5 / 2);
    await global.emarsysTrack!.order({ ...ORDER, orderId: 'B' });
    expect(net.events()[1].attribution).toBeUndefined();
    vi.useRealTimers();
  });

  it('report a missing option by its name', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await loadScript({ 'customer-id': CUSTOMER });
    expect(warn).toHaveBeenCalledExactlyOnceWith(PREFIX, `endpoint: is required`);
    await expect(global.emarsysTrack!.order(ORDER)).rejects.toThrow('init: not done, or refused');
  });

  it('data-debug absent keeps debug off', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
    await global.emarsysTrack!.order(ORDER);
    expect(log).not.toHaveBeenCalled();
  });
});

describe('without init', () => {
  it('calls reject with a message saying what to do', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await loadScript();
    const message = 'init: not done, or refused';
    await expect(global.emarsysTrack!.order(ORDER)).rejects.toThrow(message);
    await expect(global.emarsysTrack!.flush()).rejects.toThrow(message);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledWith(PREFIX, message);
    // Before init() there is nothing to consent to.
    expect(() => global.emarsysTrack!.consent('granted')).not.toThrow();
  });

  it('a second init is ignored', async () => {
    await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
    global.emarsysTrack!.init({ customerId: 'other', endpoint: ENDPOINT });
    await global.emarsysTrack!.order(ORDER);
    expect(net.calls[0].batch.customerId).toBe(CUSTOMER);
  });
});

it('loaded twice, keeps the first instance', async () => {
  await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
  const first = global.emarsysTrack;
  await loadScript({ 'customer-id': 'other', endpoint: ENDPOINT });
  expect(global.emarsysTrack).toBe(first);
});
