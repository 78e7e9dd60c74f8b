// The legacy pixel's parser against the parameter sets the Suite documented for its two
// pages, and against the raw, unencoded forms the old integrations really produced.
import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { TrackEvent } from '../../src/protocol/index.js';
import { parseTiPhp } from '../src/legacy/ti-php.js';
import { decodeComponent, splitLegacyQuery } from '../src/legacy/query.js';

const T = Date.UTC(2025, 0, 15, 10, 0, 0);

function accepted(query: string, at = T) {
  const result = parseTiPhp(query, at);
  if (!result.ok) throw new Error(`expected the hit to be accepted, got: ${result.reason}`);
  expect(Value.Errors(TrackEvent, result.event).First()).toBeUndefined();
  return result;
}

function rejected(query: string) {
  const result = parseTiPhp(query, T);
  if (result.ok) throw new Error('expected a rejection');
  return result;
}

// As a browser requests it: spaces percent-encoded, everything else as the template wrote it.
const ORDER_CONFIRMATION =
  'ems_customer=112734771&ems_visitor=v-42&ems_session=s-7&ems_campaign=5521.UID9&ems_action=purchase' +
  '&total=3048.50&tax=509.00&shipping=49.50&city=Budapest&country=HU' +
  '&code[]=TV-55&category[]=TV&productname[]=Sony%2055%22&price[]=2999.00&quantity[]=1' +
  '&code[]=CBL-1&category[]=Cables&productname[]=HDMI%20cable&price[]=0.00&quantity[]=2';
const THANK_YOU = ORDER_CONFIRMATION.replace('&total=', '&order=A-1001&total=');

describe('the documented parameter sets', () => {
  it('reads an Order Confirmation hit (no order) as a cart', () => {
    const { customerId, event } = accepted(ORDER_CONFIRMATION);
    expect(customerId).toBe('112734771');
    expect(event).toEqual({
      type: 'cart',
      id: expect.stringMatching(/^ti-[0-9a-f]{32}$/),
      cartId: expect.stringMatching(/^ti-[0-9a-f]{32}$/),
      time: T,
      visitor: 'v-42',
      session: 's-7',
      attribution: { emst: '5521.UID9', at: T },
      total: '3048.50',
      tax: '509.00',
      shipping: '49.50',
      city: 'Budapest',
      country: 'HU',
      items: [
        { sku: 'TV-55', category: 'TV', name: 'Sony 55"', price: '2999.00', quantity: 1 },
        { sku: 'CBL-1', category: 'Cables', name: 'HDMI cable', price: '0.00', quantity: 2 },
      ],
    });
  });

  it('reads a Thank You hit (with order) as an order that closes the same cart', () => {
    const cart = accepted(ORDER_CONFIRMATION).event;
    const order = accepted(THANK_YOU, T + 60_000).event;
    expect(order).toMatchObject({ type: 'order', orderId: 'A-1001', total: '3048.50', time: T + 60_000, visitor: 'v-42' });
    expect(order.items).toEqual(cart.items);
    expect(order.cartId).toBe(cart.cartId);
    expect(order.id).not.toBe(cart.id);
  });

  it('pairs by customer, visitor and session only', () => {
    const cartId = (q: string) => accepted(q).event.cartId;
    const base = cartId(ORDER_CONFIRMATION);
    expect(cartId(ORDER_CONFIRMATION.replace('total=3048.50', 'total=1'))).toBe(base);
    expect(cartId(ORDER_CONFIRMATION.replace('ems_campaign=5521.UID9', 'ems_campaign=1.2'))).toBe(base);
    expect(cartId(ORDER_CONFIRMATION.replace('ems_visitor=v-42', 'ems_visitor=v-43'))).not.toBe(base);
    expect(cartId(ORDER_CONFIRMATION.replace('ems_session=s-7', 'ems_session=s-8'))).not.toBe(base);
    expect(cartId(ORDER_CONFIRMATION.replace('ems_customer=112734771', 'ems_customer=112734772'))).not.toBe(base);
  });

  it('gives a reloaded page the same event ID, and other content another', () => {
    const first = accepted(THANK_YOU, T).event;
    expect(accepted(THANK_YOU, T + 5_000).event.id).toBe(first.id);
    expect(accepted(THANK_YOU + '&rnd=98765', T + 5_000).event.id).toBe(first.id);
    expect(accepted(THANK_YOU.replace('quantity[]=2', 'quantity[]=3')).event.id).not.toBe(first.id);
    expect(accepted(THANK_YOU.replace('ems_campaign=5521.UID9', 'ems_campaign=1.2')).event.id).not.toBe(first.id);
  });

  it('takes tax and shipping as 0 and leaves out city, country, campaign and session when absent', () => {
    const { event } = accepted('ems_customer=1&ems_visitor=v&order=9&total=10&code[]=A&price[]=10&quantity[]=1');
    expect(event).toEqual({
      type: 'order',
      id: expect.any(String),
      orderId: '9',
      cartId: expect.any(String),
      time: T,
      visitor: 'v',
      total: '10',
      tax: '0',
      shipping: '0',
      items: [{ sku: 'A', price: '10', quantity: 1 }],
    });
  });

  it('accepts `Country` as well as `country`', () => {
    expect(accepted('ems_customer=1&ems_visitor=v&Country=Deutschland').event.country).toBe('Deutschland');
  });

  it('accepts a hit without ems_action, and refuses one that is not a purchase', () => {
    expect(accepted('ems_customer=1&ems_visitor=v&total=5').event.type).toBe('cart');
    expect(rejected('ems_customer=1&ems_action=view&total=5').reason).toBe('ems_action: "view" is not tracked; only "purchase" is');
  });
});

