// @vitest-environment node
// buildPixelUrl, read back by what reads it: the collector's ti.php parser and the protocol schema.
import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { TrackEvent } from '../../src/protocol/index.js';
import { buildPixelUrl, type PixelHit } from '../../src/server/index.js';
import { parseTiPhp } from '../../collector/src/legacy/ti-php.js';

const hostile = 'Salt & Pepper #1 100% <img src=x> +more= Grüße €';
const hit: PixelHit = {
  endpoint: 'https://collector.example.com/',
  customerId: '112734771',
  visitor: 'v 1&2',
  session: 's-1',
  emst: '5521.UID9',
  total: 3048.5,
  tax: '509.00',
  city: 'Zürich & Co',
  country: 'CH',
  items: [
    { sku: 'TV-55', name: hostile, category: 'TV', price: '2999.00' },
    { sku: 'C&1', price: 0.1 + 0.2, quantity: 2 },
  ],
};

function legacyQuery(url: string) {
  const { pathname, search, origin } = new URL(url);
  expect(`${origin}${pathname}`).toBe('https://collector.example.com/upages/ti.php');
  return search.slice(1);
}

describe('buildPixelUrl, legacy ti.php form', () => {
  it('encodes every value so the collector reads back exactly what was given', () => {
    const url = buildPixelUrl(hit);
    expect(url).not.toMatch(/[ #<>]/);
    const parsed = parseTiPhp(legacyQuery(url), 1_000);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.customerId).toBe('112734771');
    expect(parsed.event).toMatchObject({
      type: 'cart',
      visitor: 'v 1&2',
      session: 's-1',
      attribution: { emst: '5521.UID9' },
      total: '3048.5',
      tax: '509.00',
      shipping: '0',
      city: 'Zürich & Co',
      country: 'CH',
      items: [
        { sku: 'TV-55', name: hostile, category: 'TV', price: '2999.00', quantity: 1 },
        { sku: 'C&1', price: '0.3', quantity: 2 },
      ],
    });
  });

  it('writes the Thank You page parameters in the Suite order', () => {
    const url = buildPixelUrl({ endpoint: 'http://c.test/base', customerId: '1', orderId: 'A 1', total: 10, items: [{ sku: 'X', price: 10 }] });
    expect(url).toBe(
      'http://c.test/base/upages/ti.php?ems_customer=1&ems_action=purchase&order=A%201&total=10' +
        '&code[]=X&category[]=&productname[]=&price[]=10&quantity[]=1',
    );
    const parsed = parseTiPhp(legacyQuery(url.replace('http://c.test/base', 'https://collector.example.com')), 1);
    expect(parsed.ok && parsed.event).toMatchObject({ type: 'order', orderId: 'A 1', total: '10' });
  });

  it('refuses what the legacy pixel cannot carry', () => {
    expect(() => buildPixelUrl({ ...hit, currency: 'EUR' })).toThrow('currency: the legacy ti.php pixel has no such parameter; use format "modern"');
  });

  it('never puts an email into the URL (proxy and server logs would keep it)', () => {
    expect(buildPixelUrl({ ...hit, email: 'ann@example.com' } as PixelHit)).toBe(buildPixelUrl(hit));
  });
});

describe('buildPixelUrl, modern pixel.gif form', () => {
  const modern = (extra: Partial<PixelHit>) => {
    const url = new URL(buildPixelUrl({ ...hit, format: 'modern', cartId: 'cart-9', currency: 'CHF', time: 5_000, ...extra }));
    expect(url.pathname).toBe('/v1/pixel.gif');
    expect(url.searchParams.get('customerId')).toBe('112734771');
    const event = JSON.parse(url.searchParams.get('e')!);
    expect(Value.Errors(TrackEvent, event).First()).toBeUndefined();
    return event;
  };

  it('carries one valid cart event', () => {
    expect(modern({})).toEqual({
      type: 'cart',
      id: expect.stringMatching(/^srv-[0-9a-f]{32}$/),
      cartId: 'cart-9',
      time: 5_000,
      visitor: 'v 1&2',
      session: 's-1',
      attribution: { emst: '5521.UID9', at: 5_000 },
      total: 3048.5,
      tax: '509.00',
      currency: 'CHF',
      city: 'Zürich & Co',
      country: 'CH',
      items: [
        { sku: 'TV-55', name: hostile, category: 'TV', price: '2999.00', quantity: 1 },
        { sku: 'C&1', price: 0.1 + 0.2, quantity: 2 },
      ],
    });
  });

  it('carries an order tied to its cart, with an ID stable across re-renders', () => {
    const order = modern({ orderId: 'A-1' });
    expect(order).toMatchObject({ type: 'order', orderId: 'A-1', cartId: 'cart-9' });
    expect(modern({ orderId: 'A-1', time: 9_999 }).id).toBe(order.id);
    expect(modern({ orderId: 'A-2' }).id).not.toBe(order.id);
  });

  it('leaves an email out of the URL and its event (proxy and server logs would keep it)', () => {
    const url = buildPixelUrl({ ...hit, format: 'modern', orderId: 'A-1', time: 5_000, email: 'ann@example.com' } as PixelHit);
    expect(url).not.toMatch(/ann|%40|@/);
    expect(url).toBe(buildPixelUrl({ ...hit, format: 'modern', orderId: 'A-1', time: 5_000 }));
  });

  it('needs a visitor, and a cartId for a cart', () => {
    expect(() => buildPixelUrl({ ...hit, format: 'modern', cartId: 'c', visitor: undefined })).toThrow('visitor: must be a non-empty string');
    expect(() => buildPixelUrl({ ...hit, format: 'modern' })).toThrow('cartId: must be a non-empty string');
  });
});

describe('buildPixelUrl input checks', () => {
  it.each<[Partial<PixelHit>, string]>([
    [{ endpoint: 'collector.example.com' }, 'endpoint: "collector.example.com" is not an http(s) URL'],
    [{ customerId: '' }, 'customerId: must be a non-empty string'],
    [{ total: '2,999.00' }, 'total: "2,999.00" is not an amount (a number, or a string with a dot decimal and no thousands separator)'],
    [{ tax: Number.NaN }, 'tax: NaN is not an amount'],
    // the wire format's range: 1e21 would print as "1e+21", 2e13 as 14 digits, both refused by the collector
    [{ total: 1e21 }, 'total: 1e+21 is not an amount'],
    [{ shipping: -2e13 }, 'shipping: -20000000000000 is not an amount'],
    [{ items: [{ sku: 'A', price: '1', quantity: 2e6 }] }, 'items[0].quantity: 2000000 is not a whole number from 1 to 1,000,000'],
    [{ orderId: 'A-1', total: undefined }, 'total: missing; an order (with orderId) needs its total'],
    [{ items: [{ sku: 'A', price: '1', quantity: 0 }] }, 'items[0].quantity: 0 is not a whole number from 1 to 1,000,000'],
    [{ items: [{ sku: 'A', price: '1', quantity: 1.5 }] }, 'items[0].quantity: 1.5 is not a whole number from 1 to 1,000,000'],
    [{ items: [{ sku: '', price: '1' }] }, 'items[0].sku: must be a non-empty string'],
    [{ items: [{ sku: 'A' } as never] }, 'items[0].price: missing'],
    [{ format: 'gif' as never }, 'format: "gif" is neither "legacy" nor "modern"'],
  ])('%j', (bad, message) => {
    expect(() => buildPixelUrl({ ...hit, ...bad })).toThrow(message);
  });
});
