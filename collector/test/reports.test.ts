// The reports (docs/http-api.md, "Reports") on both engines, checked against the same numbers computed here
// from the events sent: lists and paging, filters (dates, timestamps with partial days,
// campaign, attribution), items, summary (with clicks and refunds), timeseries, the attribution
// report, CSV, the directory, and bad queries.
import { beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../src/money.js';
import type { ClickRecord } from '../src/store/types.js';
import { ENGINES } from './helpers/engines.js';
import { DAY, MINUTE, addCustomer, addUser, batch, testClock } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { allRows, getJson, postEvents } from './helpers/http.js';

const START = Date.UTC(2025, 2, 1);
const DAYS = 9;
const CAMPAIGNS = ['C1', 'C2', 'C3'];

interface SentOrder {
  orderId: string;
  time: number;
  campaignId: string | null;
  contactUid: string | null;
  email: string | null;
  visitor: string;
  total: string;
  currency: string;
  items: { sku: string; name: string; price: string; quantity: number }[];
  /** refunded later by the shop's backend */
  refund?: string | null;
}
interface SentCart {
  cartId: string;
  time: number;
  campaignId: string | null;
  currency: string;
  total: string;
  fate: 'ordered' | 'abandoned' | 'recovered';
}

/** Deterministic data: orders, carts and what becomes of each cart. */
function dataset() {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const orders: SentOrder[] = [];
  const carts: SentCart[] = [];
  for (let d = 0; d < DAYS; d++) {
    const n = 6 + Math.floor(rnd() * 8);
    for (let i = 0; i < n; i++) {
      const time = START + d * DAY + Math.floor(rnd() * DAY);
      const r = rnd();
      const campaignId = r < 0.2 ? null : CAMPAIGNS[Math.floor(rnd() * CAMPAIGNS.length)];
      const contactUid = campaignId ? `u${1 + Math.floor(rnd() * 4)}` : null;
      const currency = rnd() < 0.15 ? 'USD' : 'EUR';
      const items = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, k) => ({
        sku: `S${k}${Math.floor(rnd() * 5)}`,
        name: k === 0 ? '=HYPERLINK("http://evil","x")' : `Item, "${k}"`,
        price: (Math.floor(rnd() * 100000) / 100).toFixed(2),
        quantity: 1 + Math.floor(rnd() * 3),
      }));
      const sum = items.reduce((s, it) => s + parseMoney(it.price) * BigInt(it.quantity), 0n);
      const id = `${d}-${i}`;
      const kind = rnd();
      if (kind < 0.7) {
        orders.push({
          orderId: `O-${id}`,
          time,
          campaignId,
          contactUid,
          email: rnd() < 0.3 ? `buyer${i}@example.com` : null,
          visitor: `v-${id}`,
          total: formatMoney(sum),
          currency,
          items,
          // every third order gets a third of its total back, rounded down to the cent
          refund: orders.length % 3 === 1 ? formatMoney(((sum / 3n) / 100n) * 100n) : null,
        });
      }
      const fate = kind < 0.6 ? 'ordered' : kind < 0.7 ? 'recovered' : 'abandoned';
      carts.push({ cartId: `K-${id}`, time: time - MINUTE, campaignId, currency, total: formatMoney(sum), fate });
      if (fate === 'recovered') orders[orders.length - 1].time = START + DAYS * DAY + DAY / 2; // comes back later
    }
  }
  // clicks on the campaigns' links: a few per campaign and day, at any time of the day
  const clicks = Array.from({ length: DAYS * 7 }, (_, i) => ({
    id: `click-${i}`,
    campaignId: CAMPAIGNS[i % CAMPAIGNS.length],
    time: START + Math.floor(i / 7) * DAY + ((i * 7_919_000) % DAY),
  }));
  return { orders, carts, clicks };
}

const DATA = dataset();
const refundOf = (o: SentOrder) => (o.refund == null ? 0n : parseMoney(o.refund));

