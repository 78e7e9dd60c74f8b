import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ORDER, browserState, clearBrowser, fakeFetch, page, refuseCookies } from './helpers.js';

beforeEach(clearBrowser);
afterEach(() => vi.restoreAllMocks());

const cookieDescriptor = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;

/** Records every cookie the page writes, attributes included. */
function recordCookieWrites() {
  const writes: string[] = [];
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: () => cookieDescriptor.get!.call(document),
    set: (v: string) => {
      writes.push(v);
      cookieDescriptor.set!.call(document, v);
    },
  });
  return { writes, restore: () => delete (document as { cookie?: string }).cookie };
}

describe("storage: 'auto'", () => {
  it('keeps visitor, campaign and cart in first-party SameSite=Lax cookies; the queue in localStorage', async () => {
    const rec = recordCookieWrites();
    try {
      await page('/?emst=1.a', {}, { fetch: fakeFetch(new TypeError('offline')).fetch }).tracker.cart({ items: [] });
      const visitor = rec.writes.find((w) => w.startsWith('_et_vid='))!;
      expect(visitor).toMatch(/^_et_vid=[^;]+;path=\/;SameSite=Lax;max-age=31536000$/);
      expect(rec.writes.find((w) => w.startsWith('_et_cmp='))).toMatch(/;path=\/;SameSite=Lax;max-age=2592000$/);
      expect(rec.writes.find((w) => w.startsWith('_et_cart='))).toMatch(/;path=\/;SameSite=Lax;max-age=2592000$/);
      expect(Object.keys(localStorage).sort()).toEqual(['_et_queue']);
      expect(sessionStorage.length).toBe(0);
      // Values are JSON.
      expect(document.cookie).toMatch(/(^|; )_et_vid=%22[0-9a-f-]+%22(;|$)/);
    } finally {
      rec.restore();
    }
  });

  it('reads the cookies earlier versions wrote with js-cookie (":" and "{" left unencoded)', async () => {
    const at = Date.now() - 1000;
    document.cookie = `_et_vid=%22old-visitor%22; path=/`;
    document.cookie = `_et_cmp={%22at%22:${at},%22emst%22:%221.a%22}; path=/`;
    document.cookie = `_et_cart=%22cart-7%22; path=/`;
    const net = fakeFetch();
    await page('/', {}, { fetch: net.fetch }).tracker.order(ORDER);
    expect(net.events()[0]).toMatchObject({ visitor: 'old-visitor', cartId: 'cart-7', attribution: { emst: '1.a', at } });
  });

  it('sets the cookie domain when given', async () => {
    const rec = recordCookieWrites();
    try {
      page('/', { cookieDomain: 'localhost' });
      expect(rec.writes.find((w) => w.startsWith('_et_vid='))).toContain(';domain=localhost;');
    } finally {
      rec.restore();
    }
  });

  it('asks navigator.cookieEnabled only on a first visit: our visitor cookie says cookies work', async () => {
    let asked = 0;
    const own = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(navigator), 'cookieEnabled')!;
    Object.defineProperty(navigator, 'cookieEnabled', { configurable: true, get: () => (asked++, own.get!.call(navigator)) });
    try {
      await page('/', {}, { fetch: fakeFetch().fetch }).tracker.order(ORDER);
      expect(asked).toBe(1);
      await page('/thank-you', {}, { fetch: fakeFetch().fetch }).tracker.order({ ...ORDER, orderId: 'O-2' });
      expect(asked).toBe(1);
    } finally {
      delete (navigator as { cookieEnabled?: boolean }).cookieEnabled;
    }
  });

  it('falls back to sessionStorage when cookies are disabled', async () => {
    const restore = refuseCookies();
    try {
      const net = fakeFetch();
      await page('/?emst=1.a', {}, { fetch: net.fetch }).tracker.cart({ items: [] });
      expect(Object.keys(sessionStorage).sort()).toEqual(['_et_cart', '_et_cmp', '_et_vid']);
      await page('/thank-you', {}, { fetch: net.fetch }).tracker.order(ORDER);
      const [cart, order] = net.events();
      expect(order).toMatchObject({ visitor: cart.visitor, cartId: cart.cartId, attribution: { emst: '1.a' } });
    } finally {
      restore();
    }
  });

  it('falls back to memory when no storage works, and still delivers', async () => {
    const restore = refuseCookies();
    const quota = () => {
      throw new DOMException('denied', 'SecurityError');
    };
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(quota);
    try {
      const net = fakeFetch(new TypeError('offline'), 200);
      const { tracker } = page('/?emst=1.a', {}, { fetch: net.fetch });
      await tracker.cart({ items: [] });
      await tracker.order(ORDER);
      await tracker.flush();
      // the landing's click went out with the failed cart, and again with the order
      expect(net.calls.map((c) => c.batch.events.map((e) => e.type))).toEqual([
        ['click', 'cart'],
        ['click', 'cart', 'order'],
      ]);
      expect(net.events()[2].cartId).toBe(net.events()[0].cartId);
      expect(browserState()).toEqual({ cookie: '', local: {}, session: {} });
    } finally {
      restore();
    }
  });

  it('keeps the queue in memory for the page when localStorage is full', async () => {
    const net = fakeFetch(new TypeError('offline'), 200);
    const { tracker } = page('/', {}, { fetch: net.fetch });
    const setItem = Storage.prototype.setItem;
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(function (this: Storage, k: string, v: string) {
      if (k == '_et_queue') throw new DOMException('full', 'QuotaExceededError');
      setItem.call(this, k, v);
    });
    await expect(tracker.order(ORDER)).resolves.toBe('queued');
    await tracker.flush();
    expect(net.calls.map((c) => c.batch.events[0].id)).toEqual([net.events()[0].id, net.events()[0].id]);
  });

  it('survives a corrupted queue in localStorage', async () => {
    // marked as stored, so that the page reads it
    document.cookie = '_et_q=1; path=/';
    localStorage.setItem('_et_queue', '{"not":"a list');
    const net = fakeFetch();
    await expect(page('/', {}, { fetch: net.fetch }).tracker.order(ORDER)).resolves.toBe('sent');
    document.cookie = '_et_q=1; path=/';
    localStorage.setItem('_et_queue', '{"not":"a list"}');
    // Not events: sent along (the collector refuses them by index), then gone.
    await expect(page('/', {}, { fetch: net.fetch }).tracker.order({ ...ORDER, orderId: 'B' })).resolves.toBe('sent');
    expect(JSON.parse(localStorage.getItem('_et_queue')!)).toEqual([]);
  });

  it('keeps the queue in sessionStorage when localStorage is unavailable', async () => {
    vi.spyOn(window, 'localStorage', 'get').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    await page('/', {}, { fetch: fakeFetch(new TypeError('offline')).fetch }).tracker.order(ORDER);
    expect(JSON.parse(sessionStorage.getItem('_et_queue')!)).toHaveLength(1);
  });
});

describe("storage: 'cookie'", () => {
  it('uses memory, not sessionStorage, when cookies are disabled', async () => {
    const restore = refuseCookies();
    try {
      await page('/?emst=1.a', { storage: 'cookie' }, { fetch: fakeFetch().fetch }).tracker.cart({ items: [] });
      expect(sessionStorage.length).toBe(0);
    } finally {
      restore();
    }
  });
});
