import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CAMPAIGN_PARAMS } from '../../src/protocol/constants.js';
import { ORDER, clearBrowser, clockAt, fakeFetch, page } from './helpers.js';

const DAY = 864e5;
const T0 = 1_700_000_000_000;

beforeEach(clearBrowser);
afterEach(() => vi.useRealTimers());

it('captures exactly the parameters of the protocol', async () => {
  const others = ['sc_foo', 'utm_term', 'utm_content', 'emstx', 'xemst', 'gclid', 'EMST'];
  const url = '/p?' + [...others, ...CAMPAIGN_PARAMS].map((k) => `${k}=${k}-1`).join('&');
  expect(await attributionOf(url)).toEqual({ ...Object.fromEntries(CAMPAIGN_PARAMS.map((k) => [k, `${k}-1`])), at: T0 });
});

/** Lands on `url` at `now`, places an order, and returns the attribution it carried. */
async function attributionOf(url: string, now = T0, options = {}) {
  const net = fakeFetch();
  clockAt(now);
  await page(url, options, { fetch: net.fetch }).tracker.order({ ...ORDER, orderId: String(Math.random()) });
  return net.events()[0].attribution;
}

describe('capture from the landing URL', () => {
  it('reads the legacy Suite emst parameter', async () => {
    expect(await attributionOf('/p?emst=12345.ABCDEF')).toEqual({ emst: '12345.ABCDEF', at: T0 });
  });

  it('reads every Emarsys sc_ link parameter', async () => {
    expect(await attributionOf('/p?sc_src=email_12345&sc_uid=ABCDEF&sc_lid=9&sc_llid=8&sc_eh=deadbeef&sc_customer=112734771&other=1')).toEqual({
      sc_src: 'email_12345',
      sc_uid: 'ABCDEF',
      sc_lid: '9',
      sc_llid: '8',
      sc_eh: 'deadbeef',
      sc_customer: '112734771',
      at: T0,
    });
  });

  it('reads utm_ parameters', async () => {
    expect(await attributionOf('/p?utm_source=newsletter&utm_medium=email&utm_campaign=spring%20sale')).toEqual({
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'spring sale',
      at: T0,
    });
  });

  it('reads the query as URLSearchParams would: + is a space, %2B a plus, = may be in a value, the first of a name counts', async () => {
    expect(await attributionOf('/p?x=1&utm_campaign=Black+Friday+%2B+more&emst=1.a%3Db=c&emst=2.b&utm_source&utm_medium=')).toEqual({
      utm_campaign: 'Black Friday + more',
      emst: '1.a=b=c',
      at: T0,
    });
  });

  it('keeps a value with a malformed %-sequence as it is', async () => {
    expect(await attributionOf('/p?emst=1.a&utm_campaign=100%25%20off%ZZ')).toEqual({ emst: '1.a', utm_campaign: '100%25%20off%ZZ', at: T0 });
  });

  it('skips a value the collector would refuse, keeping the rest', async () => {
    expect(await attributionOf(`/p?emst=1.a&utm_source=${'x'.repeat(513)}&utm_medium=a%0Ab`)).toEqual({ emst: '1.a', at: T0 });
  });

  it('attaches nothing to direct traffic', async () => {
    expect(await attributionOf('/p?q=sofa')).toBeUndefined();
  });
});

describe('keeping it', () => {
  it('attributes later pages without parameters for attributionDays, then expires', async () => {
    await attributionOf('/landing?emst=1.a', T0);
    expect(await attributionOf('/checkout', T0 + 29 * DAY)).toEqual({ emst: '1.a', at: T0 });
    expect(await attributionOf('/checkout', T0 + 30 * DAY)).toBeUndefined();
  });

  it('keeps the click in a cookie that expires with the window, fractions of a day included', async () => {
    const writes: string[] = [];
    const proto = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    Object.defineProperty(document, 'cookie', {
      configurable: true,
      get: () => proto.get!.call(document),
      set: (v: string) => void (writes.push(v), proto.set!.call(document, v)),
    });
    try {
      await attributionOf('/landing?emst=1.a', T0, { attributionDays: 2.5 });
    } finally {
      delete (document as { cookie?: string }).cookie;
    }
    // max-age in whole seconds: a fraction would make it a session cookie.
    expect(writes.find((w) => w.startsWith('_et_cmp='))).toMatch(/;max-age=216000$/);
  });

  it('honours a custom attributionDays', async () => {
    await attributionOf('/landing?emst=1.a', T0, { attributionDays: 2 });
    expect(await attributionOf('/checkout', T0 + 2 * DAY - 1, { attributionDays: 2 })).toMatchObject({ emst: '1.a' });
    expect(await attributionOf('/checkout', T0 + 2 * DAY, { attributionDays: 2 })).toBeUndefined();
  });

  it('lets the last click win, replacing the whole earlier one', async () => {
    await attributionOf('/landing?emst=1.a&utm_source=first', T0);
    await attributionOf('/landing?sc_src=email_2&sc_uid=b', T0 + DAY);
    expect(await attributionOf('/checkout', T0 + 2 * DAY)).toEqual({ sc_src: 'email_2', sc_uid: 'b', at: T0 + DAY });
  });

  it('keeps the window from the click: later visits do not extend it', async () => {
    await attributionOf('/landing?emst=1.a', T0);
    await attributionOf('/other', T0 + 20 * DAY);
    expect(await attributionOf('/checkout', T0 + 30 * DAY)).toBeUndefined();
  });
});

describe('cookies of the legacy emstrack.js', () => {
  it('attributes with _ems_campaign and keeps _ems_visitor as the visitor ID', async () => {
    document.cookie = '_ems_campaign=12345.ABCDEF; path=/';
    document.cookie = '_ems_visitor=legacy-visitor-1; path=/';
    const net = fakeFetch();
    clockAt(T0);
    await page('/thank-you', {}, { fetch: net.fetch }).tracker.order(ORDER);
    expect(net.events()[0]).toMatchObject({ visitor: 'legacy-visitor-1', attribution: { emst: '12345.ABCDEF', at: T0 } });
    // The visitor stays even once the legacy cookie is gone.
    document.cookie = '_ems_visitor=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
    await page('/', {}, { fetch: net.fetch }).tracker.cart({ items: [] });
    expect(net.events()[1].visitor).toBe('legacy-visitor-1');
  });

  it('prefers a click captured by the SDK over the legacy cookie', async () => {
    document.cookie = '_ems_campaign=1.old; path=/';
    await attributionOf('/landing?emst=2.new');
    expect(await attributionOf('/checkout')).toMatchObject({ emst: '2.new' });
  });
});