function orderEvent(o: SentOrder, cartId?: string) {
  return {
    type: 'order',
    id: `ev-${o.orderId}`,
    orderId: o.orderId,
    ...(cartId ? { cartId } : {}),
    time: o.time,
    visitor: o.visitor,
    total: o.total,
    currency: o.currency,
    ...(o.email ? { email: o.email } : {}),
    ...(o.campaignId ? { attribution: { emst: `${o.campaignId}.${o.contactUid}`, at: o.time - DAY } } : {}),
    items: o.items.map((it) => ({ ...it, category: 'Cat' })),
  };
}

function cartEvent(c: SentCart, visitor: string) {
  return {
    type: 'cart',
    id: `ev-${c.cartId}`,
    cartId: c.cartId,
    time: c.time,
    visitor,
    total: c.total,
    currency: c.currency,
    ...(c.campaignId ? { attribution: { sc_src: `email_${c.campaignId}`, sc_uid: 'u1', at: c.time } } : {}),
    items: [{ sku: 'X', price: c.total, quantity: 1 }],
  };
}

interface Filter {
  from?: number;
  to?: number;
  campaign?: string;
  all?: boolean;
}
const inFilter = (f: Filter, time: number, campaignId: string | null) =>
  (f.from === undefined || time >= f.from) &&
  (f.to === undefined || time < f.to) &&
  (f.campaign !== undefined ? campaignId === f.campaign : f.all || campaignId !== null);
const byNewest = <T extends { time: number }>(key: (x: T) => string) => (a: T, b: T) =>
  b.time - a.time || (key(b) > key(a) ? 1 : key(b) < key(a) ? -1 : 0);

function query(f: Filter, extra = ''): string {
  const p = new URLSearchParams();
  if (f.from !== undefined) p.set('from', new Date(f.from).toISOString());
  if (f.to !== undefined) p.set('to', new Date(f.to - 1).toISOString());
  if (f.campaign) p.set('campaign', f.campaign);
  if (f.all) p.set('attributed', 'all');
  return `?${p.toString()}${extra}`;
}

const FILTERS: Filter[] = [
  {},
  { all: true },
  { campaign: 'C2' },
  { from: START + 2 * DAY, to: START + 5 * DAY },
  { from: START + 2 * DAY + 7 * 3_600_000, to: START + 6 * DAY + 123_456, all: true },
  { from: START + 3 * DAY + 1000, to: START + 3 * DAY + 20 * 3_600_000, campaign: 'C1' },
];

