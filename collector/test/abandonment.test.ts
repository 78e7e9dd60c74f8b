// Abandoned carts (docs/collector.md, "Abandoned carts") on both engines, with an injected clock and the sweep
// called directly: the timeout, closing and recovering orders, cart updates, and several
// collectors sharing one database.
import { describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../src/store/store.js';
import { ENGINES } from './helpers/engines.js';
import { DAY, MINUTE, T0, addCustomer, addUser, batch, cart, item, order, testApp, testClock } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { getJson, postEvents } from './helpers/http.js';

describe.each(ENGINES)('abandoned carts on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);

  async function account(abandonAfterSeconds: number | null = null, on: FastifyInstance = suite.app) {
    const customerId = await addCustomer(suite.store, 'EUR', abandonAfterSeconds);
    const { token } = await addUser(suite.store, customerId);
    const base = `/api/v1/customers/${customerId}`;
    return {
      customerId,
      send: async (...events: object[]) => {
        const res = await postEvents(on, batch(customerId, events));
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json().rejected).toEqual([]);
        return res.json() as { accepted: number; duplicates: number };
      },
      abandoned: () => getJson(on, `${base}/abandoned-carts?attributed=all`, token),
      summary: async () => (await getJson(on, `${base}/summary?attributed=all`, token)).rows,
      cart: (id: string) => getJson<Record<string, unknown> & { items: Record<string, unknown>[] }>(on, `${base}/abandoned-carts/${id}`, token),
    };
  }

  it('abandons a cart with items and no order at the timeout, not a moment before', async () => {
    clock.set(T0);
    const a = await account();
    await a.send(cart({ cartId: 'K-1', total: '29.90', time: T0 - 5_000 }));
    clock.advance(30 * MINUTE - 1);
    await suite.app.sweeper.runOnce();
    expect((await a.abandoned()).rows).toEqual([]);
    clock.advance(1);
    await suite.app.sweeper.runOnce();
    const list = await a.abandoned();
    expect(list.total).toBe(1);
    expect(list.rows).toMatchObject([
      { cartId: 'K-1', total: 29.9, campaignId: 'C1', contactUid: 'u1', itemCount: 3, time: new Date(T0 - 5_000).toISOString(), abandonedAt: new Date(T0 + 30 * MINUTE).toISOString() },
    ]);
    expect(await a.summary()).toMatchObject([{ campaignId: 'C1', carts: 1, abandonedCarts: 1, abandonedValue: 29.9, orders: 0, recoveredCarts: 0, conversionRate: 0 }]);
    expect((await a.cart('K-1')).state).toBe('abandoned');
    // a second pass changes nothing
    clock.advance(MINUTE);
    expect((await suite.app.sweeper.runOnce()).abandoned).toBe(0);
    expect((await a.abandoned()).total).toBe(1);
  });

  it('never abandons a cart whose order came in time', async () => {
    clock.set(T0);
    const a = await account();
    await a.send(cart({ cartId: 'K-2' }));
    clock.advance(10 * MINUTE);
    await a.send(order({ orderId: 'O-2', cartId: 'K-2', time: T0 + 10 * MINUTE }));
    clock.advance(60 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect((await a.abandoned()).rows).toEqual([]);
    expect((await a.cart('K-2')).state).toBe('ordered');
    expect(await a.summary()).toMatchObject([{ carts: 1, abandonedCarts: 0, recoveredCarts: 0, orders: 1, conversionRate: 1 }]);
  });

  it('recovers an abandoned cart when its order arrives late: it leaves the list and the summary counts it', async () => {
    clock.set(T0);
    const a = await account();
    await a.send(cart({ cartId: 'K-3', total: '50.00' }), cart({ cartId: 'K-3b', visitor: 'other', total: '7.00' }));
    clock.advance(45 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect((await a.abandoned()).total).toBe(2);
    expect(await a.summary()).toMatchObject([{ abandonedCarts: 2, abandonedValue: 57 }]);
    clock.advance(2 * 86_400_000);
    await a.send(order({ orderId: 'O-3', cartId: 'K-3', total: '50.00', time: clock.now }));
    const list = await a.abandoned();
    expect(list.rows.map((r) => r.cartId)).toEqual(['K-3b']);
    expect(list.total).toBe(1);
    const cartDetail = await a.cart('K-3');
    expect(cartDetail).toMatchObject({ state: 'recovered', orderId: 'O-3' });
    expect(await a.summary()).toMatchObject([{ campaignId: 'C1', orders: 1, revenue: 50, carts: 2, abandonedCarts: 1, abandonedValue: 7, recoveredCarts: 1, conversionRate: 0.5 }]);
  });

  it("closes the same visitor's carts when the order names no cart", async () => {
    clock.set(T0);
    const a = await account();
    await a.send(cart({ cartId: 'K-4', visitor: 'vis-4' }), cart({ cartId: 'K-4x', visitor: 'someone-else' }));
    await a.send(order({ orderId: 'O-4', visitor: 'vis-4', time: T0 + MINUTE }));
    clock.advance(31 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect((await a.abandoned()).rows.map((r) => r.cartId)).toEqual(['K-4x']);
    expect((await a.cart('K-4')).state).toBe('ordered');
  });

  it('never abandons a cart without items', async () => {
    clock.set(T0);
    const a = await account();
    await a.send(cart({ cartId: 'K-5', items: [], total: '0' }));
    clock.advance(90 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect((await a.abandoned()).rows).toEqual([]);
    expect((await a.cart('K-5')).state).toBe('empty');
    expect(await a.summary()).toEqual([]);
  });

  it('updates a cart re-sent with the same cart ID (latest contents win); an older copy changes nothing', async () => {
    clock.set(T0);
    const a = await account();
    await a.send(cart({ cartId: 'K-6', time: T0, items: [item('OLD', '5.00', 1)], total: '5.00' }));
    clock.advance(20 * MINUTE);
    await a.send(cart({ cartId: 'K-6', time: T0 + 20 * MINUTE, items: [item('NEW', '8.00', 2)], total: undefined }));
    await a.send(cart({ cartId: 'K-6', time: T0 + MINUTE, items: [item('STALE', '1.00', 1)], total: '1.00' }));
    // the clock restarted with the update: 30 min after the first copy it is still open
    clock.advance(15 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect((await a.abandoned()).rows).toEqual([]);
    clock.advance(15 * MINUTE);
    await suite.app.sweeper.runOnce();
    const list = await a.abandoned();
    expect(list.total).toBe(1);
    expect(list.rows[0]).toMatchObject({ cartId: 'K-6', total: 16, itemCount: 2, time: new Date(T0 + 20 * MINUTE).toISOString() });
    expect((await a.cart('K-6')).items).toEqual([{ sku: 'NEW', name: 'Product NEW', category: 'Cat', price: 8, quantity: 2 }]);
    expect(await a.summary()).toMatchObject([{ carts: 1, abandonedCarts: 1, abandonedValue: 16 }]);
    // re-sent after it was abandoned: open again, off the list until the next timeout
    await a.send(cart({ cartId: 'K-6', time: clock.now, items: [item('NEW', '8.00', 3)] }));
    expect((await a.abandoned()).rows).toEqual([]);
    expect(await a.summary()).toMatchObject([{ carts: 1, abandonedCarts: 0, abandonedValue: 0 }]);
  });

  it('remembers that a re-sent cart was abandoned: its later order recovers it, and it is counted once', async () => {
    clock.set(T0);
    const a = await account();
    await a.send(cart({ cartId: 'K-9', total: '40.00' }), cart({ cartId: 'K-10', visitor: 'v10', total: '5.00' }));
    clock.advance(31 * MINUTE);
    await suite.app.sweeper.runOnce();
    const firstAbandon = new Date(clock.now).toISOString();
    expect(await a.summary()).toMatchObject([{ carts: 2, abandonedCarts: 2, abandonedValue: 45, recoveredCarts: 0 }]);
    // the shoppers come back to the Order Confirmation page a day later: open again, off the list
    clock.advance(DAY);
    await a.send(cart({ cartId: 'K-9', total: '40.00', time: clock.now }), cart({ cartId: 'K-10', visitor: 'v10', total: '5.00', time: clock.now }));
    expect((await a.abandoned()).rows).toEqual([]);
    expect(await a.cart('K-9')).toMatchObject({ state: 'open', abandonedAt: firstAbandon });
    expect(await a.summary()).toMatchObject([{ carts: 2, abandonedCarts: 0, abandonedValue: 0, recoveredCarts: 0 }]);
    // left again: abandoned once more, still one row each on the list
    clock.advance(31 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect((await a.abandoned()).rows.map((r) => r.cartId).sort()).toEqual(['K-10', 'K-9']);
    // then bought, one now and one a day later: both were abandoned, so both are recovered
    await a.send(order({ orderId: 'O-9', cartId: 'K-9', total: '40.00', time: clock.now }));
    clock.advance(DAY);
    await a.send(order({ orderId: 'O-10', cartId: 'K-10', visitor: 'v10', total: '5.00', time: clock.now }));
    expect(await a.cart('K-9')).toMatchObject({ state: 'recovered', orderId: 'O-9' });
    expect(await a.cart('K-10')).toMatchObject({ state: 'recovered', orderId: 'O-10' });
    expect((await a.abandoned()).total).toBe(0);
    expect(await a.summary()).toMatchObject([{ carts: 2, orders: 2, revenue: 45, abandonedCarts: 0, abandonedValue: 0, recoveredCarts: 2, conversionRate: 1 }]);
  });

  it("counts an abandonment once per contact: a cart abandoned anonymously, re-sent by a known shopper and left again counts for that shopper", async () => {
    clock.set(T0);
    const a = await account();
    const profile = (key: string) => suite.store.profiles.get(a.customerId, key);
    await a.send(cart({ cartId: 'K-A', campaign: null, visitor: 'va', total: '10.00', items: [item('A', '10.00', 1)] }));
    clock.advance(31 * MINUTE);
    await suite.app.sweeper.runOnce();
    // back a day later, now with the email link's contact: left again
    clock.advance(DAY);
    await a.send(cart({ cartId: 'K-A', visitor: 'va', contact: 'u9', email: 'carl@example.com', total: '10.00', time: clock.now, items: [item('A', '10.00', 1)] }));
    clock.advance(31 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect(await profile('u:u9')).toMatchObject({ abandonedCarts: 1, lastAbandonedAt: clock.now });
    // and once more, by the same shopper: still one cart
    clock.advance(DAY);
    await a.send(cart({ cartId: 'K-A', visitor: 'va', contact: 'u9', email: 'carl@example.com', total: '12.00', time: clock.now, items: [item('A', '12.00', 1)] }));
    clock.advance(31 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect(await profile('u:u9')).toMatchObject({ abandonedCarts: 1, lastAbandonedAt: clock.now });
    const segment = await getJson(suite.app, `/api/v1/customers/${a.customerId}/contacts?minAbandonedCarts=1`, (await addUser(suite.store, a.customerId)).token);
    expect(segment.rows.map((r) => r.contactUid)).toEqual(['u9']);
    // what it was counted for is the contact's key: erased with the contact
    await suite.store.erasure.erase(a.customerId, { contactUid: 'u9' });
    expect(await suite.store.db.all('SELECT contact_key, abandoned_for FROM carts WHERE customer_id = $1', [a.customerId])).toEqual([{ contact_key: '', abandoned_for: null }]);
  });

  it('closes a cart whose order arrived first (a retried cart)', async () => {
    clock.set(T0);
    const a = await account();
    await a.send(order({ orderId: 'O-7', cartId: 'K-7', time: T0 + MINUTE }), order({ orderId: 'O-7v', visitor: 'vis-7', time: T0 + MINUTE }));
    await a.send(cart({ cartId: 'K-7', time: T0 }), cart({ cartId: 'K-7v', visitor: 'vis-7', time: T0 }));
    clock.advance(40 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect((await a.abandoned()).rows).toEqual([]);
    expect(await a.cart('K-7')).toMatchObject({ state: 'ordered', orderId: 'O-7' });
    expect(await a.cart('K-7v')).toMatchObject({ state: 'ordered', orderId: 'O-7v' });
  });

  it('treats a later checkout under a closed cart ID as a new cart and keeps the closed one', async () => {
    clock.set(T0);
    const a = await account();
    await a.send(cart({ cartId: 'K-8', time: T0 }), order({ orderId: 'O-8', cartId: 'K-8', time: T0 + MINUTE }));
    // a copy from before the order: nothing changes
    await a.send(cart({ cartId: 'K-8', time: T0 + 30_000 }));
    expect((await a.cart('K-8')).state).toBe('ordered');
    // the same session checks out again later
    clock.advance(10 * MINUTE);
    await a.send(cart({ cartId: 'K-8', time: T0 + 10 * MINUTE, items: [item('AGAIN', '3.00', 1)] }));
    clock.advance(35 * MINUTE);
    await suite.app.sweeper.runOnce();
    expect((await a.abandoned()).rows.map((r) => r.cartId)).toEqual(['K-8']);
    expect(await a.cart('K-8~O-8')).toMatchObject({ state: 'ordered', orderId: 'O-8' });
    expect(await a.summary()).toMatchObject([{ carts: 2, orders: 1, abandonedCarts: 1, conversionRate: 0.5 }]);
  });

  it("uses the customer's own timeout, else the collector's (--abandon-after)", async () => {
    clock.set(T0);
    const quick = await account(120);
    await quick.send(cart({ cartId: 'Q' }));
    const slowApp = await testApp(suite.store, { clock: clock.clock, abandonAfterMinutes: 90 });
    try {
      const normal = await account(null, slowApp);
      await normal.send(cart({ cartId: 'N' }));
      clock.advance(2 * MINUTE);
      await slowApp.sweeper.runOnce();
      expect((await quick.abandoned()).total).toBe(1);
      clock.advance(60 * MINUTE);
      await slowApp.sweeper.runOnce();
      expect((await normal.abandoned()).total).toBe(0);
      clock.advance(28 * MINUTE);
      await slowApp.sweeper.runOnce();
      expect((await normal.abandoned()).total).toBe(1);
    } finally {
      await slowApp.close();
    }
  });

  it('sweeps by itself on its interval', async () => {
    clock.set(T0);
    const timed = await testApp(suite.store, { clock: clock.clock, sweepIntervalMs: 25 });
    try {
      const a = await account(null, timed);
      await a.send(cart({ cartId: 'TIMER' }));
      clock.advance(31 * MINUTE);
      await vi.waitFor(async () => expect((await a.abandoned()).total).toBe(1), { timeout: 5_000, interval: 25 });
    } finally {
      await timed.close();
    }
  });

  it('lets several collectors share one database without double counting', async () => {
    clock.set(T0);
    const other = await openStore(suite.url);
    const second = await testApp(other, { clock: clock.clock });
    try {
      const a = await account();
      const token = (await addUser(suite.store, a.customerId)).token;
      const carts = Array.from({ length: 120 }, (_, i) => cart({ cartId: `M-${i}`, visitor: `mv-${i}`, total: '10.00' }));
      const orders = carts.filter((_, i) => i % 2 === 0).map((c, i) => order({ orderId: `MO-${i}`, cartId: c.cartId, visitor: c.visitor, total: '10.00', time: T0 + MINUTE }));
      // every event reaches both collectors at once, as a retry through a load balancer would
      const sendBoth = (events: object[]) =>
        Promise.all(
          events.flatMap((e) => [postEvents(suite.app, batch(a.customerId, [e])), postEvents(second, batch(a.customerId, [{ ...e }]))]),
        );
      const cartAnswers = await sendBoth(carts);
      expect(cartAnswers.reduce((n, r) => n + r.json().accepted, 0)).toBe(120);
      const orderAnswers = await sendBoth(orders);
      expect(orderAnswers.reduce((n, r) => n + r.json().accepted, 0)).toBe(60);
      clock.advance(31 * MINUTE);
      const [s1, s2] = await Promise.all([suite.app.sweeper.runOnce(), second.sweeper.runOnce()]);
      expect(s1.abandoned + s2.abandoned).toBe(60);
      const summary = await getJson(suite.app, `/api/v1/customers/${a.customerId}/summary`, token);
      expect(summary.rows).toMatchObject([{ carts: 120, orders: 60, revenue: 600, buyers: 1, abandonedCarts: 60, abandonedValue: 600, conversionRate: 0.5 }]);
      const list = await getJson(second, `/api/v1/customers/${a.customerId}/abandoned-carts?limit=1000`, token);
      expect(list.total).toBe(60);
      expect(new Set(list.rows.map((r) => r.cartId)).size).toBe(60);
    } finally {
      await second.close();
      await other.close();
    }
  });
});
