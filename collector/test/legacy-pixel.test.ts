// GET /upages/ti.php over real HTTP, with the raw request lines the old integrations made,
// read back through the reports: pairing, abandonment, de-duplication, rejections.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { GIF_1X1 } from '../src/routes/gif.js';
import { parseTiPhp } from '../src/legacy/ti-php.js';
import { ENGINES, openTestStore } from './helpers/engines.js';
import { addCustomer, addUser, MINUTE, testClock, uid } from './helpers/fixtures.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends `target` byte for byte as the request target, the way a browser sends an <img> URL. */
function rawGet(port: number, target: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n`, 'latin1'));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: all.subarray(split + 4) });
    });
  });
}

/** What a browser requests for the old template's <img>: spaces and quotes percent-encoded, `&`, `[]` and `%` left raw. */
const asBrowserSends = (query: string) =>
  '/upages/ti.php?' + query.replace(/ /g, '%20').replace(/"/g, '%22').replace(/[^\x00-\x7f]/gu, (c) => encodeURIComponent(c));

describe.each(ENGINES)('GET /upages/ti.php on %s', (engine) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let app: FastifyInstance;
  let port: number;
  let customerId: string;
  let token: string;
  const time = testClock();

  beforeAll(async () => {
    t = await openTestStore(engine);
    app = await buildApp({ store: t.store, clock: time.clock, sweepIntervalMs: 0, abandonAfterMinutes: 30 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
    customerId = await addCustomer(t.store, 'EUR');
    token = (await addUser(t.store, customerId)).token;
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const report = async (path: string) => {
    const res = await app.inject({ url: `/api/v1/customers/${customerId}/${path}`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const rejected = async (who: string | null = customerId) => t.store.rejected.list(who);

  const hit = async (query: string) => {
    const res = await rawGet(port, asBrowserSends(query));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.body.equals(GIF_1X1)).toBe(true);
  };

  const checkout = (visitor: string, extra = '') =>
    `ems_customer=${customerId}&ems_visitor=${visitor}&ems_session=s-${visitor}&ems_campaign=5521.UID9&ems_action=purchase${extra}` +
    '&total=168.80&tax=26.95&city=München&Country=DE' +
    '&code[]=DRL-18&category[]=Power tools&productname[]=Cordless Drill "Pro" 18 V&price[]=129.00&quantity[]=1' +
    '&code[]=GLV-2&category[]=&productname[]=Salt & Pepper Work Gloves&price[]=12.50&quantity[]=2' +
    '&code[]=TAPE-5&category[]=Measuring&productname[]=50% off: Maßband 5 m&price[]=9.90&quantity[]=';

  const cartIdOf = (query: string) => {
    const parsed = parseTiPhp(query, 0);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.event.cartId;
  };

  it('pairs the Order Confirmation and Thank You hits into one order, never abandoned', async () => {
    time.set(Date.UTC(2025, 2, 1, 9, 0));
    const visitor = uid('v');
    await hit(checkout(visitor));
    time.advance(2 * MINUTE);
    await hit(checkout(visitor, `&order=P-${visitor}`));

    const orders = await report(`orders?attributed=all`);
    const row = orders.rows.find((r: { orderId: string }) => r.orderId === `P-${visitor}`);
    expect(row).toMatchObject({
      time: new Date(Date.UTC(2025, 2, 1, 9, 2)).toISOString(),
      campaignId: '5521',
      contactUid: 'UID9',
      total: 168.8,
      currency: 'EUR',
      tax: 26.95,
      shipping: 0,
      city: 'München',
      country: 'DE',
      itemCount: 4, // units: 1 + 2 + 1
      source: 'ti.php',
    });
    const detail = await report(`orders/P-${visitor}`);
    expect(detail.items).toEqual([
      { sku: 'DRL-18', name: 'Cordless Drill "Pro" 18 V', category: 'Power tools', price: 129, quantity: 1 },
      { sku: 'GLV-2', name: 'Salt & Pepper Work Gloves', category: null, price: 12.5, quantity: 2 },
      { sku: 'TAPE-5', name: '50% off: Maßband 5 m', category: 'Measuring', price: 9.9, quantity: 1 },
    ]);

    time.advance(31 * MINUTE);
    await app.sweeper.runOnce();
    const abandoned = await report('abandoned-carts?attributed=all');
    expect(abandoned.rows.filter((r: { cartId: string }) => r.cartId.startsWith('ti-'))).toEqual([]);
    const parsed = parseTiPhp(checkout(visitor), 0);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(await report(`abandoned-carts/${parsed.event.cartId}`)).toMatchObject({ state: 'ordered', orderId: `P-${visitor}`, itemCount: 4 });
  });

  it('reports a cart with no Thank You hit as abandoned after the timeout, with its items', async () => {
    time.set(Date.UTC(2025, 2, 2, 9, 0));
    const visitor = uid('v');
    await hit(checkout(visitor));
    time.advance(29 * MINUTE);
    await app.sweeper.runOnce();
    expect((await report('abandoned-carts')).rows).toEqual([]);

    time.advance(2 * MINUTE);
    await app.sweeper.runOnce();
    const { rows } = await report('abandoned-carts');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ campaignId: '5521', total: 168.8, itemCount: 4, city: 'München', abandonedAt: new Date(time.now).toISOString() });
    const detail = await report(`abandoned-carts/${rows[0].cartId}`);
    expect(detail.items.map((i: { name: string }) => i.name)).toEqual(['Cordless Drill "Pro" 18 V', 'Salt & Pepper Work Gloves', '50% off: Maßband 5 m']);
  });

  it('stores a reloaded Thank You page once', async () => {
    const visitor = uid('v');
    const thankYou = checkout(visitor, `&order=R-${visitor}`);
    await hit(thankYou);
    await hit(thankYou);
    await hit(`${thankYou}&rnd=${Date.now()}`);
    const { rows } = await report('orders?attributed=all&limit=1000');
    expect(rows.filter((r: { orderId: string }) => r.orderId === `R-${visitor}`)).toHaveLength(1);
  });

  it('answers the GIF and keeps the reason for what it cannot accept', async () => {
    const before = (await rejected()).length;
    await hit(`ems_customer=${customerId}&ems_visitor=v&order=X-1&total=2,999.00`);
    await hit(`ems_customer=${customerId}&ems_visitor=v&code[]=A&productname[]=line%0Abreak&price[]=1`);
    const all = await rejected();
    // Same clock reading: the listing's order between them is arbitrary.
    const mine = all.slice(0, all.length - before).sort((a, b) => a.reason.localeCompare(b.reason));
    expect(mine.map((r) => [r.source, r.reason, r.raw])).toEqual([
      ['ti.php', 'events[0].items[0].name: must not contain control characters', expect.stringContaining('"name":"line\\nbreak"')],
      ['ti.php', 'total: "2,999.00" is not a number with a dot decimal and no thousands separator', `ems_customer=${customerId}&ems_visitor=v&order=X-1&total=2,999.00`],
    ]);
  });

  it('answers the GIF for an unknown or missing customer and keeps the hit', async () => {
    const before = (await rejected(null)).length;
    await hit('ems_customer=999999999&ems_visitor=v&total=1');
    await hit('ems_visitor=v&total=1');
    const res = await rawGet(port, '/upages/ti.php');
    expect(res.body.equals(GIF_1X1)).toBe(true);
    const all = await rejected(null);
    expect(all.length - before).toBe(3);
    expect(all.slice(0, 3).map((r) => r.reason).sort()).toEqual([
      'ems_customer: "999999999" is not a customer of this collector',
      'ems_customer: missing; the pixel must name the customer (account) ID',
      'ems_customer: missing; the pixel must name the customer (account) ID',
    ]);
  });

  it('ignores a cache buster after `order` and after `country`', async () => {
    time.set(Date.UTC(2025, 2, 3, 9, 0));
    const visitor = uid('v');
    const thankYou = (rnd: number) => checkout(visitor, `&order=CB-${visitor}&rnd=${rnd}`).replace('Country=DE', `Country=DE&rnd=${rnd}`);
    await hit(thankYou(111));
    await hit(thankYou(222)); // the same page, reloaded
    const { rows } = await report('orders?attributed=all&limit=1000');
    const mine = rows.filter((r: { orderId: string }) => r.orderId.startsWith(`CB-${visitor}`));
    expect(mine.map((r: { orderId: string; country: string }) => [r.orderId, r.country])).toEqual([[`CB-${visitor}`, 'DE']]);
  });

  it('reads items numbered by slot (PHP http_build_query), and refuses an item field it cannot read', async () => {
    const visitor = uid('v');
    const base = `ems_customer=${customerId}&ems_visitor=${visitor}&total=129.00`;
    await hit(`${base}&order=HB-${visitor}&code%5B0%5D=DRL-18&productname%5B0%5D=Drill&price%5B0%5D=129.00&quantity%5B0%5D=1`);
    expect((await report(`orders/HB-${visitor}`)).items).toEqual([{ sku: 'DRL-18', name: 'Drill', category: null, price: 129, quantity: 1 }]);
    await hit(`${base}&order=HX-${visitor}&code%5Bsku%5D=DRL-18&price%5Bsku%5D=129.00`);
    const kept = (await rejected()).filter((r) => r.raw.includes(`HX-${visitor}`));
    expect(kept.map((r) => r.reason)).toEqual(['code[sku]: not an item slot; write code[] or code[0] to code[499]']);
  });

  it('pairs the two pages of a template without ems_visitor and ems_session, and stores its reloaded Thank You page once', async () => {
    time.set(Date.UTC(2025, 2, 4, 9, 0));
    const sku = uid('NV');
    const orderConfirmation = `ems_customer=${customerId}&ems_campaign=5521.UID9&ems_action=purchase&total=12.50&code[]=${sku}&price[]=12.50&quantity[]=1`;
    await hit(orderConfirmation);
    time.advance(2 * MINUTE);
    const thankYou = orderConfirmation.replace('total=12.50', `order=${sku}&total=17.40&shipping=4.90`);
    await hit(thankYou);
    await hit(thankYou);
    time.advance(31 * MINUTE);
    await app.sweeper.runOnce();
    expect(await report(`abandoned-carts/${cartIdOf(orderConfirmation)}`)).toMatchObject({ state: 'ordered', orderId: sku });
    const { rows } = await report('orders?attributed=all&limit=1000');
    expect(rows.filter((r: { orderId: string }) => r.orderId === sku)).toHaveLength(1);
  });

  it('keeps both of two identical carts sent without ems_visitor: the later restarts the cart they share', async () => {
    time.set(Date.UTC(2025, 2, 5, 9, 0));
    const cart = `ems_customer=${customerId}&total=5.00&code[]=${uid('SAME')}&price[]=5.00&quantity[]=1`;
    await hit(cart); // shopper A
    time.advance(10 * MINUTE);
    await hit(cart); // shopper B, another browser
    expect(await report(`abandoned-carts/${cartIdOf(cart)}`)).toMatchObject({ state: 'open', time: new Date(time.now).toISOString() });
  });

  it('stores an order with a mangled ems_campaign as direct traffic', async () => {
    const visitor = uid('v');
    await hit(`ems_customer=${customerId}&ems_visitor=${visitor}&ems_campaign=5521.${'x'.repeat(600)}&order=MC-${visitor}&total=10.00`);
    const { rows } = await report('orders?attributed=all&limit=1000');
    expect(rows.find((r: { orderId: string }) => r.orderId === `MC-${visitor}`)).toMatchObject({ campaignId: null, total: 10 });
  });
});
