// Contact profiles and segments (docs/advanced.md) on both engines. A deterministic sequence
// of carts, orders, server-side purchases and sweeps is sent through the real routes, while
// this file computes every profile on its own from the same steps; the two must agree, and
// every segment filter must select exactly the contacts the model says.
import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/engines.js';
import { DAY, MINUTE, T0, addCustomer, addUser, batch, item, testClock } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { allRows, getJson, postEvents } from './helpers/http.js';

const HOUR = 60 * MINUTE;
const ABANDON_AFTER = 30 * MINUTE;
const WINDOW = 30 * DAY;

interface Persona {
  uid?: string;
  email?: string;
}
const PERSONAS: Persona[] = [
  { uid: 'u1', email: 'one@example.com' }, // also in the directory
  { uid: 'u2', email: 'two@example.com' },
  { uid: 'u3' },
  { uid: 'u4', email: 'Four@Example.com' },
  { email: 'five@example.com' }, // the directory links it to u5
  { email: '=1+2@evil.example' }, // hostile in a spreadsheet
  {}, // anonymous: never a contact
];
const DIRECTORY = [
  { contactUid: 'u1', email: 'one@example.com' },
  { contactUid: 'u5', email: 'FIVE@example.com' },
];
const CAMPAIGNS = ['C1', 'C2', 'C3'];

interface Profile {
  key: string;
  email: string | null;
  orders: number;
  cents: Map<string, number>;
  lastOrder: { at: number; cents: number; currency: string } | null;
  abandoned: number;
  lastAbandonedAt: number | null;
  first: { id: string; at: number } | null;
  last: { id: string; at: number } | null;
}
interface ModelCart {
  cartId: string;
  key: string;
  visitor: string;
  persona: number;
  cents: number;
  receivedAt: number;
  state: 'open' | 'abandoned' | 'closed';
  /** the contact an abandonment of the cart was counted for */
  countedFor: string;
}

/** The identity rule, written again here: UID, else the directory's UID for the email, else the email. */
function keyOf(uid: string | undefined, email: string | undefined): string {
  if (uid) return `u:${uid}`;
  if (!email) return '';
  const linked = DIRECTORY.find((d) => d.email.toLowerCase() === email.toLowerCase());
  return linked ? `u:${linked.contactUid}` : `e:${email.toLowerCase()}`;
}

/** Expected profiles, computed from the steps as they are sent. */
class Model {
  readonly profiles = new Map<string, Profile>();
  readonly carts: ModelCart[] = [];

  profile(key: string): Profile {
    let p = this.profiles.get(key);
    if (!p) {
      p = { key, email: null, orders: 0, cents: new Map(), lastOrder: null, abandoned: 0, lastAbandonedAt: null, first: null, last: null };
      this.profiles.set(key, p);
    }
    return p;
  }

  touch(key: string, email: string | undefined, campaign: { id: string; at: number } | null): void {
    if (!key) return;
    const p = this.profile(key);
    if (email) p.email = email;
    if (campaign) {
      if (!p.first || campaign.at < p.first.at) p.first = campaign;
      if (!p.last || campaign.at >= p.last.at) p.last = campaign;
    }
  }

  order(key: string, email: string | undefined, campaign: { id: string; at: number } | null, at: number, cents: number, currency: string): void {
    this.touch(key, email, campaign);
    if (!key) return;
    const p = this.profile(key);
    p.orders++;
    p.cents.set(currency, (p.cents.get(currency) ?? 0) + cents);
    if (!p.lastOrder || at >= p.lastOrder.at) p.lastOrder = { at, cents, currency };
  }

  sweep(now: number): void {
    for (const c of this.carts) {
      if (c.state !== 'open' || c.receivedAt > now - ABANDON_AFTER) continue;
      c.state = 'abandoned';
      if (c.key) {
        const p = this.profile(c.key);
        if (c.countedFor !== c.key) p.abandoned++; // a cart abandoned again is counted once for its contact
        p.lastAbandonedAt = Math.max(p.lastAbandonedAt ?? now, now);
        c.countedFor = c.key;
      }
    }
  }
}

