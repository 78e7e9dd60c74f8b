import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ORDER, browserState, clearBrowser, fakeFetch, page, settle } from './helpers.js';

const NOTHING = { cookie: '', local: {}, session: {} };

beforeEach(clearBrowser);

describe("consent: 'pending'", () => {
  it('then denied: nothing is sent, nothing is stored, and the held events are dropped', async () => {
    const net = fakeFetch();
    const { tracker } = page('/?emst=12.abc&utm_source=newsletter', { consent: 'pending' }, { fetch: net.fetch });
    // Held, in memory: the calls do not wait for an answer that may never come.
    await expect(tracker.cart({ items: [{ sku: 'S', price: 1 }] })).resolves.toBe('queued');
    await expect(tracker.order(ORDER)).resolves.toBe('queued');
    await tracker.flush();
    await settle();
    expect(net.calls).toHaveLength(0);
    expect(browserState()).toEqual(NOTHING);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    tracker.consent('denied');
    await expect(tracker.order({ orderId: 'B', total: 1 })).rejects.toThrow('consent: denied');
    expect(warn).toHaveBeenCalledExactlyOnceWith('[emarsys-track]', 'consent: denied');
    // A later grant finds nothing held.
    tracker.consent('granted');
    await tracker.flush();
    await settle();
    expect(net.calls).toHaveLength(0);
    expect(browserState()).toEqual(NOTHING);
  });

  it('then granted: the held events are sent and the state is stored', async () => {
    const net = fakeFetch();
    const { tracker } = page('/?emst=12.abc', { consent: 'pending' }, { fetch: net.fetch });
    await expect(tracker.cart({ items: [] })).resolves.toBe('queued');
    await expect(tracker.order(ORDER)).resolves.toBe('queued');
    await settle();
    expect(net.calls).toHaveLength(0);

    tracker.consent('granted');
    await tracker.flush();
    expect(net.calls).toHaveLength(1);
    expect(net.events().map((e) => e.type)).toEqual(['cart', 'order']);
    expect(net.events()[1]).toMatchObject({ attribution: { emst: '12.abc' }, cartId: net.events()[0].cartId });
    const stored = browserState();
    expect(stored.cookie).toContain('_et_vid=%22' + net.events()[0].visitor + '%22');
    expect(stored.cookie).toContain('_et_cmp=');
    expect(stored.cookie).toContain('_et_order=%22A-1001%22');
    // Delivered at once: the queue never reached localStorage.
    expect(stored.local).toEqual({});
  });

  it('reads an earlier visitor and campaign without overwriting them on grant', async () => {
    const net = fakeFetch();
    await page('/?emst=1.first', {}, { fetch: net.fetch }).tracker.cart({ items: [] });
    const before = browserState().cookie;
    const { tracker } = page('/', { consent: 'pending' }, { fetch: net.fetch });
    await tracker.order(ORDER);
    tracker.consent('granted');
    await tracker.flush();
    const [cart, o] = net.events();
    expect(o).toMatchObject({ visitor: cart.visitor, cartId: cart.cartId, attribution: { emst: '1.first' } });
    expect(browserState().cookie).toContain(before.split('; ').find((c) => c.startsWith('_et_vid=')));
  });
});

describe("consent: 'denied'", () => {
  it('stores nothing and sends nothing', async () => {
    const net = fakeFetch();
    const { tracker } = page('/?emst=12.abc', { consent: 'denied' }, { fetch: net.fetch });
    await expect(tracker.order(ORDER)).rejects.toThrow('consent: denied');
    await tracker.flush();
    expect(net.calls).toHaveLength(0);
    expect(browserState()).toEqual(NOTHING);
  });

  it('counts an unknown value as pending: nothing is stored or sent until granted', async () => {
    const net = fakeFetch();
    const { tracker } = page('/?emst=12.abc', { consent: 'pendng' as never }, { fetch: net.fetch });
    await expect(tracker.order(ORDER)).resolves.toBe('queued');
    await settle();
    expect(net.calls).toHaveLength(0);
    expect(browserState()).toEqual(NOTHING);
    tracker.consent('granted');
    await tracker.flush();
    expect(net.events().map((e) => e.type)).toEqual(['order']);
  });

  it('erases what an earlier grant stored, including undelivered events', async () => {
    await page('/?emst=12.abc', {}, { fetch: fakeFetch(new TypeError('offline')).fetch }).tracker.order(ORDER);
    expect(browserState()).not.toEqual(NOTHING);
    page('/', { consent: 'denied' });
    expect(browserState()).toEqual(NOTHING);
  });

  it('can be changed to granted: later events are sent', async () => {
    const net = fakeFetch();
    const { tracker } = page('/', { consent: 'denied' }, { fetch: net.fetch });
    tracker.consent('granted');
    await expect(tracker.order(ORDER)).resolves.toBe('sent');
    expect(browserState().cookie).toContain('_et_vid=');
  });
});

it('granted then denied: our cookies and storage are erased', async () => {
  const net = fakeFetch(new TypeError('offline'));
  const { tracker } = page('/?emst=12.abc', {}, { fetch: net.fetch });
  await tracker.cart({ items: [] });
  tracker.consent('denied');
  expect(browserState()).toEqual(NOTHING);
  await expect(tracker.order(ORDER)).rejects.toThrow('consent: denied');
});
