// Delivery (src/delivery.ts), through a tracker: fetch keepalive, sendBeacon on pagehide, a page
// that removed fetch, and the browser's own functions called so that they do not throw.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CUSTOMER, ENDPOINT, ORDER, clearBrowser, fakeFetch, page, settle, storedQueue } from './helpers.js';

beforeEach(clearBrowser);
afterEach(() => vi.unstubAllGlobals());

describe('fetch', () => {
  it('POSTs a text/plain keepalive request and reads the JSON answer', async () => {
    const net = fakeFetch({ status: 200, body: { accepted: 1, duplicates: 0, rejected: [] } });
    await expect(page('/', {}, { fetch: net.fetch }).tracker.order(ORDER)).resolves.toBe('sent');
    expect(net.calls[0]).toMatchObject({ url: `${ENDPOINT}/v1/events`, init: { method: 'POST', keepalive: true } });
    expect(typeof net.calls[0].init.body).toBe('string');
  });

  it('takes an answer without a JSON body', async () => {
    await expect(page('/', {}, { fetch: fakeFetch(204).fetch }).tracker.order(ORDER)).resolves.toBe('sent');
  });

  it('drops keepalive for a body that could pass 64 KiB, which browsers would refuse', async () => {
    const net = fakeFetch();
    await page('/', {}, { fetch: net.fetch }).tracker.order({ ...ORDER, items: [{ sku: 'S', name: 'é'.repeat(2e4), price: 1 }] });
    expect(net.calls[0].init.keepalive).toBe(false);
  });
});

describe('sendBeacon on pagehide', () => {
  it.each([true, false])('hands the queue to sendBeacon, and keeps it queued until a later page gets an acknowledgement (taken: %s)', async (taken) => {
    const net = fakeFetch(new TypeError('offline'));
    const sendBeacon = vi.fn(() => taken);
    const { tracker, events } = page('/', {}, { fetch: net.fetch, sendBeacon });
    await tracker.order(ORDER);
    events.dispatchEvent(new Event('pagehide'));
    expect(sendBeacon).toHaveBeenCalledExactlyOnceWith(`${ENDPOINT}/v1/events`, JSON.stringify({ v: 1, customerId: CUSTOMER, events: storedQueue() }));
    expect(net.calls).toHaveLength(1);
    expect(storedQueue()).toHaveLength(1);
  });

  it('falls back to fetch keepalive when there is no sendBeacon', async () => {
    vi.stubGlobal('navigator', { cookieEnabled: true });
    const net = fakeFetch(new TypeError('offline'), 200);
    const { tracker, events } = page('/', {}, { fetch: net.fetch });
    await tracker.order(ORDER);
    events.dispatchEvent(new Event('pagehide'));
    await settle();
    expect(net.calls).toHaveLength(2);
    expect(net.calls[1].init.keepalive).toBe(true);
  });
});

describe('429 Too Many Requests', () => {
  it("reads a real Response's Retry-After, sends nothing before it, and drops nothing", async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    try {
      const limited = Response.json({ error: 'rate_limited', message: 'too many requests' }, { status: 429, headers: { 'Retry-After': '30' } });
      const sent: string[] = [];
      const fetch = vi.fn(async (_url: unknown, init?: RequestInit) => {
        sent.push(String(init!.body));
        return sent.length == 1 ? limited : Response.json({ accepted: 1, duplicates: 0, rejected: [] });
      });
      const { tracker, console } = page('/', {}, { fetch: fetch as typeof globalThis.fetch });
      const result = tracker.order(ORDER);
      await vi.advanceTimersByTimeAsync(0);
      await expect(result).resolves.toBe('queued');
      await vi.advanceTimersByTimeAsync(29_999);
      expect(sent).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(sent).toEqual([sent[0], sent[0]]);
      expect(storedQueue()).toEqual([]);
      expect(console.warn).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('without fetch (a page removed it)', () => {
  it('keeps the events queued, and beacons them on pagehide', async () => {
    vi.stubGlobal('fetch', undefined);
    const sendBeacon = vi.fn(() => true);
    const { tracker, events } = page('/', {}, { sendBeacon });
    await expect(tracker.order(ORDER)).resolves.toBe('queued');
    expect(storedQueue()).toEqual([expect.objectContaining({ type: 'order', orderId: 'A-1001' })]);
    events.dispatchEvent(new Event('pagehide'));
    expect(sendBeacon).toHaveBeenCalledExactlyOnceWith(`${ENDPOINT}/v1/events`, JSON.stringify({ v: 1, customerId: CUSTOMER, events: storedQueue() }));
  });
});

it("calls the browser's own fetch and sendBeacon so that they do not throw", async () => {
  const seen: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(function (this: unknown) {
      seen.push(this);
      return Promise.resolve({ status: 503, headers: new Headers(), json: () => Promise.reject(new SyntaxError()) });
    }),
  );
  const sendBeacon = vi.fn(function (this: unknown) {
    seen.push(this);
    return true;
  });
  vi.stubGlobal('navigator', { sendBeacon, cookieEnabled: true });
  const { tracker, events } = page('/');
  await expect(tracker.order(ORDER)).resolves.toBe('queued');
  events.dispatchEvent(new Event('pagehide'));
  // A bare window.fetch throws "Illegal invocation" unless called on window or nothing.
  expect(seen).toEqual([window, navigator]);
});

describe('a page whose sends succeed', () => {
  it("sets and clears no timer, looks up no sendBeacon and reads no header of the answer (each costs the page main-thread time the first time)", async () => {
    const setTimeout = vi.spyOn(globalThis, 'setTimeout');
    const clearTimeout = vi.spyOn(globalThis, 'clearTimeout');
    let beaconLookups = 0;
    let headerReads = 0;
    vi.stubGlobal('navigator', {
      cookieEnabled: true,
      get sendBeacon() {
        beaconLookups++;
        return () => true;
      },
    });
    /** Answers `status`, with Retry-After: 1 (seconds), counting reads of its headers. */
    const answering = (status: number) => async () =>
      ({
        status,
        ok: status < 300,
        get headers() {
          headerReads++;
          return new Headers({ 'retry-after': '1' });
        },
        json: async () => ({ accepted: 2, duplicates: 0, rejected: [] }),
      }) as unknown as Response;
    const { tracker } = page('/?emst=1.a', {}, { fetch: answering(200) });
    await expect(tracker.order(ORDER)).resolves.toBe('sent');
    expect([setTimeout.mock.calls.length, clearTimeout.mock.calls.length, beaconLookups, headerReads]).toEqual([0, 0, 0, 0]);
    // the same after a failed send: the retry is timed, after the answer's Retry-After, and pagehide beacons
    const failing = page('/', {}, { fetch: answering(503) });
    await expect(failing.tracker.order({ ...ORDER, orderId: 'O-2' })).resolves.toBe('queued');
    failing.events.dispatchEvent(new Event('pagehide'));
    expect([headerReads, beaconLookups]).toEqual([1, 1]);
    expect(setTimeout.mock.calls.filter(([, ms]) => ms! >= 1e3)).toHaveLength(1);
  });
});
