import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Batch, CartEvent } from '../../src/protocol/schema.js';
import { send } from '../../src/transport.js';
import { ENDPOINT, fakeFetch } from './helpers.js';

const event = (id: string): CartEvent => ({ type: 'cart', id, time: 1, visitor: 'v', cartId: 'c', items: [] });
const batch: Batch = { v: 1, customerId: '112734771', source: 'sdk', events: [event('e1'), event('e2')] };

afterEach(() => vi.unstubAllGlobals());

function fakeImages(load: (src: string) => boolean) {
  const sources: string[] = [];
  vi.stubGlobal(
    'Image',
    class {
      onload?: () => void;
      onerror?: () => void;
      set src(url: string) {
        sources.push(url);
        setTimeout(() => (load(url) ? this.onload!() : this.onerror!()), 0);
      }
    },
  );
  return sources;
}

describe('send()', () => {
  it('POSTs the batch with fetch and answers the status and JSON body', async () => {
    const net = fakeFetch({ status: 200, body: { accepted: 2, duplicates: 0, rejected: [] } });
    await expect(send(ENDPOINT, batch, { fetch: net.fetch })).resolves.toEqual({
      status: 200,
      body: { accepted: 2, duplicates: 0, rejected: [] },
    });
    expect(net.calls[0]).toMatchObject({ url: `${ENDPOINT}/v1/events`, init: { method: 'POST', keepalive: true }, batch });
  });

  it('answers the status alone when the body is not JSON', async () => {
    await expect(send(ENDPOINT, batch, { fetch: fakeFetch(503).fetch })).resolves.toEqual({ status: 503, body: undefined });
  });

  it('answers 0 on a network failure, never rejects', async () => {
    await expect(send(ENDPOINT, batch, { fetch: fakeFetch(new TypeError('Failed to fetch')).fetch })).resolves.toEqual({ status: 0 });
  });

  it('drops keepalive for a body that could pass 64 KiB, which browsers would refuse', async () => {
    const net = fakeFetch();
    const big = { ...batch, events: [{ ...event('e'), items: [{ sku: 'S', name: 'é'.repeat(2e4), price: 1, quantity: 1 }] }] } as Batch;
    await send(ENDPOINT, big, { fetch: net.fetch });
    expect(net.calls[0].init.keepalive).toBe(false);
  });

  it('uses sendBeacon when asked (the page is going away), answering 202 or 0', async () => {
    const net = fakeFetch();
    const sendBeacon = vi.fn(() => true);
    await expect(send(ENDPOINT, batch, { fetch: net.fetch, sendBeacon }, true)).resolves.toEqual({ status: 202 });
    expect(sendBeacon).toHaveBeenCalledWith(`${ENDPOINT}/v1/events`, JSON.stringify(batch));
    expect(net.calls).toHaveLength(0);
    await expect(send(ENDPOINT, batch, { fetch: net.fetch, sendBeacon: () => false }, true)).resolves.toEqual({ status: 0 });
  });

  it('falls back to fetch keepalive for a beacon when there is no sendBeacon', async () => {
    vi.stubGlobal('navigator', {});
    const net = fakeFetch();
    await expect(send(ENDPOINT, batch, { fetch: net.fetch }, true)).resolves.toMatchObject({ status: 200 });
    expect(net.calls[0].init.keepalive).toBe(true);
  });

  it('sends one pixel GET per event when there is neither', async () => {
    vi.stubGlobal('fetch', undefined);
    vi.stubGlobal('navigator', {});
    const sources = fakeImages(() => true);
    await expect(send(ENDPOINT, batch)).resolves.toEqual({ status: 200 });
    expect(sources.map((s) => JSON.parse(new URL(s).searchParams.get('e')!).id)).toEqual(['e1', 'e2']);
    expect(sources[0]).toBe(`${ENDPOINT}/v1/pixel.gif?customerId=112734771&e=${encodeURIComponent(JSON.stringify(event('e1')))}`);
  });

  it('answers 0 when a pixel fails, so the batch is retried', async () => {
    vi.stubGlobal('fetch', undefined);
    vi.stubGlobal('navigator', {});
    fakeImages((src) => !src.includes('e2'));
    await expect(send(ENDPOINT, batch)).resolves.toEqual({ status: 0 });
  });
});

describe("the browser's own functions", () => {
  it('are used when no replacement is given, called so that they do not throw', async () => {
    const seen: unknown[] = [];
    vi.stubGlobal('fetch', function (this: unknown) {
      seen.push(this);
      return Promise.resolve({ status: 204, json: () => Promise.reject(new SyntaxError()) });
    });
    const sendBeacon = vi.fn(function (this: unknown) {
      seen.push(this);
      return true;
    });
    vi.stubGlobal('navigator', { sendBeacon });
    await expect(send(ENDPOINT, batch)).resolves.toEqual({ status: 204, body: undefined });
    await expect(send(ENDPOINT, batch, {}, true)).resolves.toEqual({ status: 202 });
    // A bare window.fetch throws "Illegal invocation" unless called on window or nothing.
    expect(seen).toEqual([undefined, navigator]);
  });

  it('fall back from fetch to sendBeacon to pixels as the browser lacks them', async () => {
    const sendBeacon = vi.fn(() => true);
    vi.stubGlobal('fetch', undefined);
    vi.stubGlobal('navigator', { sendBeacon });
    await expect(send(ENDPOINT, batch)).resolves.toEqual({ status: 202 });
    vi.stubGlobal('navigator', {});
    const sources = fakeImages(() => true);
    await expect(send(ENDPOINT, batch)).resolves.toEqual({ status: 200 });
    expect(sources).toHaveLength(2);
  });
});