const money = (cents: number) => (cents / 100).toFixed(2);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe.each(ENGINES)('contact profiles and segments on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);
  const model = new Model();
  let customerId: string;
  let token: string;
  let base: string;

  /** What the collector should list for a profile, in `currency`. */
  function expectedRow(p: Profile, currency: string) {
    const uid = p.key.startsWith('u:') ? p.key.slice(2) : null;
    return {
      contactUid: uid,
      email: p.email ?? DIRECTORY.find((d) => d.contactUid === uid)?.email ?? null,
      orders: p.orders,
      totalOrderValue: (p.cents.get(currency) ?? 0) / 100,
      currency,
      lastOrderAt: iso(p.lastOrder?.at ?? null),
      lastOrderValue: p.lastOrder ? p.lastOrder.cents / 100 : null,
      lastOrderCurrency: p.lastOrder?.currency ?? null,
      abandonedCarts: p.abandoned,
      lastAbandonedAt: iso(p.lastAbandonedAt),
      firstCampaignId: p.first?.id ?? null,
      firstCampaignName: p.first?.id === 'C1' ? 'Spring "sale"' : null,
      lastCampaignId: p.last?.id ?? null,
      lastCampaignName: p.last?.id === 'C1' ? 'Spring "sale"' : null,
      lastCampaignAt: iso(p.last?.at ?? null),
    };
  }
  const sorted = (ps: Profile[]) => [...ps].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const segment = (query: string) => allRows(suite.app, `${base}/contacts${query ? `?${query}` : ''}`, token, 3);

  beforeAll(async () => {
    customerId = await addCustomer(suite.store);
    token = (await addUser(suite.store, customerId)).token;
    const admin = (await addUser(suite.store, customerId, 'admin')).token;
    base = `/api/v1/customers/${customerId}`;
    await suite.store.directory.putContacts(customerId, DIRECTORY, T0);
    await suite.store.directory.putCampaigns(customerId, [{ campaignId: 'C1', name: 'Spring "sale"' }], T0);

    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    let n = 0;
    const send = async (event: object) => {
      const res = await postEvents(suite.app, batch(customerId, [event]));
      expect(res.json(), JSON.stringify(event)).toMatchObject({ accepted: 1, rejected: [] });
    };

    for (let step = 0; step < 90; step++) {
      clock.advance(Math.floor((1 + rnd() * 29) * HOUR));
      const now = clock.now;
      const pi = Math.floor(rnd() * PERSONAS.length);
      const who = PERSONAS[pi];
      const fromEmail = rnd() < (who.uid ? 0.6 : 0.3);
      const campaign = fromEmail ? { id: pick(CAMPAIGNS), at: now - Math.floor(rnd() * 48 * HOUR) } : null;
      const attribution = campaign && (who.uid ? { emst: `${campaign.id}.${who.uid}`, at: campaign.at } : { sc_src: `email_${campaign.id}`, at: campaign.at });
      const sentUid = campaign && who.uid ? who.uid : undefined;
      const email = who.email && (who.uid ? rnd() < 0.5 : true) ? who.email : undefined;
      const key = keyOf(sentUid, email);
      const currency = rnd() < 0.2 ? 'USD' : 'EUR';
      const common = { time: now, currency, ...(attribution ? { attribution } : {}), ...(email ? { email } : {}) };
      const action = rnd();
      const mine = model.carts.filter((c) => c.persona === pi && c.state !== 'closed');

      if (action < 0.45) {
        const again = mine.length > 0 && rnd() < 0.3 ? pick(mine) : undefined;
        const cents = again?.cents ?? 100 + Math.floor(rnd() * 40_000);
        const cartId = again?.cartId ?? `K-${++n}`;
        const visitor = again?.visitor ?? `vis-${cartId}`;
        await send({ type: 'cart', id: `ev-${++n}`, cartId, visitor, total: money(cents), items: [item('S', money(cents), 1)], ...common });
        model.touch(key, email, campaign);
        if (again) Object.assign(again, { key, receivedAt: now, state: 'open' as const });
        else model.carts.push({ cartId, key, visitor, persona: pi, cents, receivedAt: now, state: 'open', countedFor: '' });
      } else if (action < 0.75) {
        const closes = mine.length > 0 && rnd() < 0.6 ? pick(mine) : undefined;
        const cents = closes?.cents ?? 100 + Math.floor(rnd() * 40_000);
        const orderId = `O-${++n}`;
        const visitor = closes?.visitor ?? `ovis-${orderId}`;
        await send({ type: 'order', id: `ev-${++n}`, orderId, visitor, total: money(cents), items: [], ...(closes ? { cartId: closes.cartId } : {}), ...common });
        model.order(key, email, campaign, now, cents, currency);
        if (closes) closes.state = 'closed';
      } else if (action < 0.87 && who.email) {
        // the shop's backend reports a purchase: emst for a campaign click, else the live click (no new campaign fact)
        const cents = 100 + Math.floor(rnd() * 40_000);
        const emst = campaign && who.uid ? `${campaign.id}.${who.uid}` : undefined;
        const res = await suite.app.inject({
          method: 'POST',
          url: `${base}/purchases`,
          headers: { authorization: `Bearer ${admin}` },
          payload: { email: who.email, orderId: `P-${++n}`, total: money(cents), currency, ...(emst ? { emst } : {}) },
        });
        expect(res.statusCode, res.body).toBe(201);
        const pkey = emst ? `u:${who.uid}` : keyOf(undefined, who.email);
        const p = model.profiles.get(pkey);
        const live = !emst && p?.last && p.last.at <= now && p.last.at >= now - WINDOW ? p.last : null;
        expect(res.json().campaignId).toBe(emst ? campaign!.id : (live?.id ?? null));
        model.order(pkey, who.email, emst ? { id: campaign!.id, at: now } : null, now, cents, currency);
      } else {
        await suite.app.sweeper.runOnce();
        model.sweep(now);
      }
    }
    clock.advance(HOUR);
    await suite.app.sweeper.runOnce();
    model.sweep(clock.now);
    // a direct order from no one: no profile
    await send({ type: 'order', id: 'ev-anon', orderId: 'O-anon', visitor: 'anon', total: '1.00', items: [], time: clock.now });
    // another customer's contacts never show
    const other = await addCustomer(suite.store);
    await postEvents(suite.app, batch(other, [{ type: 'order', id: 'x', orderId: 'X', visitor: 'x', total: '900', items: [], time: clock.now, email: 'other@example.com' }]));
  }, 180_000);


  it('keeps every profile equal to the one computed from the events (both currencies)', async () => {
    const profiles = sorted([...model.profiles.values()]);
    expect(profiles.length).toBeGreaterThanOrEqual(6);
    expect(profiles.some((p) => p.abandoned > 1)).toBe(true);
    expect(profiles.some((p) => p.cents.has('USD'))).toBe(true);
    for (const currency of ['EUR', 'USD']) {
      expect(await segment(`currency=${currency}`)).toEqual(profiles.map((p) => expectedRow(p, currency)));
    }
    expect(await segment('')).toEqual(profiles.map((p) => expectedRow(p, 'EUR')));
  });

  it('selects exactly the contacts of each filter', async () => {
    const now = clock.now;
    const all = sorted([...model.profiles.values()]);
    const eur = (p: Profile) => p.cents.get('EUR') ?? 0;
    const filters: [string, (p: Profile) => boolean][] = [
      ['abandonedWithinDays=7', (p) => p.lastAbandonedAt !== null && p.lastAbandonedAt >= now - 7 * DAY],
      ['abandonedWithinDays=7&noPurchaseSinceAbandon=true', (p) => p.lastAbandonedAt !== null && p.lastAbandonedAt >= now - 7 * DAY && (!p.lastOrder || p.lastOrder.at < p.lastAbandonedAt)],
      ['noPurchaseSinceAbandon=true', (p) => p.lastAbandonedAt !== null && (!p.lastOrder || p.lastOrder.at < p.lastAbandonedAt)],
      ['minAbandonedCarts=4', (p) => p.abandoned >= 4],
      ['minTotalValue=500', (p) => eur(p) >= 50_000],
      ['minTotalValue=200.5&currency=USD', (p) => (p.cents.get('USD') ?? 0) >= 20_050],
      ['noPurchaseForDays=3', (p) => !p.lastOrder || p.lastOrder.at < now - 3 * DAY],
      ['noPurchaseForDays=3&minOrders=1', (p) => p.orders >= 1 && p.lastOrder!.at < now - 3 * DAY],
      ['purchasedWithinDays=10', (p) => p.lastOrder !== null && p.lastOrder.at >= now - 10 * DAY],
      ['minOrders=4', (p) => p.orders >= 4],
      ['maxOrders=2', (p) => p.orders <= 2],
      ['lastCampaign=C2', (p) => p.last?.id === 'C2'],
      ['firstCampaign=C3&minOrders=1', (p) => p.first?.id === 'C3' && p.orders >= 1],
    ];
    for (const [query, keep] of filters) {
      const expected = all.filter(keep);
      // a filter that keeps all or none would prove nothing here
      expect(expected.length, query).toBeGreaterThan(0);
      expect(expected.length, query).toBeLessThan(all.length);
      const currency = /currency=(\w+)/.exec(query)?.[1] ?? 'EUR';
      expect(await segment(query), query).toEqual(expected.map((p) => expectedRow(p, currency)));
    }
  });

  it('pages with the reports cursor and totals, and exports CSV with formulas neutralised', async () => {
    const first = await getJson(suite.app, `${base}/contacts?limit=2`, token);
    expect(first.total).toBe(model.profiles.size);
    expect(first.rows).toHaveLength(2);
    const second = await getJson(suite.app, `${base}/contacts?limit=2&cursor=${first.next}`, token);
    expect(second.rows[0]).not.toEqual(first.rows[1]);
    const res = await suite.app.inject({ url: `${base}/contacts?format=csv`, headers: { authorization: `Bearer ${token}` } });
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['x-total-count']).toBe(String(model.profiles.size));
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'contactUid,email,orders,totalOrderValue,currency,lastOrderAt,lastOrderValue,lastOrderCurrency,abandonedCarts,lastAbandonedAt,firstCampaignId,firstCampaignName,lastCampaignId,lastCampaignName,lastCampaignAt',
    );
    expect(lines).toHaveLength(model.profiles.size + 1);
    expect(lines.some((l) => l.startsWith(",'=1+2@evil.example,"))).toBe(true);
    expect(res.body).toContain('"Spring ""sale"""');
  });

  it('answers bad filters with 400 naming the field, and is for ecommerce-admin of that customer only', async () => {
    const bad: [string, string][] = [
      ['abandonedWithinDays=0', 'abandonedWithinDays: must be at least 1'],
      ['abandonedWithinDays=week', 'abandonedWithinDays: must be an integer'],
      ['noPurchaseSinceAbandon=maybe', 'noPurchaseSinceAbandon: must be true or false'],
      ['minTotalValue=1,000', 'minTotalValue: must be a dot-decimal amount such as "2999.00" (no thousands separator)'],
      ['currency=euro', 'currency: must be an ISO 4217 currency code such as EUR'],
      ['minOrders=3&maxOrders=2', 'maxOrders: must not be less than minOrders'],
      ['cursor=abc', 'cursor: is not a cursor given by this API'],
      ['boughtNothing=true', 'boughtNothing: is not a known field'],
    ];
    for (const [query, message] of bad) {
      const res = await suite.app.inject({ url: `${base}/contacts?${query}`, headers: { authorization: `Bearer ${token}` } });
      expect([res.statusCode, res.json()], query).toEqual([400, { error: 'invalid_request', message }]);
    }
    const admin = (await addUser(suite.store, customerId, 'admin')).token;
    const asAdmin = await suite.app.inject({ url: `${base}/contacts`, headers: { authorization: `Bearer ${admin}` } });
    expect([asAdmin.statusCode, asAdmin.json().message]).toEqual([403, 'role: this needs the ecommerce-admin role; yours is admin']);
    const stranger = (await addUser(suite.store, await addCustomer(suite.store))).token;
    expect((await suite.app.inject({ url: `${base}/contacts`, headers: { authorization: `Bearer ${stranger}` } })).statusCode).toBe(403);
  });

  it('takes a contact out of noPurchaseSinceAbandon once it bought after the abandonment, whatever its browser clock says', async () => {
    const shop = await addCustomer(suite.store);
    const shopToken = (await addUser(suite.store, shop, 'ecommerce-admin')).token;
    const segment = async () => (await getJson(suite.app, `/api/v1/customers/${shop}/contacts?noPurchaseSinceAbandon=true`, shopToken)).rows.map((r) => r.contactUid);
    // the shopper's clock is 2 hours behind: the events' times are the browser's
    const skew = -2 * HOUR;
    const at = clock.now;
    const attribution = { emst: 'C1.u-skew', at: at + skew };
    const sent = (event: object) => postEvents(suite.app, batch(shop, [event])).then((r) => expect(r.json()).toMatchObject({ accepted: 1, rejected: [] }));
    await sent({ type: 'cart', id: 'sk-c', cartId: 'SK-1', visitor: 'sv', attribution, total: '10.00', items: [item('S', '10.00', 1)], time: at + skew });
    clock.advance(ABANDON_AFTER + MINUTE);
    await suite.app.sweeper.runOnce();
    expect(await segment()).toEqual(['u-skew']);
    // back from the reminder, 15 minutes later, it buys the cart
    clock.advance(15 * MINUTE);
    await sent({ type: 'order', id: 'sk-o', orderId: 'SK-O1', cartId: 'SK-1', visitor: 'sv', attribution, total: '10.00', items: [], time: clock.now + skew });
    expect(await segment()).toEqual([]);
  });

  it("keeps a buyer out of noPurchaseSinceAbandon when one of its orders is replaced: its last order arrived after the abandonment", async () => {
    const shop = await addCustomer(suite.store);
    const shopToken = (await addUser(suite.store, shop, 'ecommerce-admin')).token;
    const admin = (await addUser(suite.store, shop, 'admin')).token;
    const segment = async () => (await getJson(suite.app, `/api/v1/customers/${shop}/contacts?noPurchaseSinceAbandon=true`, shopToken)).rows.map((r) => r.contactUid);
    const at = clock.now;
    const attribution = { emst: 'C1.u-two', at };
    const sent = (event: object) => postEvents(suite.app, batch(shop, [event])).then((r) => expect(r.json()).toMatchObject({ accepted: 1, rejected: [] }));
    await sent({ type: 'cart', id: 'tw-c', cartId: 'TW-1', visitor: 'tv', attribution, total: '10.00', items: [item('S', '10.00', 1)], time: at });
    // an order from another device with a right clock, before the abandonment
    clock.advance(MINUTE);
    await sent({ type: 'order', id: 'tw-a', orderId: 'TW-A', visitor: 'tv-other', attribution, total: '5.00', items: [], time: clock.now });
    clock.advance(ABANDON_AFTER);
    await suite.app.sweeper.runOnce();
    // the cart bought from a browser whose clock is 2 hours behind: its time is the earliest
    clock.advance(15 * MINUTE);
    await sent({ type: 'order', id: 'tw-b', orderId: 'TW-B', cartId: 'TW-1', visitor: 'tv', attribution, total: '10.00', items: [], time: clock.now - 2 * HOUR });
    expect(await segment()).toEqual([]);
    // the backend reports the first order with another total: the profile's last order is read again
    const replaced = await suite.app.inject({ method: 'POST', url: `/api/v1/customers/${shop}/purchases`, headers: { authorization: `Bearer ${admin}` }, payload: { email: 'two@example.com', orderId: 'TW-A', total: '6.00', emst: 'C1.u-two' } });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(await segment()).toEqual([]);
  });
});