describe('what the old integrations really sent', () => {
  it('keeps a raw `&` inside a product name, with or without spaces around it', () => {
    const { event } = accepted(
      'ems_customer=1&ems_visitor=v&code[]=S1&productname[]=Salt%20&%20Pepper%20Grinder&price[]=9.90' +
        '&quantity[]=1&code[]=T2&productname[]=Tom&Jerry=Box&category[]=&category[]=Kids&Toys&price[]=5&quantity[]=2',
    );
    expect(event.items.map((i) => i.name)).toEqual(['Salt & Pepper Grinder', 'Tom&Jerry=Box']);
    expect(event.items[1].category).toBe('Kids&Toys');
    expect(event.items[1]).toMatchObject({ sku: 'T2', price: '5', quantity: 2 });
  });

  it('reads raw spaces and `+` as spaces, the way the PHP endpoint did', () => {
    const { event } = accepted('ems_customer=1&ems_visitor=v&city=New York&country=United+States&code[]=X&productname[]=Big Bag');
    expect(event).toMatchObject({ city: 'New York', country: 'United States' });
    expect(event.items[0].name).toBe('Big Bag');
  });

  it('decodes non-ASCII sent as UTF-8, as Latin-1 and as windows-1252', () => {
    const { event } = accepted(
      'ems_customer=1&ems_visitor=v&city=M%C3%BCnchen&country=%D6sterreich' +
        '&code[]=A&productname[]=Gr%FC%DFe%20%80%93%9F&code[]=B&productname[]=%E6%97%A5%E6%9C%AC',
    );
    expect(event).toMatchObject({ city: 'München', country: 'Österreich' });
    expect(event.items.map((i) => i.name)).toEqual(['Grüße €“Ÿ', '日本']);
  });

  it('keeps a `%` that is not followed by two hex digits', () => {
    const { event } = accepted('ems_customer=1&ems_visitor=v&code[]=P%&productname[]=50%%20off%zz&category[]=100%');
    expect(event.items[0]).toMatchObject({ sku: 'P%', name: '50% off%zz', category: '100%' });
  });

  it('lines items up by slot, keeps empty slots and skips slots that are empty in every list', () => {
    const { event } = accepted(
      'ems_customer=1&ems_visitor=v' +
        '&code[]=A&code[]=&code[]=C&code[]=' +
        '&category[]=&category[]=Shoes&category[]=&category[]=' +
        '&productname[]=Apple&productname[]=Boot&productname[]=&productname[]=' +
        '&price[]=1.5&price[]=80&price[]=&price[]=' +
        '&quantity[]=&quantity[]=2&quantity[]=3',
    );
    expect(event.items).toEqual([
      { sku: 'A', name: 'Apple', price: '1.5', quantity: 1 },
      { sku: '-', name: 'Boot', category: 'Shoes', price: '80', quantity: 2 },
      { sku: 'C', price: '0', quantity: 3 },
    ]);
  });

  it('reads a hit without any items', () => {
    expect(accepted('ems_customer=1&ems_visitor=v&order=7&total=0').event.items).toEqual([]);
  });

  it('reads percent-encoded parameter names and a mistyped `&amp;` separator', () => {
    const { event } = accepted('ems_customer=1&amp;ems_visitor=v&amp;code%5B%5D=A&amp;price%5b%5d=2&amp;order=O%261&amp;total=2');
    expect(event).toMatchObject({ orderId: 'O&1', visitor: 'v', total: '2', items: [{ sku: 'A', price: '2' }] });
  });

  it('ignores unknown parameters after a number or an ID (cache busters)', () => {
    const { event } = accepted('_=1&ems_customer=1&rnd=5&ems_visitor=v&total=12.00&t=17000&quantity[]=1&x&code[]=Q');
    expect(event).toMatchObject({ visitor: 'v', total: '12.00', items: [{ sku: 'Q', price: '0', quantity: 1 }] });
  });

  it('knows only its own parameter names, not those of Object.prototype', () => {
    const { event } = accepted('ems_customer=1&ems_visitor=v&constructor=1&__proto__=2&total=5&code[]=A&productname[]=Tom&toString=Box&hasOwnProperty[]=4');
    expect(event).toMatchObject({ type: 'cart', visitor: 'v', total: '5', items: [{ sku: 'A', name: 'Tom&toString=Box&hasOwnProperty[]=4' }] });
  });

  it('lets the last of a repeated single parameter win, as PHP did', () => {
    expect(accepted('ems_customer=1&ems_visitor=v&city=A&city=B').event.city).toBe('B');
  });

  it('trims values and treats an empty one as absent', () => {
    const { event } = accepted('ems_customer=%201%20&ems_visitor=v&order=&total=%2012.50%20&city=');
    expect(event).toMatchObject({ type: 'cart', total: '12.50' });
    expect(event).not.toHaveProperty('city');
  });
});

