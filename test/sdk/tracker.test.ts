import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTracker } from '../../src/index.js';
import { PREFIX } from '../../src/log.js';
import { BATCH, MAX_EVENTS } from '../../src/retry-queue.js';
import { CUSTOMER, ENDPOINT, ORDER, clearBrowser, clockAt, countLocalStorage, fakeFetch, page, settle, spyConsole, storedCookie, storedOrder, storedQueue } from './helpers.js';

const DAY = 864e5;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

beforeEach(clearBrowser);
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('order()', () => {
  it('posts a Batch as a text/plain keepalive request and resolves once acknowledged', async () => {
    const net = fakeFetch();
    const { tracker } = page('/thank-you', {}, { fetch: net.fetch });
    await expect(tracker.order({ ...ORDER, email: 'jane@example.com' })).resolves.toBe('sent');
    expect(net.calls).toHaveLength(1);
    const [{ url, init, batch }] = net.calls;
    expect(url).toBe(`${ENDPOINT}/v1/events`);
    expect(init).toMatchObject({ method: 'POST', keepalive: true });
    // A string body is sent as text/plain: a "simple" request, no CORS preflight.
    expect(typeof init.body).toBe('string');
    expect(init.headers).toBeUndefined();
    // `source` absent: "sdk".
    expect(batch).toEqual({ v: 1, customerId: CUSTOMER, events: [expect.any(Object)] });
    const [e] = batch.events;
    expect(e).toEqual({
      type: 'order',
      id: expect.stringMatching(UUID),
      time: expect.any(Number),
      visitor: expect.stringMatching(UUID),
      orderId: 'A-1001',
      total: '2999.00',
      currency: 'EUR',
      email: 'jane@example.com',
      items: [{ sku: 'SKU-1', name: 'Sofa', price: '2999.00', quantity: 1 }],
    });
    expect(storedQueue()).toEqual([]);
  });

  it('gives every event its own ID and keeps the visitor ID across pages', async () => {
    const net = fakeFetch();
    const first = page('/', {}, { fetch: net.fetch }).tracker;
    await first.cart({ items: [] });
    await first.order({ orderId: 'A', total: 1 });
    await page('/', {}, { fetch: net.fetch }).tracker.order({ orderId: 'B', total: 1 });
    const events = net.events();
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(new Set(events.map((e) => e.visitor)).size).toBe(1);
  });

  it('makes unique IDs without crypto.randomUUID (pages not served over https)', async () => {
    vi.stubGlobal('crypto', {});
    const net = fakeFetch();
    const { tracker } = page('/', {}, { fetch: net.fetch });
    await tracker.cart({ items: [] });
    await tracker.cart({ items: [] });
    // Two event IDs, the visitor's and the kept cart's.
    const ids = net.events().flatMap((e) => [e.id, e.visitor, (e as { cartId?: string }).cartId]);
    expect(new Set(ids).size).toBe(4);
    // the time in ms, then a random fraction
    for (const id of ids) expect(id).toMatch(/^\d{13}0\.\d+$|^\d{13}\d(\.\d+)?e-\d+$/);
  });

  it('sends the same order ID once per browser: a reload of the Thank You page is a duplicate', async () => {
    const net = fakeFetch();
    await expect(page('/thank-you', {}, { fetch: net.fetch }).tracker.order(ORDER)).resolves.toBe('sent');
    await expect(page('/thank-you', {}, { fetch: net.fetch }).tracker.order(ORDER)).resolves.toBe('duplicate');
    expect(net.calls).toHaveLength(1);
  });

  it('remembers the last order ID (the collector stores an order once per orderId anyway)', async () => {
    const net = fakeFetch();
    const { tracker } = page('/', {}, { fetch: net.fetch });
    await tracker.order({ orderId: 'O-1', total: 1 });
    await tracker.order({ orderId: 'O-2', total: 1 });
    expect(storedOrder()).toBe('O-2');
    await expect(tracker.order({ orderId: 'O-2', total: 1 })).resolves.toBe('duplicate');
    await expect(tracker.order({ orderId: 'O-1', total: 1 })).resolves.toBe('sent');
    expect(net.calls).toHaveLength(3);
  });

  it('refuses "2,999.00" with a console warning, rejects, and sends nothing', async () => {
    const net = fakeFetch();
    const { tracker, console } = page('/', {}, { fetch: net.fetch });
    const message = 'items[0].price: "2,999.00" is not an amount like "2999.00"';
    await expect(tracker.order({ ...ORDER, items: [{ sku: 'S', price: '2,999.00' }] })).rejects.toThrow(message);
    expect(console.warn).toHaveBeenCalledExactlyOnceWith(PREFIX, message);
    await tracker.flush();
    expect(net.calls).toHaveLength(0);
    expect(storedQueue()).toEqual([]);
    // Refused, not remembered: the corrected order still goes out.
    await expect(tracker.order(ORDER)).resolves.toBe('sent');
  });

  it('never throws into the page, whatever it is given', async () => {
    const { tracker, console } = page('/', {}, { fetch: fakeFetch().fetch });
    const calls = [
      () => tracker.order(undefined as never),
      () => tracker.cart(null as never),
      () => tracker.order('A-1' as never),
      () => tracker.cart({ items: [{ sku: 'S', price: 1, quantity: 0 }] }),
    ];
    for (const call of calls) await expect(call()).rejects.toThrow();
    expect(console.warn).toHaveBeenCalledTimes(calls.length);
    // Anything but 'granted' is a denial: a typo never tracks without consent.
    expect(() => tracker.consent('maybe' as never)).not.toThrow();
    await expect(tracker.order(ORDER)).rejects.toThrow('consent: denied');
  });

  it('refuses a BigInt (JSON cannot carry one) at the call, and the orders after it are sent', async () => {
    const net = fakeFetch();
    const { tracker } = page('/', {}, { fetch: net.fetch });
    await expect(tracker.order({ ...ORDER, total: 10n } as never)).rejects.toThrow(TypeError);
    await expect(tracker.order({ ...ORDER, orderId: 'B-2', city: 5n } as never)).rejects.toThrow(TypeError);
    await expect(tracker.cart({ items: [{ sku: 'S', price: 1n }] } as never)).rejects.toThrow(TypeError);
    expect(net.calls).toHaveLength(0);
    // an ID or a quantity given as a BigInt is a plain number's string or number
    await expect(tracker.order({ ...ORDER, orderId: 1001n, items: [{ sku: 7n, price: '1', quantity: 2n }] } as never)).resolves.toBe('sent');
    await expect(tracker.order({ ...ORDER, orderId: 'B-3' })).resolves.toBe('sent');
    expect(net.events().map((e) => (e as { orderId: string }).orderId)).toEqual(['1001', 'B-3']);
    expect(net.events()[0]).toMatchObject({ items: [{ sku: '7', quantity: 2 }] });
  });

  it('refuses an order ID that is NaN (a failed parseInt): each such order would otherwise share one ID and count once', async () => {
    const net = fakeFetch();
    const { tracker, console } = page('/', {}, { fetch: net.fetch });
    await expect(tracker.order({ ...ORDER, orderId: Number.parseInt('#1001') })).rejects.toThrow('orderId: null is not an ID');
    await expect(tracker.order({ ...ORDER, items: [{ sku: Number.NaN, price: 1 }] } as never)).rejects.toThrow('items[0].sku: null is not an ID');
    expect(console.warn).toHaveBeenCalledTimes(2);
    expect(net.calls).toHaveLength(0);
    // numbers are IDs as they have always been
    await expect(tracker.order({ ...ORDER, orderId: 1001 })).resolves.toBe('sent');
    expect(net.events()[0]).toMatchObject({ orderId: '1001' });
  });

  it('never lets the input set what the SDK makes: type, event ID, time and visitor', async () => {
    const net = fakeFetch();
    const { tracker } = page('/?emst=77.u1', {}, { fetch: net.fetch });
    const made = { type: 'cart', id: 'same', time: 1717171717, visitor: 'mallory' };
    await expect(tracker.order({ ...ORDER, ...made } as never)).resolves.toBe('sent');
    await expect(tracker.order({ ...ORDER, orderId: 'A-1002', ...made } as never)).resolves.toBe('sent');
    const [a, b] = net.events();
    expect(a).toMatchObject({ type: 'order', orderId: 'A-1001', visitor: storedCookie('_et_vid'), attribution: { emst: '77.u1' } });
    expect(a.id).not.toBe('same');
    expect(b.id).not.toBe(a.id);
    expect(Math.abs(a.time - Date.now())).toBeLessThan(60_000);
  });

  it('turns bad options into a warning, and later calls into rejections', async () => {
    const console = spyConsole();
    const tracker = createTracker({ customerId: '1' } as never);
    expect(console.warn).toHaveBeenCalledExactlyOnceWith(PREFIX, `endpoint: is required`);
    const later = 'init: not done, or refused';
    await expect(tracker.order(ORDER)).rejects.toThrow(later);
    await expect(tracker.flush()).rejects.toThrow(later);
    expect(console.warn).toHaveBeenLastCalledWith(PREFIX, later);
    expect(console.warn).toHaveBeenCalledTimes(3);
    expect(() => createTracker(null as never)).not.toThrow();
  });
});

