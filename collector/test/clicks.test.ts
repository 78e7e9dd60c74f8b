// Click ingest (docs/protocol.md, "Events") on both engines: what a click must carry, each
// click kept once per event ID, and how every order says it was attributed: `cookie` for the
// SDK's kept parameters, `emst` for the legacy methods, `api` and `contact` for server-side
// purchases, `visitor` and `contact` when the collector found the click itself.
import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/engines.js';
import { DAY, MINUTE, T0, addCustomer, addUser, batch, order, testClock, uid } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { allRows, postEvents } from './helpers/http.js';

/** A click on an email link of `campaign`, for `contact`, landing on /shop/. */
function click(e: Record<string, unknown> & { campaign?: string; contact?: string } = {}): Record<string, unknown> {
  const { campaign = 'C1', contact = 'u1', ...rest } = e;
  return {
    type: 'click',
    id: uid('ev'),
    time: T0 - DAY,
    visitor: 'v1',
    attribution: { emst: `${campaign}.${contact}`, sc_src: `email_${campaign}`, sc_uid: contact, at: T0 - DAY },
    path: '/shop/',
    ...rest,
  };
}

describe.each(ENGINES)('clicks on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);

  async function account() {
    const customerId = await addCustomer(suite.store);
    const { token } = await addUser(suite.store, customerId);
    const admin = (await addUser(suite.store, customerId, 'admin')).token;
    const base = `/api/v1/customers/${customerId}`;
    return {
      customerId,
      base,
      token,
      post: async (events: unknown[], extra: Record<string, unknown> = {}) => (await postEvents(suite.app, batch(customerId, events, extra))).json(),
      purchase: (body: object) => suite.app.inject({ method: 'POST', url: `${base}/purchases`, payload: body, headers: { authorization: `Bearer ${admin}` } }),
      /** the stored orders' campaign and how it was found, once the reports have them */
      attribution: async () => {
        await allRows(suite.app, `${base}/orders?attributed=all`, token);
        const rows = await suite.store.db.all<Record<string, unknown>>(
          'SELECT order_id, campaign_id, attribution, click_at FROM orders WHERE customer_id = $1 ORDER BY order_id',
          [customerId],
        );
        return Object.fromEntries(rows.map((r) => [r.order_id, [r.campaign_id, r.attribution, r.click_at === null ? null : Number(r.click_at)]]));
      },
      clicks: () =>
        suite.store.db.all<Record<string, unknown>>('SELECT click_id, campaign_id, contact_uid, visitor, path FROM clicks WHERE customer_id = $1 ORDER BY click_id', [
          customerId,
        ]),
    };
  }

  it('keeps a click with its campaign, contact, visitor and landing path, once per event ID', async () => {
    clock.set(T0);
    const a = await account();
    const c = click({ id: 'click-1', campaign: 'C7', contact: 'u7', visitor: 'v7' });
    expect(await a.post([c])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    // a retry of the same batch, and the same click in another batch
    expect(await a.post([c])).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await a.post([c, click({ id: 'click-2', campaign: 'C7', contact: '', attribution: { sc_src: 'email_C7', at: T0 - DAY } })])).toEqual({
      accepted: 1,
      duplicates: 1,
      rejected: [],
    });
    await a.attribution();
    expect(await a.clicks()).toEqual([
      { click_id: 'click-1', campaign_id: 'C7', contact_uid: 'u7', visitor: 'v7', path: '/shop/' },
      { click_id: 'click-2', campaign_id: 'C7', contact_uid: '', visitor: 'v1', path: '/shop/' },
    ]);
  });

  it('refuses a click without a campaign, with a path carrying a query string, or without attribution, naming the field', async () => {
    clock.set(T0);
    const a = await account();
    const res = await a.post([
      click({ attribution: { utm_source: 'newsletter', at: T0 } }),
      click({ path: '/shop/?emst=C1.u1' }),
      click({ path: 'shop' }),
      click({ attribution: undefined }),
      click({ path: `/${'x'.repeat(600)}` }),
      click({ items: [] }),
      { ...click(), type: 'view' },
    ]);
    expect(res).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: [
        { index: 0, field: 'events[0].attribution', reason: 'names no campaign (emst=<campaignId>.<contactUid>, or sc_src=email_<campaignId>)' },
        { index: 1, field: 'events[1].path', reason: 'must be a path from "/" without query string, fragment or control characters' },
        { index: 2, field: 'events[2].path', reason: 'must be a path from "/" without query string, fragment or control characters' },
        { index: 3, field: 'events[3].attribution', reason: 'is required' },
        { index: 4, field: 'events[4].path', reason: 'must be at most 512 characters' },
        { index: 5, field: 'events[5].items', reason: 'is not a known field' },
        { index: 6, field: 'events[6].type', reason: 'must be "cart", "order" or "click"' },
      ],
    });
    const reasons = (await suite.store.rejected.list(a.customerId)).map((r) => r.reason);
    expect(reasons).toContain('events[0].attribution: names no campaign (emst=<campaignId>.<contactUid>, or sc_src=email_<campaignId>)');
    expect(await a.clicks()).toEqual([]);
  });

  it('records how each order was attributed: cookie, emst, visitor, contact, api', async () => {
    clock.set(T0);
    const a = await account();
    await a.post([click({ id: 'k-v', campaign: 'CV', contact: 'uv', visitor: 'v-lost', time: T0 - 2 * DAY, attribution: { emst: 'CV.uv', at: T0 - 2 * DAY } })]);
    await suite.store.directory.putContacts(a.customerId, [{ contactUid: 'uc', email: 'cee@example.com' }], T0);
    await a.post([click({ id: 'k-c', campaign: 'CC', contact: 'uc', visitor: 'v-other', time: T0 - 3 * DAY, attribution: { emst: 'CC.uc', at: T0 - 3 * DAY } })]);
    expect(
      await a.post([
        order({ orderId: 'O-cookie', campaign: 'C1' }),
        // the cookie was lost: the visitor's click attributes
        order({ orderId: 'O-visitor', campaign: null, visitor: 'v-lost' }),
        // another browser, the same contact: its email is the clicking UID's in the directory
        order({ orderId: 'O-contact', campaign: null, visitor: 'v-new', email: 'Cee@example.com' }),
        order({ orderId: 'O-direct', campaign: null, visitor: 'v-nobody' }),
      ]),
    ).toMatchObject({ accepted: 4, rejected: [] });
    expect(await a.post([order({ orderId: 'O-emst', campaign: 'C2' })], { source: 'emstrack' })).toMatchObject({ accepted: 1 });
    expect((await a.purchase({ email: 'p@example.com', orderId: 'O-api', total: '10.00', emst: 'C3.u3' })).statusCode).toBe(201);
    expect(await a.attribution()).toEqual({
      'O-api': ['C3', 'api', T0],
      'O-contact': ['CC', 'contact', T0 - 3 * DAY],
      'O-cookie': ['C1', 'cookie', T0 - DAY],
      'O-direct': ['', null, null],
      'O-emst': ['C2', 'emst', T0 - DAY],
      'O-visitor': ['CV', 'visitor', T0 - 2 * DAY],
    });
  });

  it("counts an order the visitor's click attributed under the click's contact: one buyer with the contact's other order", async () => {
    clock.set(T0 + MINUTE);
    const a = await account();
    await a.post([click({ id: 'k-b', campaign: 'CB', contact: 'ub', visitor: 'v-b' })]);
    // the first order came with the email link's parameters, the second without (cookie lost)
    await a.post([order({ orderId: 'B-1', campaign: 'CB', contact: 'ub', visitor: 'v-b', time: T0 - 60 * MINUTE })]);
    await a.post([order({ orderId: 'B-2', campaign: null, visitor: 'v-b', time: T0 })]);
    const orders = await allRows(suite.app, `${a.base}/orders?attributed=all`, a.token);
    expect(orders.map((o) => [o.orderId, o.campaignId, o.contactUid])).toEqual([
      ['B-2', 'CB', 'ub'],
      ['B-1', 'CB', 'ub'],
    ]);
    const summary = await allRows(suite.app, `${a.base}/summary`, a.token);
    expect(summary.map((r) => [r.campaignId, r.orders, r.buyers])).toEqual([['CB', 2, 1]]);
  });

  it("a server-side purchase that takes the contact's last campaign says so; outside the window nothing attributes", async () => {
    clock.set(T0);
    const a = await account();
    await suite.store.directory.putContacts(a.customerId, [{ contactUid: 'u5', email: 'five@example.com' }], T0);
    await a.post([order({ orderId: 'O-1', campaign: 'C5', contact: 'u5', email: 'five@example.com', attribution: { emst: 'C5.u5', at: T0 - MINUTE } })]);
    await a.attribution();
    expect((await a.purchase({ email: 'five@example.com', orderId: 'O-2', total: '5.00' })).json()).toMatchObject({ attribution: 'click', campaignId: 'C5' });
    await a.post([click({ id: 'k-old', visitor: 'v-old', campaign: 'C6', time: T0, attribution: { emst: 'C6.u6', at: T0 } })]);
    // 31 days later the window of 30 days is over, for the purchase and for a browser order alike
    clock.set(T0 + 31 * DAY);
    expect((await a.purchase({ email: 'five@example.com', orderId: 'O-3', total: '5.00' })).json()).toMatchObject({ attribution: 'none', campaignId: null });
    await a.post([order({ orderId: 'O-4', campaign: null, visitor: 'v-old', time: T0 + 31 * DAY })]);
    const got = await a.attribution();
    expect(got['O-2']).toEqual(['C5', 'contact', T0 - MINUTE]);
    expect(got['O-3']).toEqual(['', null, null]);
    expect(got['O-4']).toEqual(['', null, null]);
  });
});
