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
    expect(accepted(THANK_YOU.replace('&total=', '&rnd=98765&total='), T + 5_000).event).toMatchObject({ orderId: 'A-1001', id: first.id });
    expect(accepted(THANK_YOU.replace('country=HU', 'country=HU&_=1'), T + 5_000).event).toMatchObject({ country: 'HU', id: first.id });
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

  it('ends an order ID, a city and a country before a parameter-like name, and keeps any other raw `&`', () => {
    const { event } = accepted('ems_customer=1&ems_visitor=v&order=A-1&rnd=111&total=5&city=Berlin&amp;cb=2&country=DE&utm_source=x.y');
    expect(event).toMatchObject({ orderId: 'A-1', city: 'Berlin', country: 'DE' });
    expect(accepted('ems_customer=1&ems_visitor=v&order=O&1&total=1&city=Stratford%20&%20Bow&country=Trinidad%20&%20Tobago').event).toMatchObject({
      orderId: 'O&1',
      city: 'Stratford & Bow',
      country: 'Trinidad & Tobago',
    });
    expect(accepted('ems_customer=1&ems_visitor=v&country=Bosnia%20&%20Herzegovina&1=2').event.country).toBe('Bosnia & Herzegovina&1=2');
  });

  it('ends an item text before the cache busters and tracking parameters that end the query', () => {
    const hit = 'ems_customer=1&ems_visitor=v&code[]=D1&price[]=5&quantity[]=1&productname[]=Drill%20&%20Bits';
    expect(accepted(hit + '&rnd=98765').event.items[0].name).toBe('Drill & Bits');
    expect(accepted(hit + '&rnd=98765&amp;_=1&utm_source=x.y').event.items[0].name).toBe('Drill & Bits');
    // a reload with another cache buster is the same cart
    expect(accepted(hit + '&rnd=1').event.id).toBe(accepted(hit + '&rnd=2').event.id);
    // not in the middle: a known parameter follows, and the `&` belongs to the name
    expect(accepted(hit + '&cb=1&category[]=Tools').event.items[0]).toMatchObject({ name: 'Drill & Bits&cb=1', category: 'Tools' });
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

  it('reads items numbered by slot, the way PHP http_build_query writes them', () => {
    const { event } = accepted(
      'ems_customer=1&ems_visitor=v&order=9&total=139.00' +
        '&code%5B0%5D=DRL-18&productname%5B0%5D=Drill&price%5B0%5D=129.00&quantity%5B0%5D=1&code%5B1%5D=B&price%5B1%5D=10.00',
    );
    expect(event.items).toEqual([
      { sku: 'DRL-18', name: 'Drill', price: '129.00', quantity: 1 },
      { sku: 'B', price: '10.00', quantity: 1 },
    ]);
  });

  it('numbers a `[]` slot after the highest slot so far, as PHP does', () => {
    const { event } = accepted('ems_customer=1&ems_visitor=v&code[2]=C&code[]=D&code[0]=A&price[3]=4&price[]=5');
    expect(event.items).toEqual([
      { sku: 'A', price: '0', quantity: 1 },
      { sku: 'C', price: '0', quantity: 1 },
      { sku: 'D', price: '4', quantity: 1 },
      { sku: '-', price: '5', quantity: 1 },
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

  it('falls back to a hash of the campaign and the items when there is neither, so both pages pair', () => {
    const cart = 'ems_customer=1&ems_campaign=5521.UID9&total=12.50&tax=1&code[]=A&price[]=12.50&quantity[]=1';
    const a = accepted(cart).event;
    expect(a.visitor).toMatch(/^ti-[0-9a-f]{32}$/);
    const order = accepted(cart.replace('total=12.50&tax=1', 'order=O-1&total=13.50&tax=2&shipping=1&city=B') + '&rnd=5').event;
    expect(order).toMatchObject({ type: 'order', visitor: a.visitor, cartId: a.cartId });
    expect(accepted(cart.replace('code[]=A', 'code[]=B')).event.visitor).not.toBe(a.visitor);
    expect(accepted(cart.replace('quantity[]=1', 'quantity[]=2')).event.visitor).not.toBe(a.visitor);
    expect(accepted(cart.replace('5521.UID9', '5521.UID8')).event.visitor).not.toBe(a.visitor);
  });

  it('gives each hit without visitor or session an event ID of its own: identical carts of two shoppers are both kept', () => {
    const hit = 'ems_customer=1&total=7.77&code[]=RLD&price[]=7.77&quantity[]=1';
    const [a, b] = [accepted(hit).event, accepted(hit).event];
    expect([a.id, b.id]).toEqual([expect.stringMatching(/^ti-[0-9a-f]{32}$/), expect.stringMatching(/^ti-[0-9a-f]{32}$/)]);
    expect(b.id).not.toBe(a.id);
    expect(b.cartId).toBe(a.cartId);
    expect(accepted(`${hit}&ems_session=s`).event.id).toBe(accepted(`${hit}&ems_session=s`).event.id);
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
    ['ems_customer=1&code[]=A&code%5Bx%5D=B', '1', 'code[x]: not an item slot; write code[] or code[0] to code[499]'],
    ['ems_customer=1&code[]=A&productname[]=Tom&price[500]=1', '1', 'price[500]: not an item slot; write price[] or price[0] to price[499]'],
    ['ems_customer=1&code[0][sku]=A', '1', 'code[0][sku]: not an item slot; write code[] or code[0] to code[499]'],
    ['ems_customer=1&code=A&price=1', '1', 'code: not an item slot; write code[] or code[0] to code[499]'],
  ])('%s', (query, customerId, reason) => {
    expect(rejected(query)).toEqual({ ok: false, customerId, reason });
  });

  it.each([
    ['over 512 characters', `5521.${'x'.repeat(508)}`],
    ['a control character', '5521.UID%099'],
  ])('drops an ems_campaign with %s, as emstrack.js does: the order counts as direct traffic', (_, emst) => {
    const { event } = accepted(`ems_customer=1&ems_visitor=v&ems_campaign=${emst}&order=A-1&total=1`);
    expect(event).toMatchObject({ type: 'order', orderId: 'A-1' });
    expect(event).not.toHaveProperty('attribution');
    expect(accepted(`ems_customer=1&ems_visitor=v&ems_campaign=5521.${'x'.repeat(507)}`).event.attribution?.emst).toHaveLength(512);
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

  it('ends a label before a known or parameter-like name, and keeps any other `&` in it', () => {
    const kind = (n: string) => (n === 'l' ? ('label' as const) : undefined);
    expect(splitLegacyQuery('l=A&B&l=C&D=E&l=F& G=H&l=I&amp;_j=1&l=J&1=2&l=K&k-1.x=3', kind).filter((p) => p.known)).toEqual([
      { name: 'l', value: 'A&B', known: true },
      { name: 'l', value: 'C', known: true },
      { name: 'l', value: 'F& G=H', known: true },
      { name: 'l', value: 'I', known: true },
      { name: 'l', value: 'J&1=2', known: true },
      { name: 'l', value: 'K', known: true },
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