describe('cart()', () => {
  it('generates a cart ID, keeps it across pages, sends it with the order, then starts afresh', async () => {
    const net = fakeFetch();
    await page('/checkout', {}, { fetch: net.fetch }).tracker.cart({ items: [{ sku: 'S', price: 5 }], total: 5 });
    await page('/checkout', {}, { fetch: net.fetch }).tracker.cart({ items: [{ sku: 'S', price: 5, quantity: 2 }], total: 10 });
    await page('/thank-you', {}, { fetch: net.fetch }).tracker.order({ orderId: 'A', total: 10 });
    await page('/checkout', {}, { fetch: net.fetch }).tracker.cart({ items: [] });
    const [c1, c2, o, c3] = net.events() as { type: string; cartId?: string }[];
    expect(c1.cartId).toMatch(UUID);
    expect(c2.cartId).toBe(c1.cartId);
    expect(o).toMatchObject({ type: 'order', cartId: c1.cartId });
    expect(c3.cartId).toMatch(UUID);
    expect(c3.cartId).not.toBe(c1.cartId);
  });

  it("takes the shop's own cart ID and closes it with the order", async () => {
    const net = fakeFetch();
    const { tracker } = page('/', {}, { fetch: net.fetch });
    await tracker.cart({ cartId: 981, items: [] });
    await tracker.order({ orderId: 'A', total: 1 });
    expect(net.events().map((e) => e.cartId)).toEqual(['981', '981']);
  });

  it('sends an order without a cart without cartId', async () => {
    const net = fakeFetch();
    await page('/', {}, { fetch: net.fetch }).tracker.order(ORDER);
    expect(net.events()[0]).not.toHaveProperty('cartId');
  });
});