describe('who the shopper is', () => {
  it('falls back to the session when there is no visitor', () => {
    expect(accepted('ems_customer=1&ems_session=s1&total=1').event).toMatchObject({ visitor: 's1', session: 's1' });
  });

  it('falls back to a hash of the hit when there is neither', () => {
    const a = accepted('ems_customer=1&total=1').event;
    expect(a.visitor).toMatch(/^ti-[0-9a-f]{32}$/);
    expect(accepted('ems_customer=1&total=1').event.visitor).toBe(a.visitor);
    expect(accepted('ems_customer=1&total=2').event.visitor).not.toBe(a.visitor);
  });

  it('hashes only the known parameters: a cache buster does not make a reloaded page another shopper', () => {
    const hit = 'ems_customer=1&total=7.77&code[]=RLD&price[]=7.77&quantity[]=1';
    const [a, b] = [accepted(`${hit}&rnd=111`).event, accepted(`${hit}&rnd=222`).event];
    expect(b.visitor).toBe(a.visitor);
    expect(b.id).toBe(a.id);
    expect((b as { cartId?: string }).cartId).toBe((a as { cartId?: string }).cartId);
    expect(accepted(`_=1&${hit}`).event.id).toBe(a.id);
  });
});

describe('what is refused, with the reason', () => {
  it.each([
    ['ems_visitor=v&total=1', null, 'ems_customer: missing; the pixel must name the customer (account) ID'],
    ['ems_customer=&total=1', null, 'ems_customer: missing; the pixel must name the customer (account) ID'],
    ['ems_customer=<script>&total=1', null, 'ems_customer: "<script>" is not a customer ID (letters, digits, _ and -, at most 64)'],
    ['ems_customer=1&total=2,999.00', '1', 'total: "2,999.00" is not a number with a dot decimal and no thousands separator'],
    ['ems_customer=1&tax=1.5%E2%82%AC', '1', 'tax: "1.5€" is not a number with a dot decimal and no thousands separator'],
    ['ems_customer=1&shipping=abc', '1', 'shipping: "abc" is not a number with a dot decimal and no thousands separator'],
    ['ems_customer=1&code[]=A&price[]=1&code[]=B&price[]=2,5', '1', 'price[1]: "2,5" is not a number with a dot decimal and no thousands separator'],
    ['ems_customer=1&code[]=A&quantity[]=1.5', '1', 'quantity[0]: "1.5" is not a whole number'],
    ['ems_customer=1&code[]=A&quantity[]=two', '1', 'quantity[0]: "two" is not a whole number'],
    ['ems_customer=1&order=A-1&code[]=A&price[]=1', '1', 'total: missing; a Thank You page (with `order`) must send the order total'],
  ])('%s', (query, customerId, reason) => {
    expect(rejected(query)).toEqual({ ok: false, customerId, reason });
  });

  it('leaves limits and control characters to the protocol schema, which the ingest applies', () => {
    const result = parseTiPhp('ems_customer=1&ems_visitor=v&code[]=A&productname[]=line%0Abreak', T);
    if (!result.ok) throw new Error(result.reason);
    expect(result.event.items[0].name).toBe('line\nbreak');
    expect(Value.Check(TrackEvent, result.event)).toBe(false);
  });
});

describe('the query reader', () => {
  it('splits on known names only and marks unknown pairs', () => {
    const kind = (n: string) => (n === 'a' ? ('text' as const) : n === 'n' ? ('closed' as const) : undefined);
    expect(splitLegacyQuery('a=x&y=z&n=1&y=z&&a=', kind)).toEqual([
      { name: 'a', value: 'x&y=z', known: true },
      { name: 'n', value: '1', known: true },
      { name: 'y', value: 'z', known: false },
      { name: 'a', value: '', known: true },
    ]);
  });

  it('decodes like PHP urldecode, then UTF-8 or windows-1252', () => {
    expect(decodeComponent('a+b%20c%2Bd%')).toBe('a b c+d%');
    expect(decodeComponent('%C3%A9t%C3%A9')).toBe('été');
    expect(decodeComponent('%E9t%E9')).toBe('été');
    expect(decodeComponent('déjà')).toBe('déjà');
    expect(decodeComponent('😀%F0%9F%98%80')).toBe('😀😀');
  });
});