describe.each(ENGINES)('reports on %s', (engine) => {
  let customerId: string;
  let token: string;
  let base: string;
  const clock = testClock(START);
  const suite = testSuite(engine, clock);

  beforeAll(async () => {
    customerId = await addCustomer(suite.store, 'EUR');
    token = (await addUser(suite.store, customerId)).token;
    base = `/api/v1/customers/${customerId}`;
    // day by day, as the shop would send them; carts first, then the orders that close them
    const recovered: object[] = [];
    for (let d = 0; d < DAYS; d++) {
      const dayCarts = DATA.carts.filter((c) => c.time >= START + d * DAY - MINUTE && c.time < START + (d + 1) * DAY - MINUTE);
      const events: object[] = [];
      for (const c of dayCarts) {
        const o = DATA.orders.find((x) => x.orderId === c.cartId.replace('K-', 'O-'));
        events.push(cartEvent(c, o?.visitor ?? `cv-${c.cartId}`));
        if (o && c.fate === 'ordered') events.push(orderEvent(o, c.cartId));
        if (o && c.fate === 'recovered') recovered.push(orderEvent(o, c.cartId));
      }
      clock.set(START + (d + 1) * DAY);
      for (let i = 0; i < events.length; i += 50) {
        const res = await postEvents(suite.app, batch(customerId, events.slice(i, i + 50)));
        expect(res.json()).toMatchObject({ rejected: [] });
      }
    }
    clock.set(START + DAYS * DAY + 30 * MINUTE);
    await suite.app.sweeper.runOnce();
    clock.set(START + DAYS * DAY + DAY / 2);
    const res = await postEvents(suite.app, batch(customerId, recovered));
    expect(res.json()).toMatchObject({ accepted: recovered.length, rejected: [] });
    const clicks = DATA.clicks.map<ClickRecord>((c) => ({
      type: 'click',
      eventId: c.id,
      time: c.time,
      receivedAt: c.time,
      campaignId: c.campaignId,
      contactUid: '',
      email: null,
      visitor: `cv-${c.id}`,
      sessionId: null,
      path: '/landing',
      source: 'sdk',
    }));
    await suite.store.events.writeGroup([{ customerId, events: clicks, rejects: [] }]);
    for (const o of DATA.orders.filter((x) => x.refund != null)) {
      const refund = await suite.app.inject({
        method: 'POST',
        url: `${base}/orders/${o.orderId}/refunds`,
        payload: { amount: o.refund },
        headers: { authorization: `Bearer ${token}` },
      });
      expect(refund.statusCode, refund.body).toBe(201);
    }
  });

  it.each(FILTERS)('lists orders newest first, paged, for %j', async (f) => {
    const expected = DATA.orders.filter((o) => inFilter(f, o.time, o.campaignId)).sort(byNewest((o) => o.orderId));
    const rows = await allRows(suite.app, `${base}/orders${query(f)}`, token, 7);
    expect(rows.map((r) => r.orderId)).toEqual(expected.map((o) => o.orderId));
    expect(rows.map((r) => r.total)).toEqual(expected.map((o) => Number(o.total)));
    const first = await getJson(suite.app, `${base}/orders${query(f, '&limit=7')}`, token);
    expect(first.total).toBe(expected.length);
    expect(first.next === null).toBe(expected.length <= 7);
  });

  it.each(FILTERS)('lists the items sold for %j', async (f) => {
    const expected = DATA.orders
      .filter((o) => inFilter(f, o.time, o.campaignId))
      .flatMap((o) => o.items.map((it, line) => ({ ...it, time: o.time, orderId: o.orderId, line })))
      .sort((a, b) => b.time - a.time || (b.orderId > a.orderId ? 1 : b.orderId < a.orderId ? -1 : b.line - a.line));
    const rows = await allRows(suite.app, `${base}/items${query(f)}`, token, 11);
    expect(rows.map((r) => [r.orderId, r.sku, r.price, r.quantity])).toEqual(expected.map((e) => [e.orderId, e.sku, Number(e.price), e.quantity]));
    expect((await getJson(suite.app, `${base}/items${query(f, '&limit=1')}`, token)).total).toBe(expected.length);
  });

  it.each(FILTERS)('lists abandoned carts (recovered ones left the list) for %j', async (f) => {
    const expected = DATA.carts.filter((c) => c.fate === 'abandoned' && inFilter(f, c.time, c.campaignId)).sort(byNewest((c) => c.cartId));
    const rows = await allRows(suite.app, `${base}/abandoned-carts${query(f)}`, token, 5);
    expect(rows.map((r) => r.cartId)).toEqual(expected.map((c) => c.cartId));
    expect((await getJson(suite.app, `${base}/abandoned-carts${query(f, '&limit=2')}`, token)).total).toBe(expected.length);
  });

  it.each(FILTERS)('sums the summary exactly per campaign and currency for %j', async (f) => {
    type Expected = { revenue: bigint; orders: number; buyers: Set<string>; carts: number; abandoned: number; abandonedValue: bigint; recovered: number; converted: number; refundedOrders: number; refunded: bigint };
    const expected = new Map<string, Expected>();
    const at = (campaignId: string | null, currency: string) => {
      const key = `${campaignId}|${currency}`;
      if (!expected.has(key)) {
        expected.set(key, { revenue: 0n, orders: 0, buyers: new Set(), carts: 0, abandoned: 0, abandonedValue: 0n, recovered: 0, converted: 0, refundedOrders: 0, refunded: 0n });
      }
      return expected.get(key)!;
    };
    for (const o of DATA.orders.filter((x) => inFilter(f, x.time, x.campaignId))) {
      const s = at(o.campaignId, o.currency);
      s.revenue += parseMoney(o.total);
      s.orders++;
      if (o.refund != null) s.refundedOrders++;
      s.refunded += refundOf(o);
      s.buyers.add(o.contactUid ? `u:${o.contactUid}` : o.email ? `e:${o.email}` : `v:${o.visitor}`);
    }
    for (const c of DATA.carts.filter((x) => inFilter(f, x.time, x.campaignId))) {
      const s = at(c.campaignId, c.currency);
      s.carts++;
      if (c.fate === 'abandoned') {
        s.abandoned++;
        s.abandonedValue += parseMoney(c.total);
      } else s.converted++;
      if (c.fate === 'recovered') s.recovered++;
    }
    const clicks = new Map<string, number>();
    for (const c of DATA.clicks.filter((x) => inFilter(f, x.time, x.campaignId))) clicks.set(c.campaignId, (clicks.get(c.campaignId) ?? 0) + 1);
    // a campaign clicked without orders or carts in the range shows in the customer's currency
    for (const id of clicks.keys()) if (![...expected.keys()].some((k) => k.startsWith(`${id}|`))) at(id, 'EUR');
    const ordersOf = (id: string) => [...expected].filter(([k]) => k.startsWith(`${id}|`)).reduce((n, [, s]) => n + s.orders, 0);
    const rows = await allRows(suite.app, `${base}/summary${query(f)}`, token, 2);
    const got = Object.fromEntries(rows.map((r) => [`${r.campaignId}|${r.currency}`, r]));
    expect(Object.keys(got).sort()).toEqual([...expected.keys()].sort());
    for (const [key, s] of expected) {
      expect(got[key], key).toEqual({
        campaignId: key.split('|')[0] === 'null' ? null : key.split('|')[0],
        campaignName: null,
        currency: key.split('|')[1],
        revenue: Number(formatMoney(s.revenue)),
        buyers: s.buyers.size,
        orders: s.orders,
        averageOrderValue: s.orders ? Number(formatMoney((s.revenue + BigInt(s.orders) / 2n) / BigInt(s.orders))) : 0,
        abandonedCarts: s.abandoned,
        abandonedValue: Number(formatMoney(s.abandonedValue)),
        recoveredCarts: s.recovered,
        carts: s.carts,
        conversionRate: s.carts ? Math.round((s.converted / s.carts) * 10000) / 10000 : 0,
        clicks: clicks.get(key.split('|')[0]) ?? 0,
        clickConversion: clicks.has(key.split('|')[0]) ? Math.round((ordersOf(key.split('|')[0]) / clicks.get(key.split('|')[0])!) * 10000) / 10000 : null,
        refundedOrders: s.refundedOrders,
        refunded: Number(formatMoney(s.refunded)),
        netRevenue: Number(formatMoney(s.revenue - s.refunded)),
      });
    }
    // the customer's currency first, then the others by code; highest revenue first in each
    const currencies = rows.map((r) => r.currency as string);
    expect(currencies).toEqual([...currencies].sort((a, b) => +(b === 'EUR') - +(a === 'EUR') || a.localeCompare(b)));
    for (const c of new Set(currencies)) {
      const revenues = rows.filter((r) => r.currency === c).map((r) => r.revenue as number);
      expect(revenues).toEqual([...revenues].sort((a, b) => b - a));
    }
  });

  it('counts each buyer once over a range: campaigns with all, some or none of their orders in it, partial days at both ends', async () => {
    const B = Date.UTC(2025, 5, 1);
    const H = 3_600_000;
    const shop = await addCustomer(suite.store, 'EUR');
    const shopToken = (await addUser(suite.store, shop)).token;
    const sent: SentOrder[] = [];
    const add = (campaignId: string | null, currency: string, contactUid: string | null, time: number) =>
      sent.push({
        orderId: `R-${sent.length}`,
        time,
        campaignId,
        contactUid,
        email: null,
        visitor: `rv-${contactUid ?? 'direct'}`,
        total: '10.00',
        currency,
        items: [{ sku: 'R', name: 'R', price: '10.00', quantity: 1 }],
      });
    // all inside the range, u1 on three days (both edges and a whole day)
    add('IN', 'EUR', 'u1', B + DAY + 8 * H);
    add('IN', 'EUR', 'u1', B + 2 * DAY + H);
    add('IN', 'EUR', 'u2', B + 3 * DAY + 5 * H);
    add('IN', 'EUR', 'u1', B + 4 * DAY + H);
    // some inside: u1 before the range on its first day, then on a whole day and the last edge;
    // u3 after the range on its last day; u5 twice on one day
    add('SPLIT', 'EUR', 'u1', B + DAY + 2 * H);
    add('SPLIT', 'EUR', 'u1', B + 2 * DAY);
    add('SPLIT', 'EUR', 'u1', B + 4 * DAY + 2 * H);
    add('SPLIT', 'EUR', 'u2', B + DAY + 7 * H);
    add('SPLIT', 'EUR', 'u3', B + 4 * DAY + 5 * H);
    add('SPLIT', 'EUR', 'u4', B + 5 * DAY);
    add('SPLIT', 'EUR', 'u5', B + 3 * DAY + H);
    add('SPLIT', 'EUR', 'u5', B + 3 * DAY + 9 * H);
    add('SPLIT', 'USD', 'u6', B);
    add('SPLIT', 'USD', 'u6', B + 2 * DAY + 3 * H);
    // orders before and after the range, none in it; only before it
    add('OUT', 'EUR', 'u1', B);
    add('OUT', 'EUR', 'u1', B + 6 * DAY);
    add('BEFORE', 'EUR', 'u1', B);
    // direct traffic
    add(null, 'EUR', null, B + 2 * DAY + 4 * H);
    add(null, 'EUR', null, B + 3 * DAY + 4 * H);
    add(null, 'EUR', null, B + 6 * DAY);
    const before = clock.now;
    for (const o of [...sent].sort((a, b) => a.time - b.time)) {
      clock.set(o.time + MINUTE);
      expect((await postEvents(suite.app, batch(shop, [orderEvent(o)]))).json()).toMatchObject({ accepted: 1, rejected: [] });
    }
    clock.set(before);

    const filters: Filter[] = [
      { from: B + DAY + 6 * H, to: B + 4 * DAY + 3 * H },
      { from: B + DAY + 6 * H, to: B + 4 * DAY + 3 * H, all: true },
      { from: B + DAY + 6 * H, to: B + 4 * DAY + 3 * H, campaign: 'SPLIT' },
      { from: B + 2 * DAY, to: B + 4 * DAY },
      { from: B + 2 * DAY + 3 * H },
      { to: B + 3 * DAY },
    ];
    for (const f of filters) {
      const expected = new Map<string, { orders: number; buyers: Set<string> }>();
      for (const o of sent.filter((x) => inFilter(f, x.time, x.campaignId))) {
        const key = `${o.campaignId}|${o.currency}`;
        if (!expected.has(key)) expected.set(key, { orders: 0, buyers: new Set() });
        expected.get(key)!.orders++;
        expected.get(key)!.buyers.add(o.contactUid ? `u:${o.contactUid}` : `v:${o.visitor}`);
      }
      const rows = await allRows(suite.app, `/api/v1/customers/${shop}/summary${query(f)}`, shopToken);
      const got = Object.fromEntries(rows.map((r) => [`${r.campaignId}|${r.currency}`, { orders: r.orders, buyers: r.buyers }]));
      const want = Object.fromEntries([...expected].map(([key, s]) => [key, { orders: s.orders, buyers: s.buyers.size }]));
      expect(got, JSON.stringify(f)).toEqual(want);
    }
  });

  it('ranks the summary within each currency, the customer\'s own first: amounts in different currencies are not compared', async () => {
    const shop = await addCustomer(suite.store, 'HUF');
    const shopToken = (await addUser(suite.store, shop)).token;
    const at = Date.UTC(2025, 7, 1);
    const sent: [string, string, string][] = [
      ['SMALL-HUF', 'HUF', '9000.00'],
      ['BIG-HUF', 'HUF', '80000.00'],
      ['BIG-EUR', 'EUR', '900.00'],
      ['SMALL-EUR', 'EUR', '20.00'],
      ['CZK', 'CZK', '100000.00'],
    ];
    const before = clock.now;
    clock.set(at + MINUTE);
    for (const [campaignId, currency, total] of sent) {
      const o: SentOrder = { orderId: `C-${campaignId}`, time: at, campaignId, contactUid: null, email: null, visitor: `v-${campaignId}`, total, currency, items: [{ sku: 'S', name: 'S', price: total, quantity: 1 }] };
      expect((await postEvents(suite.app, batch(shop, [orderEvent(o)]))).json()).toMatchObject({ accepted: 1, rejected: [] });
    }
    clock.set(before);
    const rows = await allRows(suite.app, `/api/v1/customers/${shop}/summary?from=${new Date(at - DAY).toISOString()}`, shopToken);
    // HUF (the customer's) first, then CZK and EUR by code; highest revenue first within each
    expect(rows.map((r) => `${r.campaignId} ${r.currency}`)).toEqual(['BIG-HUF HUF', 'SMALL-HUF HUF', 'CZK CZK', 'BIG-EUR EUR', 'SMALL-EUR EUR']);
  });

  it('draws the timeseries per UTC day, days without data as zeros', async () => {
    const from = START - 2 * DAY;
    const to = START + 4 * DAY;
    const res = await getJson(suite.app, `${base}/timeseries?from=2025-02-27&to=2025-03-04&attributed=all`, token);
    const dates = [...new Set(res.rows.map((r) => r.date))];
    expect(dates).toEqual(['2025-02-27', '2025-02-28', '2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04']);
    for (const row of res.rows) {
      const dayStart = Date.parse(`${row.date as string}T00:00:00Z`);
      const orders = DATA.orders.filter((o) => o.currency === row.currency && o.time >= dayStart && o.time < dayStart + DAY && o.time >= from && o.time < to);
      const abandoned = DATA.carts.filter((c) => c.fate === 'abandoned' && c.currency === row.currency && c.time >= dayStart && c.time < dayStart + DAY);
      const revenue = orders.reduce((s, o) => s + parseMoney(o.total), 0n);
      const refunded = orders.reduce((s, o) => s + refundOf(o), 0n);
      expect(row).toEqual({
        date: row.date,
        currency: row.currency,
        orders: orders.length,
        revenue: Number(formatMoney(revenue)),
        abandonedCarts: abandoned.length,
        abandonedValue: Number(formatMoney(abandoned.reduce((s, c) => s + parseMoney(c.total), 0n))),
        refunded: Number(formatMoney(refunded)),
        netRevenue: Number(formatMoney(revenue - refunded)),
      });
    }
    expect(res.rows.filter((r) => r.date === '2025-02-27')).toEqual([
      { date: '2025-02-27', currency: 'EUR', revenue: 0, orders: 0, abandonedCarts: 0, abandonedValue: 0, refunded: 0, netRevenue: 0 },
      { date: '2025-02-27', currency: 'USD', revenue: 0, orders: 0, abandonedCarts: 0, abandonedValue: 0, refunded: 0, netRevenue: 0 },
    ]);
  });

  it('books a range that crosses one midnight without a whole day to both of its days', async () => {
    const from = START + DAY - 6 * 3_600_000;
    const to = START + DAY + 10 * 3_600_000;
    const iso = (t: number) => new Date(t).toISOString();
    const res = await getJson(suite.app, `${base}/timeseries?from=${iso(from)}&to=${iso(to)}&attributed=all`, token);
    for (const [date, dayStart] of [['2025-03-01', START], ['2025-03-02', START + DAY]] as const) {
      const orders = DATA.orders.filter((o) => o.time >= Math.max(from, dayStart) && o.time < Math.min(to, dayStart + DAY));
      expect(orders.length, date).toBeGreaterThan(0);
      const rows = res.rows.filter((r) => r.date === date);
      expect(rows.reduce((n, r) => n + (r.orders as number), 0), date).toBe(orders.length);
    }
  });

  it('writes CSV with the same columns, quoting, and formulas neutralised', async () => {
    const res = await suite.app.inject({ url: `${base}/items?format=csv&limit=3`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="items.csv"');
    expect(res.headers['x-next-cursor']).toBeTruthy();
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe('time,sku,name,category,price,quantity,orderId,campaignId,campaignName');
    expect(lines).toHaveLength(5);
    expect(lines[lines.length - 1]).toBe('');
    const json = await getJson(suite.app, `${base}/items?limit=3`, token);
    json.rows.forEach((row, i) => {
      const name = row.name as string;
      const cell = name.startsWith('=') ? `"'${name.replaceAll('"', '""')}"` : `"${name.replaceAll('"', '""')}"`;
      expect(lines[i + 1]).toBe(
        [row.time, row.sku, cell, row.category, String(row.price), row.quantity, row.orderId, row.campaignId ?? '', row.campaignName ?? ''].join(','),
      );
    });
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
  });

  it('streams the whole report as CSV when no page is asked for', async () => {
    const res = await suite.app.inject({ url: `${base}/orders?format=csv&attributed=all`, headers: { authorization: `Bearer ${token}` } });
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'time,orderId,email,campaignId,campaignName,contactUid,total,currency,tax,shipping,city,country,itemCount,source,attribution,clickAt,refunded,netTotal,cancelledAt',
    );
    expect(lines.length - 1).toBe(DATA.orders.length);
    expect(res.headers['x-total-count']).toBe(String(DATA.orders.length));
    const sorted = [...DATA.orders].sort(byNewest((o) => o.orderId));
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(sorted.map((o) => o.orderId));
    const money = lines.slice(1).map((l) => l.split(',')[6]);
    expect(money).toEqual(sorted.map((o) => o.total));
    const net = lines.slice(1).map((l) => l.split(',').slice(-3, -1));
    expect(net).toEqual(sorted.map((o) => [o.refund ?? '0', formatMoney(parseMoney(o.total) - refundOf(o))]));
  });

  it.each(FILTERS)('sums orders and revenue per attribution method (direct traffic as none) for %j', async (f) => {
    const expected = new Map<string, { orders: number; revenue: bigint; refunded: bigint }>();
    for (const o of DATA.orders.filter((x) => inFilter({ ...f, all: true }, x.time, x.campaignId))) {
      // the emst the SDK kept in its cookie attributes the dataset's campaign orders
      const key = `${o.campaignId === null ? 'none' : 'cookie'}|${o.currency}`;
      const e = expected.get(key) ?? { orders: 0, revenue: 0n, refunded: 0n };
      e.orders++;
      e.revenue += parseMoney(o.total);
      e.refunded += refundOf(o);
      expected.set(key, e);
    }
    const rows = (await getJson(suite.app, `${base}/attribution${query(f)}`, token)).rows;
    expect(rows).toEqual(
      [...expected]
        .sort(([a], [b]) => (a.startsWith('none') === b.startsWith('none') ? (a < b ? -1 : 1) : a.startsWith('none') ? 1 : -1))
        .map(([key, e]) => ({
          attribution: key.split('|')[0],
          currency: key.split('|')[1],
          orders: e.orders,
          revenue: Number(formatMoney(e.revenue)),
          refunded: Number(formatMoney(e.refunded)),
          netRevenue: Number(formatMoney(e.revenue - e.refunded)),
        })),
    );
    const csv = await suite.app.inject({ url: `${base}/attribution${query(f, '&format=csv')}`, headers: { authorization: `Bearer ${token}` } });
    expect(csv.body.split('\r\n')[0]).toBe('attribution,currency,orders,revenue,refunded,netRevenue');
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(rows.length + 1);
  });

  it('shows campaign names and contact emails from the directory; an email sent with the order wins', async () => {
    const admin = await addUser(suite.store, customerId, 'admin');
    const put = (url: string, payload: object, who = token) =>
      suite.app.inject({ method: 'PUT', url: `${base}${url}`, payload, headers: { authorization: `Bearer ${who}` } });
    expect((await put('/campaigns/C1', { name: 'Spring <Sale>' })).json()).toEqual({ campaignId: 'C1', name: 'Spring <Sale>' });
    expect((await put('/campaigns/C1', { name: 'Spring Sale' }, admin.token)).statusCode).toBe(200);
    expect((await put('/contacts-directory/u2', { email: 'grace@example.com' })).json()).toEqual({ contactUid: 'u2', email: 'grace@example.com' });
    const bad = await put('/contacts-directory/u2', { email: 'not an email' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'invalid_request', message: 'email: must be an email address' });
    expect((await put('/campaigns/C1', { name: '' })).json().message).toBe('name: must not be empty');

    const rows = await allRows(suite.app, `${base}/orders?campaign=C1`, token);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const sent = DATA.orders.find((o) => o.orderId === r.orderId)!;
      expect(r.campaignName).toBe('Spring Sale');
      expect(r.email).toBe(sent.email ?? (sent.contactUid === 'u2' ? 'grace@example.com' : null));
    }
    const summary = await getJson(suite.app, `${base}/summary?campaign=C1`, token);
    expect(summary.rows.every((r) => r.campaignName === 'Spring Sale')).toBe(true);
    const campaigns = await getJson(suite.app, `${base}/campaigns`, token);
    expect(campaigns).toEqual({
      rows: [
        { campaignId: 'C1', name: 'Spring Sale' },
        { campaignId: 'C2', name: null },
        { campaignId: 'C3', name: null },
      ],
      total: 3,
      next: null,
    });
  });

  it('shows one order or cart with its items, and 404 for an unknown one', async () => {
    const o = DATA.orders[3];
    const detail = await getJson<Record<string, unknown>>(suite.app, `${base}/orders/${encodeURIComponent(o.orderId)}`, token);
    expect(detail.items).toEqual(o.items.map((it) => ({ ...it, price: Number(it.price), category: 'Cat' })));
    const missing = await suite.app.inject({ url: `${base}/orders/nope`, headers: { authorization: `Bearer ${token}` } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', message: 'orderId: no such order' });
    const c = DATA.carts.find((x) => x.fate === 'abandoned')!;
    const cart = await getJson<Record<string, unknown>>(suite.app, `${base}/abandoned-carts/${c.cartId}`, token);
    expect(cart).toMatchObject({ cartId: c.cartId, state: 'abandoned', total: Number(c.total), items: [{ sku: 'X', price: Number(c.total), quantity: 1 }] });
    expect((await suite.app.inject({ url: `${base}/abandoned-carts/nope`, headers: { authorization: `Bearer ${token}` } })).json().message).toBe('cartId: no such cart');
  });

  it.each([
    ['/orders?limit=0', 'limit: must be at least 1'],
    ['/orders?limit=1001', 'limit: must be at most 1000'],
    ['/orders?limit=ten', 'limit: must be an integer'],
    ['/orders?campagin=C1', 'campagin: is not a known field'],
    ['/orders?attributed=some', 'attributed: must be one of "email", "all"'],
    ['/orders?format=xml', 'format: must be one of "json", "csv"'],
    ['/orders?from=yesterday', 'from: must be a date (YYYY-MM-DD) or an ISO timestamp with a time zone (2024-05-01T12:00:00Z)'],
    ['/orders?from=2025-03-05&to=2025-03-01', 'to: must not be before from'],
    ['/orders?cursor=abc', 'cursor: is not a cursor given by this API'],
    ['/items?cursor=WyJvcmRlcnMiLDEsIngiXQ', 'cursor: is not a cursor of the items report'],
    ['/timeseries?from=2000-01-01&to=2025-01-01', 'to: the timeseries spans at most 3660 days'],
    ['/timeseries?limit=5', 'limit: is not a known field'],
  ])('answers 400 naming the parameter for %s', async (url, message) => {
    const res = await suite.app.inject({ url: `${base}${url}`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_request', message });
  });

  it('keeps customers apart: the same order ID in two accounts', async () => {
    const other = await addCustomer(suite.store, 'EUR');
    const otherToken = (await addUser(suite.store, other)).token;
    const o = DATA.orders.find((x) => x.campaignId)!;
    await postEvents(suite.app, batch(other, [{ ...orderEvent({ ...o, total: '1.00', time: clock.now }), id: 'other-ev' }]));
    const mine = await getJson<Record<string, unknown>>(suite.app, `${base}/orders/${o.orderId}`, token);
    const theirs = await getJson<Record<string, unknown>>(suite.app, `/api/v1/customers/${other}/orders/${o.orderId}`, otherToken);
    expect(mine.total).toBe(Number(o.total));
    expect(theirs.total).toBe(1);
    expect((await getJson(suite.app, `/api/v1/customers/${other}/orders?attributed=all`, otherToken)).total).toBe(1);
  });
});