describe('delivery failures', () => {
  it('keeps a failed event and sends it on the next page load with the same event ID', async () => {
    const offline = fakeFetch(new TypeError('Failed to fetch'));
    await expect(page('/thank-you', {}, { fetch: offline.fetch }).tracker.order(ORDER)).resolves.toBe('queued');
    const [queued] = storedQueue();
    expect(queued).toEqual(offline.events()[0]);

    const online = fakeFetch();
    page('/next', {}, { fetch: online.fetch });
    await settle();
    expect(online.events()).toEqual([queued]);
    expect(storedQueue()).toEqual([]);
  });

  it('retries with exponential backoff and jitter, same event ID, until acknowledged', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const net = fakeFetch(503, 500, new TypeError('offline'), 200);
    const { tracker } = page('/', {}, { fetch: net.fetch });
    const result = tracker.order(ORDER);
    await vi.advanceTimersByTimeAsync(0);
    await expect(result).resolves.toBe('queued');
    // jitter 0.5 → factor 0.75: 2 s, 4 s, 8 s before attempts 2, 3, 4
    await vi.advanceTimersByTimeAsync(1499);
    expect(net.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2999);
    expect(net.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(6000);
    expect(net.calls).toHaveLength(4);
    expect(new Set(net.events().map((e) => e.id)).size).toBe(1);
    expect(storedQueue()).toEqual([]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(net.calls).toHaveLength(4);
  });

  it.each([408, 429, 500, 502, 503])('retries after %i', async (status) => {
    const net = fakeFetch(status, 200);
    const { tracker } = page('/', {}, { fetch: net.fetch });
    await expect(tracker.order(ORDER)).resolves.toBe('queued');
    await tracker.flush();
    expect(net.calls).toHaveLength(2);
    expect(storedQueue()).toEqual([]);
  });

  // The statuses a retry cannot fix (docs/sdk.md, docs/protocol.md).
  it.each([400, 401, 403, 404, 410, 413, 422])('never retries after %i: the event is dropped with a warning and the Promise rejects', async (status) => {
    vi.useFakeTimers();
    const net = fakeFetch({ status, body: { error: 'x', message: 'customerId: unknown customer' } });
    const { tracker, console } = page('/', {}, { fetch: net.fetch });
    const result = expect(tracker.order(ORDER)).rejects.toThrow(`collector answered ${status} customerId: unknown customer`);
    await vi.advanceTimersByTimeAsync(0);
    await result;
    expect(console.warn).toHaveBeenCalledWith(PREFIX, expect.stringMatching(`^order [0-9a-f-]+ dropped: collector answered ${status} customerId: unknown customer$`));
    expect(storedQueue()).toEqual([]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    page('/next', {}, { fetch: net.fetch });
    await vi.advanceTimersByTimeAsync(0);
    expect(net.calls).toHaveLength(1);
  });

  describe('429 Too Many Requests', () => {
    const NOW = Date.parse('2026-01-01T00:00:00Z');
    /** A tracker whose first send is answered `status` with these headers, then 200, once its order resolved 'queued'. */
    async function limited(headers: Record<string, string>, status = 429) {
      vi.useFakeTimers({ now: NOW });
      vi.spyOn(Math, 'random').mockReturnValue(0.5);
      const net = fakeFetch({ status, body: { error: 'rate_limited', message: 'slow down' }, headers }, 200);
      const { tracker, console } = page('/', {}, { fetch: net.fetch });
      const result = tracker.order(ORDER);
      await vi.advanceTimersByTimeAsync(0);
      await expect(result).resolves.toBe('queued');
      return { net, tracker, console };
    }

    it('waits the seconds of Retry-After, sends nothing before (new events and flush() included), and drops nothing', async () => {
      const { net, tracker, console } = await limited({ 'Retry-After': '120' });
      await expect(tracker.cart({ items: [] })).resolves.toBe('queued');
      await tracker.flush();
      await vi.advanceTimersByTimeAsync(119_999);
      expect(net.calls).toHaveLength(1);
      expect(storedQueue()).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(net.calls).toHaveLength(2);
      expect(net.calls[1].batch.events.map((e) => e.type)).toEqual(['order', 'cart']);
      expect(net.calls[1].batch.events[0].id).toBe(net.calls[0].batch.events[0].id);
      expect(storedQueue()).toEqual([]);
      expect(console.warn).not.toHaveBeenCalled();
    });

    it.each([
      ['as an HTTP date', 429, { 'Retry-After': new Date(NOW + 45_000).toUTCString() }, 45_000],
      ['at most 5 minutes, however long it asks', 429, { 'Retry-After': '86400' }, 300_000],
      ["of a 503 too (a collector with a full ingest queue)", 503, { 'Retry-After': '5' }, 5_000],
      ['unreadable: the usual backoff (2 s × jitter 0.75)', 429, { 'Retry-After': 'later' }, 1_500],
    ])('waits for Retry-After %s', async (_, status, headers, wait) => {
      const { net } = await limited(headers, status);
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(net.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(net.calls).toHaveLength(2);
      expect(storedQueue()).toEqual([]);
    });
  });

  it("drops the events the collector's answer lists as rejected, keeps the verdict on the others", async () => {
    const offline = new TypeError('offline');
    const net = fakeFetch(offline, offline, {
      status: 200,
      body: { accepted: 1, duplicates: 0, rejected: [{ index: 1, field: 'events[1].items[0].sku', reason: 'must be a string' }] },
    });
    const { tracker, console } = page('/', {}, { fetch: net.fetch });
    await expect(tracker.cart({ items: [] })).resolves.toBe('queued');
    await expect(tracker.order(ORDER)).resolves.toBe('queued');
    await tracker.flush();
    expect(net.calls[2].batch.events.map((e) => e.type)).toEqual(['cart', 'order']);
    expect(console.warn).toHaveBeenCalledWith(PREFIX, expect.stringMatching(/^order [0-9a-f-]+ dropped: events\[1\]\.items\[0\]\.sku: must be a string$/));
    expect(storedQueue()).toEqual([]);
  });

  it('rejects the Promise of an order the collector refuses', async () => {
    const net = fakeFetch({ status: 200, body: { accepted: 0, duplicates: 0, rejected: [{ index: 0, field: 'total', reason: 'too large' }] } });
    await expect(page('/', {}, { fetch: net.fetch }).tracker.order(ORDER)).rejects.toThrow('total: too large');
  });

  it('keeps at most 100 events, dropping the oldest with a warning', async () => {
    const net = fakeFetch(new TypeError('offline'));
    const { tracker, console } = page('/', {}, { fetch: net.fetch });
    await expect(tracker.cart({ items: [] })).resolves.toBe('queued');
    const [oldest] = storedQueue();
    const more = await Promise.all(Array.from({ length: MAX_EVENTS }, () => tracker.cart({ items: [] })));
    expect(more.every((r) => r == 'queued')).toBe(true);
    const q = storedQueue();
    expect(q).toHaveLength(MAX_EVENTS);
    expect(q.map((e) => e.id)).not.toContain(oldest.id);
    expect(console.warn).toHaveBeenCalledExactlyOnceWith(PREFIX, `cart ${oldest.id} dropped: over ${MAX_EVENTS} events queued`);
  });

  it('drops, with a warning, queued events not delivered in 7 days (they may carry an email)', async () => {
    const T0 = 1_700_000_000_000;
    const offline = fakeFetch(new TypeError('offline'));
    clockAt(T0);
    await page('/', {}, { fetch: offline.fetch }).tracker.order({ ...ORDER, email: 'jane@example.com' });
    clockAt(T0 + 2 * DAY);
    await page('/', {}, { fetch: offline.fetch }).tracker.cart({ items: [] });
    const [old, recent] = storedQueue();

    clockAt(T0 + 7 * DAY + 1);
    const online = fakeFetch();
    const { console } = page('/next', {}, { fetch: online.fetch });
    await settle();
    expect(console.warn).toHaveBeenCalledExactlyOnceWith(PREFIX, `order ${old.id} dropped: not delivered in 7 days`);
    expect(online.events()).toEqual([recent]);
    expect(storedQueue()).toEqual([]);
  });

  it('drops expired events even while the collector stays unreachable', async () => {
    const offline = fakeFetch(new TypeError('offline'));
    clockAt(1_700_000_000_000);
    await page('/', {}, { fetch: offline.fetch }).tracker.order(ORDER);
    clockAt(1_700_000_000_000 + 8 * DAY);
    const { console } = page('/', {}, { fetch: offline.fetch });
    await settle();
    expect(console.warn).toHaveBeenCalledOnce();
    expect(storedQueue()).toEqual([]);
    expect(localStorage.getItem('_et_queue')).toBe('[]');
    // Nothing left to wait for: the mark is gone, and later pages no longer open localStorage.
    expect(document.cookie).not.toContain('_et_q=');
  });

  it(`sends the queue in batches of ${BATCH} events, oldest first, in as many requests as it takes`, async () => {
    const down = fakeFetch(new TypeError('offline'));
    const { tracker } = page('/', {}, { fetch: down.fetch });
    await Promise.all(Array.from({ length: 2 * BATCH + 1 }, () => tracker.cart({ items: [] })));
    const queued = storedQueue().map((e) => e.id);
    const up = fakeFetch();
    page('/', {}, { fetch: up.fetch });
    for (let i = 0; i < 5; i++) await settle();
    expect(up.calls.map((c) => c.batch.events.length)).toEqual([BATCH, BATCH, 1]);
    expect(up.events().map((e) => e.id)).toEqual(queued);
    expect(storedQueue()).toEqual([]);
  });

  it("retries on the browser's online event", async () => {
    const net = fakeFetch(new TypeError('offline'), 200);
    const { tracker, events } = page('/', {}, { fetch: net.fetch });
    await tracker.order(ORDER);
    events.dispatchEvent(new Event('online'));
    await settle();
    expect(net.calls).toHaveLength(2);
    expect(storedQueue()).toEqual([]);
  });

  it('beacons nothing on pagehide when everything was delivered', async () => {
    const sendBeacon = vi.fn(() => true);
    const { tracker, events } = page('/', {}, { fetch: fakeFetch().fetch, sendBeacon });
    await tracker.order(ORDER);
    events.dispatchEvent(new Event('pagehide'));
    expect(sendBeacon).not.toHaveBeenCalled();
  });
});

describe('the queue in storage: only for what was not delivered', () => {
  it('never opens localStorage on pages whose sends all succeed', async () => {
    const ls = countLocalStorage();
    try {
      const net = fakeFetch();
      await page('/?emst=1.a', {}, { fetch: net.fetch }).tracker.cart({ items: [] });
      const thankYou = page('/thank-you', {}, { fetch: net.fetch });
      await thankYou.tracker.order(ORDER);
      await expect(thankYou.tracker.order(ORDER)).resolves.toBe('duplicate');
      thankYou.events.dispatchEvent(new Event('pagehide'));
      expect(net.events().map((e) => e.type)).toEqual(['cart', 'order']);
      expect(ls.count()).toBe(0);
      expect(storedCookie('_et_q')).toBe(null);
      // (the count works: a failed send stores the queue)
      await page('/', {}, { fetch: fakeFetch(503).fetch }).tracker.order({ ...ORDER, orderId: 'B' });
      expect(ls.count()).toBeGreaterThan(0);
    } finally {
      ls.restore();
    }
    expect(storedQueue()).toMatchObject([{ type: 'order', orderId: 'B' }]);
  });

  it('stores and marks the queue when a send fails; the next page sends it, then clears both', async () => {
    await page('/thank-you', {}, { fetch: fakeFetch(503).fetch }).tracker.order(ORDER);
    expect(storedQueue().map((e) => e.type)).toEqual(['order']);
    expect(storedCookie('_et_q')).toBe(1);
    const online = fakeFetch();
    page('/next', {}, { fetch: online.fetch });
    await settle();
    expect(online.events().map((e) => e.type)).toEqual(['order']);
    expect(storedQueue()).toEqual([]);
    expect(storedCookie('_et_q')).toBe(null);
    // and from then on, localStorage stays closed again
    const ls = countLocalStorage();
    try {
      await page('/', {}, { fetch: online.fetch }).tracker.order({ ...ORDER, orderId: 'B' });
      expect(ls.count()).toBe(0);
    } finally {
      ls.restore();
    }
  });

  it('stores the queue when the page goes away before the answer, and beacons it; the next page sends it again', async () => {
    const sendBeacon = vi.fn((_url: string, _data: string) => true);
    // a request that never answers, as when the page is left at once
    const hanging = vi.fn(() => new Promise<Response>(() => {}));
    const { tracker, events } = page('/thank-you', {}, { fetch: hanging as unknown as typeof fetch, sendBeacon });
    void tracker.order(ORDER);
    await settle();
    expect(hanging).toHaveBeenCalledOnce();
    expect(storedQueue()).toEqual([]);
    events.dispatchEvent(new Event('pagehide'));
    const [order] = storedQueue();
    expect(order).toMatchObject({ type: 'order', orderId: 'A-1001' });
    expect(storedCookie('_et_q')).toBe(1);
    expect(JSON.parse(sendBeacon.mock.calls[0][1]).events).toEqual([order]);
    // A beacon has no answer: the next page sends the order again, with the same event ID.
    const next = fakeFetch();
    page('/', {}, { fetch: next.fetch });
    await settle();
    expect(next.events()).toEqual([order]);
    expect(storedCookie('_et_q')).toBe(null);
  });

  it("takes in what another tab stored meanwhile (one queue per browser)", async () => {
    await page('/a', {}, { fetch: fakeFetch(503).fetch }).tracker.cart({ items: [] });
    const [fromA] = storedQueue();
    // tab B, also failing, stores its order beside tab A's cart
    const b = page('/b', {}, { fetch: fakeFetch(503).fetch });
    await b.tracker.order(ORDER);
    const both = storedQueue();
    expect(both.map((e) => e.type)).toEqual(['cart', 'order']);
    expect(both[0]).toEqual(fromA);
    const online = fakeFetch();
    await page('/c', {}, { fetch: online.fetch }).tracker.flush();
    expect(online.events()).toEqual(both);
    expect(storedQueue()).toEqual([]);
  });

  it('keeps what another tab stored after this page had loaded', async () => {
    // both tabs open, nothing stored yet
    const a = page('/a', {}, { fetch: fakeFetch(503).fetch });
    const b = page('/b', {}, { fetch: fakeFetch(503).fetch });
    await a.tracker.cart({ items: [] });
    const [fromA] = storedQueue();
    // tab B's first failure stores its order beside A's cart, not over it
    await b.tracker.order(ORDER);
    expect(storedQueue()).toMatchObject([{ id: fromA.id, type: 'cart' }, { type: 'order', orderId: 'A-1001' }]);
  });

  it('a denial erases the stored queue and its mark', async () => {
    await page('/', {}, { fetch: fakeFetch(503).fetch }).tracker.order(ORDER);
    expect(storedCookie('_et_q')).toBe(1);
    page('/', { consent: 'denied' }, { fetch: fakeFetch().fetch });
    expect(localStorage.getItem('_et_queue')).toBe(null);
    expect(document.cookie).toBe('');
  });
});

describe('storage option', () => {
  it("'none' stores nothing anywhere, and still delivers", async () => {
    const net = fakeFetch(new TypeError('offline'), 200);
    const { tracker } = page('/?emst=7.u', { storage: 'none' }, { fetch: net.fetch });
    await tracker.cart({ items: [] });
    await tracker.order(ORDER);
    await tracker.flush();
    // The failed click and cart ride along with the order.
    expect(net.calls.map((c) => c.batch.events.map((e) => e.type))).toEqual([
      ['click', 'cart'],
      ['click', 'cart', 'order'],
    ]);
    expect(net.events()[1].attribution).toMatchObject({ emst: '7.u' });
    expect(document.cookie).toBe('');
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it("'session' keeps everything in sessionStorage, no cookie, no localStorage", async () => {
    const net = fakeFetch(new TypeError('offline'));
    await page('/?emst=7.u', { storage: 'session' }, { fetch: net.fetch }).tracker.order(ORDER);
    expect(document.cookie).toBe('');
    expect(localStorage.length).toBe(0);
    // the failed order waits in the queue, and its mark with it
    expect(Object.keys(sessionStorage).sort()).toEqual(['_et_cmp', '_et_order', '_et_q', '_et_queue', '_et_vid']);
  });
});

describe('debug', () => {
  it('logs every request with its events and the answer, with the prefix', async () => {
    vi.useFakeTimers();
    const net = fakeFetch(500, 200);
    const { tracker, console } = page('/?emst=12.abc', { debug: true }, { fetch: net.fetch });
    const result = tracker.order(ORDER);
    await vi.advanceTimersByTimeAsync(0);
    await result;
    await vi.advanceTimersByTimeAsync(5000);
    expect(console.log.mock.calls).toEqual([
      [PREFIX, 'sent', net.calls[0].batch.events, 500, undefined],
      // the landing's click and the order
      [PREFIX, 'sent', net.calls[0].batch.events, 200, { accepted: 2, duplicates: 0, rejected: [] }],
    ]);
  });

  it('is silent without debug', async () => {
    const { tracker, console } = page('/?emst=12.abc', {}, { fetch: fakeFetch().fetch });
    await tracker.order(ORDER);
    expect(console.log).not.toHaveBeenCalled();
    expect(console.warn).not.toHaveBeenCalled();
  });
});
