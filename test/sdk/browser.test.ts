// The script-tag entry, with the stub exactly as docs/sdk.md tells shops to paste it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../src/browser.js';
import { PREFIX } from '../../src/log.js';
import { CUSTOMER, ENDPOINT, ORDER, clearBrowser, fakeFetch, settle } from './helpers.js';

const STUB = /^<script>(!function.*)<\/script>$/m.exec(readFileSync(resolve(import.meta.dirname, '../../docs/sdk.md'), 'utf8'))![1];

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
    expect(net.calls.map((c) => c.batch.events.map((e) => e.type))).toEqual([['cart'], ['order']]);
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
    await expect(bad).rejects.toThrow('total: "2,999.00" uses a thousands separator');
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
    await expect(order).resolves.toBe('sent');
  });
});

describe('data-* attributes', () => {
  it('are an implicit init with every option', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await loadScript({
      'customer-id': CUSTOMER,
      endpoint: ENDPOINT + '/',
      'attribution-days': '0.5',
      storage: 'session',
      'cookie-domain': 'localhost',
      consent: 'pending',
      debug: '',
    });
    const order = global.emarsysTrack!.order(ORDER);
    await settle();
    expect(net.calls).toHaveLength(0);
    expect(sessionStorage.length + localStorage.length).toBe(0);
    global.emarsysTrack!.consent('granted');
    await expect(order).resolves.toBe('sent');
    expect(net.calls[0].url).toBe(`${ENDPOINT}/v1/events`);
    expect(Object.keys(sessionStorage)).toContain('_et_vid');
    expect(document.cookie).toBe('');
    expect(log).toHaveBeenCalledWith(PREFIX, 'held until consent', expect.any(String));
  });

  it('report a bad attribute by its option name', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT, 'attribution-days': 'thirty' });
    expect(warn).toHaveBeenCalledWith(`${PREFIX} attributionDays: "thirty" is not a number of days above 0, at most 3650`);
    await expect(global.emarsysTrack!.order(ORDER)).rejects.toThrow('attributionDays');
  });

  it('data-debug="false" keeps debug off', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT, debug: 'false' });
    await global.emarsysTrack!.order(ORDER);
    expect(log).not.toHaveBeenCalled();
  });
});

describe('without init', () => {
  it('calls reject with a message saying what to do', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await loadScript();
    await expect(global.emarsysTrack!.order(ORDER)).rejects.toThrow('order: call emarsysTrack.init({ customerId, endpoint }) first');
    expect(warn).toHaveBeenCalledWith(`${PREFIX} order: call emarsysTrack.init({ customerId, endpoint }) first`);
  });

  it('a second init is ignored with a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await loadScript({ 'customer-id': CUSTOMER, endpoint: ENDPOINT });
    global.emarsysTrack!.init({ customerId: 'other', endpoint: ENDPOINT });
    expect(warn).toHaveBeenCalledWith(`${PREFIX} init: already done; this call is ignored`);
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
