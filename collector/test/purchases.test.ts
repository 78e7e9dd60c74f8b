// Server-side purchases (docs/advanced.md) on both engines: counted once with the browser's
// copy of the same order whichever arrives first, the backend's values winning, attribution by emst, by the contact's live click,
// or none, who may post, what bad input answers, and the Node helper over a real port.
import { describe, expect, it } from 'vitest';
import { trackPurchase } from '../../src/server/track-purchase.js';
import { ENGINES } from './helpers/engines.js';
import { DAY, MINUTE, T0, addCustomer, addUser, batch, cart, item, order, testApp, testClock } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { allRows, getJson, postEvents } from './helpers/http.js';

describe.each(ENGINES)('server-side purchases on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);

  async function account() {
    const customerId = await addCustomer(suite.store);
    const { token } = await addUser(suite.store, customerId, 'ecommerce-admin');
    const admin = (await addUser(suite.store, customerId, 'admin')).token;
    const base = `/api/v1/customers/${customerId}`;
    return {
      customerId,
      token,
      admin,
      purchase: (body: object, as = admin) =>
        suite.app.inject({ method: 'POST', url: `${base}/purchases`, payload: body, headers: { authorization: `Bearer ${as}` } }),
      send: async (...events: object[]) => {
        const res = await postEvents(suite.app, batch(customerId, events));
        expect(res.json().rejected).toEqual([]);
        return res.json() as { accepted: number; duplicates: number };
      },
      orders: () => allRows(suite.app, `${base}/orders?attributed=all`, token),
      items: () => allRows(suite.app, `${base}/items?attributed=all`, token),
      summary: async () => (await getJson(suite.app, `${base}/summary?attributed=all`, token)).rows,
      cart: (id: string) => getJson<Record<string, unknown>>(suite.app, `${base}/abandoned-carts/${id}`, token),
    };
  }

  it('counts a purchase once when the backend reports it first and the browser sends the same order after', async () => {
    clock.set(T0);
    const a = await account();
    await a.send(cart({ cartId: 'K-1', total: '29.90', visitor: 'v-1' }));
    const res = await a.purchase({ email: 'ann@example.com', orderId: 'A-1', total: '29.90', emst: 'C1.u1', items: [{ sku: 'SKU-1', price: '29.90' }] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ orderId: 'A-1', duplicate: false, campaignId: 'C1', contactUid: 'u1', attribution: 'emst' });
    // the Thank You page's copy: a duplicate, but it still closes the cart it names
    expect(await a.send(order({ orderId: 'A-1', cartId: 'K-1', visitor: 'v-1', total: '29.90' }))).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await a.purchase({ email: 'ann@example.com', orderId: 'A-1', total: '29.90' }).then((r) => [r.statusCode, r.json().duplicate])).toEqual([200, true]);
    const orders = await a.orders();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ orderId: 'A-1', source: 'api', email: 'ann@example.com', campaignId: 'C1', total: 29.9, itemCount: 1 });
    clock.advance(60 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect(await a.cart('K-1')).toMatchObject({ state: 'ordered', orderId: 'A-1' });
    expect(await a.summary()).toMatchObject([{ campaignId: 'C1', orders: 1, revenue: 29.9, buyers: 1, carts: 1, abandonedCarts: 0, conversionRate: 1 }]);
  });

  it("closes the cart the backend names (the SDK's cart ID, or its visitor's earlier carts) when the browser never sends the order", async () => {
    clock.set(T0);
    const a = await account();
    // the buyer paid on a gateway's page and never came back to the Thank You page
    await a.send(cart({ cartId: 'K-GW', total: '29.90', visitor: 'v-gw', email: 'gw@example.com' }));
    await a.send(cart({ cartId: 'K-GV', total: '15.00', visitor: 'v-gv' }));
    await a.send(cart({ cartId: 'K-OPEN', total: '9.00', visitor: 'v-other' }));
    clock.advance(5 * MINUTE);
    expect((await a.purchase({ email: 'gw@example.com', orderId: 'A-GW', total: '29.90', cartId: 'K-GW' })).statusCode).toBe(201);
    expect((await a.purchase({ email: 'gv@example.com', orderId: 'A-GV', total: '15.00', visitor: 'v-gv' })).statusCode).toBe(201);
    clock.advance(60 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect(await a.cart('K-GW')).toMatchObject({ state: 'ordered', orderId: 'A-GW' });
    expect(await a.cart('K-GV')).toMatchObject({ state: 'ordered', orderId: 'A-GV' });
    expect(await a.cart('K-OPEN')).toMatchObject({ state: 'abandoned' });
    // bad IDs are refused by name
    const bad = await a.purchase({ email: 'gw@example.com', orderId: 'A-BAD', total: '1.00', cartId: '' });
    expect([bad.statusCode, bad.json().message]).toEqual([400, expect.stringMatching(/^cartId: /)]);
  });

  it('closes the cart when the browser sends its order copy and the cart (a retry) in one batch after the backend reported the order', async () => {
    clock.set(T0);
    const a = await account();
    expect((await a.purchase({ email: 'ann@example.com', orderId: 'A-9', total: '29.90' })).statusCode).toBe(201);
    // the Thank You page's order and, behind it, the Order Confirmation page's cart that was retried
    const res = await postEvents(suite.app, batch(a.customerId, [order({ orderId: 'A-9', cartId: 'K-9', visitor: 'v-9', total: '29.90' }), cart({ cartId: 'K-9', visitor: 'v-9', total: '29.90', time: T0 - MINUTE })]));
    expect(res.json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    clock.advance(60 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect(await a.cart('K-9')).toMatchObject({ state: 'ordered', orderId: 'A-9' });
  });

  it('counts a purchase once when the browser sent the order first, and takes what was bought from the backend', async () => {
    clock.set(T0);
    const a = await account();
    await a.send(order({ orderId: 'B-1', total: '10.00', campaign: 'C2', contact: 'u2', items: [item('FAKE', '10.00', 1)] }));
    const res = await a.purchase({ email: 'bob@example.com', orderId: 'B-1', total: '99.00', emst: 'C9.u9', items: [{ sku: 'REAL', price: '49.50', quantity: 2 }] });
    expect(res.statusCode).toBe(200);
    // the order keeps the browser's click (C2) and moves to the backend's contact
    expect(res.json()).toEqual({ orderId: 'B-1', duplicate: true, campaignId: 'C2', contactUid: 'u9', attribution: null });
    const orders = await a.orders();
    expect(orders.map((o) => [o.orderId, o.total, o.source, o.email, o.itemCount])).toEqual([['B-1', 99, 'api', 'bob@example.com', 2]]);
    expect((await a.items()).map((i) => i.sku)).toEqual(['REAL']);
    expect(await a.summary()).toMatchObject([{ campaignId: 'C2', orders: 1, revenue: 99 }]);
    // a browser copy sent after the backend's never replaces it
    await a.send(order({ orderId: 'B-1', total: '1.00', campaign: 'C2', contact: 'u2' }));
    expect((await a.orders()).map((o) => [o.total, o.source])).toEqual([[99, 'api']]);
    expect(await a.summary()).toMatchObject([{ campaignId: 'C2', orders: 1, revenue: 99 }]);
  });

  it("moves the buyer with the order when the backend names another currency: the first currency keeps only buyers it still has orders of", async () => {
    clock.set(T0);
    const a = await account();
    // the browser sent no currency (the customer's default, EUR); the backend says USD
    await a.send(order({ orderId: 'M-1', total: '10.00', campaign: 'C4', contact: 'u4', currency: 'EUR' }));
    // another EUR buyer of the campaign, and the same buyer's second EUR order on another day
    await a.send(order({ orderId: 'M-2', total: '5.00', campaign: 'C4', contact: 'u5', currency: 'EUR' }));
    clock.set(T0 + 2 * DAY + 10 * MINUTE);
    await a.send(order({ orderId: 'M-3', total: '7.00', campaign: 'C4', contact: 'u6', currency: 'EUR', time: T0 + 2 * DAY }));
    await a.send(order({ orderId: 'M-4', total: '3.00', campaign: 'C4', contact: 'u6', currency: 'EUR', time: T0 + 2 * DAY + MINUTE }));
    await a.send(order({ orderId: 'M-5', total: '2.00', campaign: 'C4', contact: 'u5', currency: 'EUR', time: T0 + 2 * DAY + 2 * MINUTE }));
    expect((await a.purchase({ email: 'four@example.com', orderId: 'M-1', total: '12.00', currency: 'USD' })).statusCode).toBe(200);
    expect((await a.purchase({ email: 'six@example.com', orderId: 'M-3', total: '8.00', currency: 'USD' })).statusCode).toBe(200);
    expect((await a.purchase({ email: 'five@example.com', orderId: 'M-2', total: '6.00', currency: 'USD' })).statusCode).toBe(200);
    const byCurrency = (rows: Record<string, unknown>[]) => Object.fromEntries(rows.map((r) => [r.currency, [r.orders, r.buyers]]));
    // u4 left EUR with its only order; u6 (M-4, the same day) and u5 (M-5, another day) are still EUR buyers
    expect(byCurrency(await a.summary())).toEqual({ EUR: [2, 2], USD: [3, 3] });
    // the same over a range of whole days (buyers counted by day) and with partial days at its edges
    const base = `/api/v1/customers/${a.customerId}/summary?attributed=all`;
    const ranged = async (from: number, to: number) =>
      byCurrency((await getJson(suite.app, `${base}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, a.token)).rows);
    expect(await ranged(T0 - 10 * DAY, T0 + 10 * DAY)).toEqual({ EUR: [2, 2], USD: [3, 3] });
    expect(await ranged(T0 - 10 * DAY, T0 + DAY)).toEqual({ USD: [2, 2] });
    expect(await ranged(T0 - 5 * MINUTE, T0 + 2 * DAY + MINUTE / 2)).toEqual({ USD: [3, 3] });
    // a campaign whose only order moved has no row left in the first currency
    await a.send(order({ orderId: 'M-6', total: '1.00', campaign: 'C5', contact: 'u4', currency: 'EUR' }));
    expect((await a.purchase({ email: 'four@example.com', orderId: 'M-6', total: '1.00', currency: 'USD' })).statusCode).toBe(200);
    expect(byCurrency((await getJson(suite.app, `${base}&campaign=C5`, a.token)).rows)).toEqual({ USD: [1, 1] });
  });

  it("moves the order to the backend's contact entirely: erasing the browser's contact leaves it alone, and a refund nets the new contact's value", async () => {
    clock.set(T0 + MINUTE);
    const a = await account();
    const auth = { authorization: `Bearer ${a.admin}` };
    const base = `/api/v1/customers/${a.customerId}`;
    await a.send(order({ orderId: 'E-1', campaign: 'C1', contact: 'u1', email: 'ann@example.com', total: '30.00', items: [item('A', '10.00', 3)] }));
    expect((await a.purchase({ email: 'bob@example.com', orderId: 'E-1', total: '40.00' })).json()).toMatchObject({ duplicate: true, contactUid: null });
    expect((await a.orders()).map((o) => [o.contactUid, o.email, o.campaignId])).toEqual([[null, 'bob@example.com', 'C1']]);
    expect((await suite.app.inject({ method: 'POST', url: `${base}/contacts/erase`, payload: { contactUid: 'u1' }, headers: auth })).statusCode).toBe(200);
    expect((await a.orders()).map((o) => o.email)).toEqual(['bob@example.com']);
    expect((await suite.app.inject({ method: 'POST', url: `${base}/orders/E-1/refunds`, payload: { amount: '10.00' }, headers: auth })).statusCode).toBe(201);
    expect(await suite.store.profiles.get(a.customerId, 'e:bob@example.com')).toMatchObject({ orders: 1, lastOrderValue: 300_000n });
  });

  it("drops the browser's tax and shipping when the backend names another currency (they were in the first one)", async () => {
    clock.set(T0 + MINUTE);
    const a = await account();
    await a.send(order({ orderId: 'T-1', total: '30.00', tax: '5.00', shipping: '4.90', currency: 'EUR' }));
    await a.send(order({ orderId: 'T-2', total: '30.00', tax: '5.00', shipping: '4.90', currency: 'EUR' }));
    await a.purchase({ email: 'tess@example.com', orderId: 'T-1', total: '40.00', currency: 'USD' });
    await a.purchase({ email: 'tess@example.com', orderId: 'T-2', total: '40.00', currency: 'EUR' });
    const byId = Object.fromEntries((await a.orders()).map((o) => [o.orderId, [o.currency, o.tax, o.shipping]]));
    expect(byId).toEqual({ 'T-1': ['USD', null, null], 'T-2': ['EUR', 5, 4.9] });
  });

  it("attributes a purchase without emst to the contact's last click within 30 days, else stores it unattributed", async () => {
    clock.set(T0);
    const a = await account();
    await suite.store.directory.putContacts(a.customerId, [{ contactUid: 'u7', email: 'Carol@Example.com' }], T0);
    // the browser saw the contact's clicks: C6 first, then C7 (both 1 day before the purchase)
    await a.send(
      cart({ cartId: 'K-6', campaign: 'C6', contact: 'u7', attribution: { sc_src: 'email_C6', sc_uid: 'u7', at: T0 - 3 * DAY } }),
      cart({ cartId: 'K-7', campaign: 'C7', contact: 'u7', attribution: { sc_src: 'email_C7', sc_uid: 'u7', at: T0 - DAY } }),
    );
    const byClick = await a.purchase({ email: 'carol@example.com', orderId: 'C-1', total: 12 });
    expect(byClick.json()).toEqual({ orderId: 'C-1', duplicate: false, campaignId: 'C7', contactUid: 'u7', attribution: 'click' });
    // 31 days after the click: out of the window
    clock.set(T0 + 30 * DAY);
    const late = await a.purchase({ email: 'carol@example.com', orderId: 'C-2', total: 5, time: T0 + 30 * DAY });
    expect(late.json()).toEqual({ orderId: 'C-2', duplicate: false, campaignId: null, contactUid: 'u7', attribution: 'none' });
    // a buyer who never came from an email is captured too
    const direct = await a.purchase({ email: 'dan@example.com', orderId: 'C-3', total: '7.50', currency: 'USD' });
    expect(direct.json()).toEqual({ orderId: 'C-3', duplicate: false, campaignId: null, contactUid: null, attribution: 'none' });
    const byId = new Map((await a.orders()).map((o) => [o.orderId, o]));
    expect(byId.get('C-1')).toMatchObject({ campaignId: 'C7', contactUid: 'u7', email: 'carol@example.com' });
    expect(byId.get('C-3')).toMatchObject({ campaignId: null, contactUid: null, email: 'dan@example.com', currency: 'USD', total: 7.5, time: new Date(T0 + 30 * DAY).toISOString() });
    // the default (email-attributed) list has only the attributed one
    const attributed = await getJson(suite.app, `/api/v1/customers/${a.customerId}/orders`, a.token);
    expect(attributed.rows.map((o) => o.orderId)).toEqual(['C-1']);
  });

  it("counts the contact's clicks as its last campaign: a purchase after a click alone, or after a later click than its cart's, goes to that click", async () => {
    clock.set(T0);
    const a = await account();
    await suite.store.directory.putContacts(a.customerId, [{ contactUid: 'u-c1', email: 'one@example.com' }, { contactUid: 'u-c2', email: 'two@example.com' }], T0);
    const click = (campaign: string, contact: string, at: number) => ({ type: 'click', id: `ev-${campaign}-${contact}`, time: at, visitor: `v-${contact}`, attribution: { emst: `${campaign}.${contact}`, at }, path: '/shop/' });
    // a click and nothing else
    await a.send(click('CK1', 'u-c1', T0 - 60 * MINUTE));
    const alone = await a.purchase({ email: 'one@example.com', orderId: 'CK-1', total: 50 });
    expect(alone.json()).toEqual({ orderId: 'CK-1', duplicate: false, campaignId: 'CK1', contactUid: 'u-c1', attribution: 'click' });
    expect((await a.orders()).find((o) => o.orderId === 'CK-1')).toMatchObject({ campaignId: 'CK1' });
    // a cart from campaign CA two hours ago, then a click on CB one hour ago
    await a.send(cart({ cartId: 'K-CA', campaign: 'CA', contact: 'u-c2', visitor: 'v-u-c2', attribution: { emst: 'CA.u-c2', at: T0 - 120 * MINUTE } }), click('CB', 'u-c2', T0 - 60 * MINUTE));
    const later = await a.purchase({ email: 'two@example.com', orderId: 'CK-2', total: 20 });
    expect(later.json()).toMatchObject({ campaignId: 'CB', attribution: 'click' });
    const segment = await getJson(suite.app, `/api/v1/customers/${a.customerId}/contacts?lastCampaign=CB`, a.token);
    expect(segment.rows.map((r) => r.contactUid)).toEqual(['u-c2']);
  });

  it('takes the total from the items when none is given, and clamps the time like a browser order', async () => {
    clock.set(T0);
    const a = await account();
    const res = await a.purchase({ email: 'e@example.com', orderId: 'D-1', items: [item('X', '2.50', 3), { sku: 'Y', price: 1 }], time: T0 - 30 * DAY });
    expect(res.statusCode).toBe(201);
    const detail = await getJson<Record<string, unknown>>(suite.app, `/api/v1/customers/${a.customerId}/orders/D-1`, a.token);
    expect(detail).toMatchObject({ total: 8.5, itemCount: 4, time: new Date(T0 - 7 * DAY).toISOString(), source: 'api' });
  });

  it('lets admin and ecommerce-admin post, for their own customer only', async () => {
    const a = await account();
    const b = await account();
    expect((await a.purchase({ email: 'x@example.com', orderId: 'R-1', total: 1 }, a.token)).statusCode).toBe(201);
    expect((await a.purchase({ email: 'x@example.com', orderId: 'R-2', total: 1 }, a.admin)).statusCode).toBe(201);
    const foreign = await a.purchase({ email: 'x@example.com', orderId: 'R-3', total: 1 }, b.admin);
    expect([foreign.statusCode, foreign.json().message]).toEqual([403, 'customerId: these credentials do not give access to this customer']);
    const anonymous = await suite.app.inject({ method: 'POST', url: `/api/v1/customers/${a.customerId}/purchases`, payload: { email: 'x@example.com', orderId: 'R-4' } });
    expect(anonymous.statusCode).toBe(401);
    expect((await a.orders()).map((o) => o.orderId).sort()).toEqual(['R-1', 'R-2']);
  });

  it('answers bad input with 400 naming the field and the reason, and stores nothing', async () => {
    const a = await account();
    const cases: [object, string][] = [
      [{ orderId: 'V-1' }, 'email: is required'],
      [{ email: 'not-an-email', orderId: 'V-1' }, 'email: must be an email address'],
      [{ email: 'v@example.com' }, 'orderId: is required'],
      [{ email: 'v@example.com', orderId: '' }, 'orderId: must not be empty'],
      [{ email: 'v@example.com', orderId: 'V-1', total: '2,999.00' }, 'total: must be a dot-decimal amount such as "2999.00" (no thousands separator)'],
      [{ email: 'v@example.com', orderId: 'V-1', currency: 'euro' }, 'currency: must be an ISO 4217 currency code such as EUR'],
      [{ email: 'v@example.com', orderId: 'V-1', items: [{ sku: 'A', price: 'free' }] }, 'items[0].price: must be a dot-decimal amount such as "2999.00" (no thousands separator)'],
      [{ email: 'v@example.com', orderId: 'V-1', items: [{ sku: 'A', price: 1, quantity: 0 }] }, 'items[0].quantity: must be at least 1'],
      [{ email: 'v@example.com', orderId: 'V-1', time: 'yesterday' }, 'time: must be an integer'],
      [{ email: 'v@example.com', orderId: 'V-1', emst: 'C1\u0000x' }, 'emst: must not contain control characters'],
      [{ email: 'v@example.com', orderId: 'V-1', colour: 'red' }, 'colour: is not a known field'],
    ];
    for (const [body, message] of cases) {
      const res = await a.purchase(body);
      expect([res.statusCode, res.json()], JSON.stringify(body)).toEqual([400, { error: 'invalid_request', message }]);
    }
    expect(await a.orders()).toEqual([]);
  });

  it('works with the trackPurchase helper over a real port', async () => {
    const served = await testApp(suite.store, { clock: clock.clock });
    try {
      await served.listen({ port: 0, host: '127.0.0.1' });
      const endpoint = `http://127.0.0.1:${(served.server.address() as { port: number }).port}`;
      const a = await account();
      const purchase = { email: 'helper@example.com', orderId: 'H-1', total: '19.99', currency: 'EUR', items: [{ sku: 'H', price: '19.99' }], emst: 'C3.u3' };
      const first = await trackPurchase({ endpoint, customerId: a.customerId, token: a.token, purchase });
      expect(first).toMatchObject({ status: 201, attempts: 1, body: { orderId: 'H-1', duplicate: false, campaignId: 'C3' } });
      const again = await trackPurchase({ endpoint, customerId: a.customerId, token: a.token, purchase });
      expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
      expect((await a.orders()).map((o) => o.orderId)).toEqual(['H-1']);
    } finally {
      await served.close();
    }
  });
});
