// Refunds and cancellations (docs/advanced.md) on both engines: partial refunds add up across
// calls and retries, never more than was paid (also when racing), items at the order's unit
// prices exact to the cent, cancellation, net values in the reports and the contact profile,
// the order.refunded webhook, and what bad or foreign requests answer.
import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/engines.js';
import { DAY, MINUTE, T0, addCustomer, addUser, batch, item, order, testClock } from './helpers/fixtures.js';
import { allRows, getJson, postEvents } from './helpers/http.js';
import { testSuite } from './helpers/suite.js';

describe.each(ENGINES)('refunds and cancellations on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock, { allowPrivateWebhooks: true });

  async function account() {
    const customerId = await addCustomer(suite.store);
    const { token } = await addUser(suite.store, customerId, 'ecommerce-admin');
    const base = `/api/v1/customers/${customerId}`;
    const auth = { authorization: `Bearer ${token}` };
    return {
      customerId,
      token,
      base,
      send: async (...events: object[]) => {
        const res = await postEvents(suite.app, batch(customerId, events));
        expect(res.json().rejected).toEqual([]);
      },
      refund: (orderId: string, payload: object = {}) =>
        suite.app.inject({ method: 'POST', url: `${base}/orders/${encodeURIComponent(orderId)}/refunds`, payload, headers: auth }),
      cancel: (orderId: string, payload?: object) =>
        suite.app.inject({ method: 'POST', url: `${base}/orders/${encodeURIComponent(orderId)}/cancel`, payload, headers: auth }),
      get: (path: string) => getJson(suite.app, `${base}${path}`, token),
      orders: () => allRows(suite.app, `${base}/orders?attributed=all`, token),
    };
  }

  /** An account with one order O-1 of campaign C1: 29.90 EUR, SKU-1 9.95 × 2 and SKU-2 10.00 × 1. */
  async function withOrder() {
    clock.set(T0 + MINUTE);
    const a = await account();
    await a.send(order({ orderId: 'O-1', total: '29.90' }));
    return a;
  }

  it('adds partial refunds up across calls, and a retry of a refundId answers the same refund and changes nothing', async () => {
    const a = await withOrder();
    const first = await a.refund('O-1', { amount: '5.00', refundId: 'R-1', reason: 'damaged' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      orderId: 'O-1',
      duplicate: false,
      refund: { refundId: 'R-1', amount: 5, currency: 'EUR', reason: 'damaged', items: null, cancel: false },
      total: 29.9,
      refunded: 5,
      netTotal: 24.9,
      cancelledAt: null,
    });
    const retry = await a.refund('O-1', { amount: '5.00', refundId: 'R-1', reason: 'damaged' });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ duplicate: true, refund: first.json().refund, refunded: 5 });
    // without a refundId each call is a new refund
    for (const expected of [9.9, 14.8]) {
      const res = await a.refund('O-1', { amount: 4.9 });
      expect(res.statusCode).toBe(201);
      expect(res.json().refunded).toBe(expected);
    }
    expect((await a.orders())[0]).toMatchObject({ orderId: 'O-1', total: 29.9, refunded: 14.8, netTotal: 15.1, cancelledAt: null });
    expect(await suite.store.refunds.list(a.customerId, 'O-1')).toHaveLength(3);
  });

  it('never refunds more than was paid: the answer names amount and what is left; no amount refunds the rest', async () => {
    const a = await withOrder();
    expect((await a.refund('O-1', { amount: '20' })).statusCode).toBe(201);
    const over = await a.refund('O-1', { amount: '9.91' });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toEqual({ error: 'refund_exceeds_paid', message: 'amount: 9.91 EUR is more than is left to refund (9.9 EUR left of 29.9 EUR paid)' });
    // items within their units that come to more than is left name items, not an amount never given
    const items = await a.refund('O-1', { items: [{ sku: 'SKU-2', quantity: 1 }] });
    expect([items.statusCode, items.json()]).toEqual([409, { error: 'refund_exceeds_paid', message: 'items: 10 EUR is more than is left to refund (9.9 EUR left of 29.9 EUR paid)' }]);
    const rest = await a.refund('O-1');
    expect(rest.statusCode).toBe(201);
    expect(rest.json()).toMatchObject({ refund: { amount: 9.9 }, refunded: 29.9, netTotal: 0 });
    const none = await a.refund('O-1');
    expect(none.statusCode).toBe(409);
    expect(none.json().message).toBe('amount: nothing is left to refund (0 EUR left of 29.9 EUR paid)');
  });

  it('lets only one of two refunds racing for the last amount through', async () => {
    const a = await withOrder();
    expect((await a.refund('O-1', { amount: '20' })).statusCode).toBe(201);
    const raced = await Promise.all([a.refund('O-1', { amount: '9.90' }), a.refund('O-1', { amount: '9.90' }), a.refund('O-1'), a.refund('O-1', { amount: '5' })]);
    const made = raced.filter((r) => r.statusCode === 201).map((r) => r.json().refund.amount as number);
    expect(raced.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true);
    expect(made.reduce((s, n) => s + n, 0)).toBeLessThanOrEqual(9.9);
    const [stored] = await a.orders();
    expect(stored.refunded).toBe(Math.round((20 + made.reduce((s, n) => s + n, 0)) * 100) / 100);
    expect((await a.get('/summary')).rows[0]).toMatchObject({ refunded: stored.refunded, netRevenue: Math.round((29.9 - (stored.refunded as number)) * 100) / 100 });
  });

  it('refunds items at the order’s own unit prices, exact to the cent, and never more units than were bought', async () => {
    clock.set(T0 + MINUTE);
    const a = await account();
    // 0.1 × 3 is not 0.3 in floating point: the refund must be exact
    await a.send(order({ orderId: 'I-1', total: '0.50', items: [item('A', '0.10', 3), item('B', '0.20', 1)] }));
    const res = await a.refund('I-1', { items: [{ sku: 'A', quantity: 3 }] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ refund: { amount: 0.3, items: [{ sku: 'A', quantity: 3 }] }, refunded: 0.3, netTotal: 0.2 });
    const again = await a.refund('I-1', { items: [{ sku: 'B', quantity: 1 }, { sku: 'A', quantity: 1 }] });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toBe('items[1].quantity: 0 of 3 units of "A" are left to refund');
    const unknown = await a.refund('I-1', { items: [{ sku: 'Z', quantity: 1 }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toBe('items[0].sku: "Z" is not in order "I-1"');
    // the same product on two lines at two prices: units are taken line by line
    await a.send(order({ orderId: 'I-2', total: '3.3333', items: [item('P', '1.1111', 1), item('P', '2.2222', 1)] }));
    expect((await a.refund('I-2', { items: [{ sku: 'P', quantity: 1 }] })).json().refund.amount).toBe(1.1111);
    expect((await a.refund('I-2', { items: [{ sku: 'P', quantity: 1 }] })).json()).toMatchObject({ refund: { amount: 2.2222 }, netTotal: 0 });
    expect((await a.get('/summary')).rows[0]).toMatchObject({ revenue: 3.8333, refunded: 3.6333, netRevenue: 0.2, refundedOrders: 2 });
  });

  it('cancels an order: refunds what is left, marks it cancelled, and a repeated cancel changes nothing', async () => {
    const a = await withOrder();
    await a.refund('O-1', { amount: '10' });
    clock.advance(MINUTE);
    const res = await a.cancel('O-1', { reason: 'customer withdrew' });
    expect(res.statusCode, res.body).toBe(200);
    const cancelledAt = new Date(clock.now).toISOString();
    expect(res.json()).toMatchObject({
      duplicate: false,
      refund: { amount: 19.9, cancel: true, reason: 'customer withdrew' },
      refunded: 29.9,
      netTotal: 0,
      cancelledAt,
    });
    clock.advance(MINUTE);
    const again = await a.cancel('O-1');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true, refund: res.json().refund, refunded: 29.9, cancelledAt });
    expect((await a.refund('O-1', { amount: '1' })).statusCode).toBe(409);
    expect((await a.orders())[0]).toMatchObject({ refunded: 29.9, netTotal: 0, cancelledAt });
    // an order refunded in full can still be cancelled: nothing more to refund
    await a.send(order({ orderId: 'O-2', total: '5' }));
    await a.refund('O-2');
    expect((await a.cancel('O-2')).json()).toMatchObject({ duplicate: false, refund: null, refunded: 5, cancelledAt: expect.any(String) });
  });

  it('shows gross, refunded and net revenue per campaign and day in the summary, timeseries, orders and CSV, exact on whole and partial days', async () => {
    clock.set(T0 + MINUTE);
    const a = await account();
    await a.send(order({ orderId: 'N-1', total: '29.90' }), order({ orderId: 'N-2', total: '10.00', time: T0 + 1000 }), order({ orderId: 'D-1', campaign: null, total: '7' }));
    // a day later (the refund is booked to the order's own day)
    clock.advance(DAY);
    await a.refund('N-1', { amount: '0.01' });
    await a.refund('N-1', { amount: '4.99' });
    await a.refund('D-1', { amount: '2' });
    const expected = { campaignId: 'C1', revenue: 39.9, orders: 2, refundedOrders: 1, refunded: 5, netRevenue: 34.9 };
    // a whole day reads the aggregate, a range of hours the orders themselves
    for (const range of ['from=2025-01-15&to=2025-01-15', 'from=2025-01-15T09:00:00Z&to=2025-01-15T11:00:00Z']) {
      expect((await a.get(`/summary?${range}`)).rows).toMatchObject([expected]);
      expect((await a.get(`/summary?${range}&attributed=all`)).rows).toMatchObject([expected, { campaignId: null, revenue: 7, refunded: 2, netRevenue: 5 }]);
    }
    expect((await a.get('/timeseries?from=2025-01-15&to=2025-01-16')).rows).toEqual([
      { date: '2025-01-15', currency: 'EUR', revenue: 39.9, orders: 2, abandonedCarts: 0, abandonedValue: 0, refunded: 5, netRevenue: 34.9 },
      { date: '2025-01-16', currency: 'EUR', revenue: 0, orders: 0, abandonedCarts: 0, abandonedValue: 0, refunded: 0, netRevenue: 0 },
    ]);
    const detail = await getJson<Record<string, unknown>>(suite.app, `${a.base}/orders/N-1`, a.token);
    expect(detail).toMatchObject({ orderId: 'N-1', total: 29.9, refunded: 5, netTotal: 24.9, attribution: 'cookie', cancelledAt: null });
    const csv = await suite.app.inject({ url: `${a.base}/orders?format=csv`, headers: { authorization: `Bearer ${a.token}` } });
    const [header, ...lines] = csv.body.trim().split('\r\n');
    expect(header.split(',').slice(-6)).toEqual(['source', 'attribution', 'clickAt', 'refunded', 'netTotal', 'cancelledAt']);
    expect(lines.map((l) => l.split(',').slice(-4, -1))).toEqual([
      [new Date(T0 - DAY).toISOString(), '0', '10'],
      [new Date(T0 - DAY).toISOString(), '5', '24.9'],
    ]);
    const summaryCsv = await suite.app.inject({ url: `${a.base}/summary?format=csv`, headers: { authorization: `Bearer ${a.token}` } });
    expect(summaryCsv.body.split('\r\n')[0].split(',').slice(-5)).toEqual(['clicks', 'clickConversion', 'refundedOrders', 'refunded', 'netRevenue']);
  });

  it('uses net values in the contact profile: total order value and the last order’s value go down by the refund', async () => {
    clock.set(T0 + MINUTE);
    const a = await account();
    await a.send(order({ orderId: 'P-1', contact: 'u5', total: '20', time: T0 - 1000 }), order({ orderId: 'P-2', contact: 'u5', total: '30' }));
    await a.refund('P-2', { amount: '12.5' });
    await a.refund('P-1', { amount: '0.5' });
    const profile = await suite.store.profiles.get(a.customerId, 'u:u5');
    expect(profile).toMatchObject({ orders: 2, lastOrderValue: 175_000n });
    const [row] = (await a.get('/contacts?currency=EUR')).rows;
    expect(row).toMatchObject({ contactUid: 'u5', orders: 2, totalOrderValue: 37, lastOrderValue: 17.5 });
    // two orders of one contact at the same millisecond (a shop clock ahead: both clamped to
    // when they were received): refunding the one the profile does not hold leaves its value
    await a.send(order({ orderId: 'Q-b', contact: 'u6', total: '10', time: T0 + DAY }), order({ orderId: 'Q-a', contact: 'u6', total: '20', time: T0 + DAY }));
    const held = (await suite.store.profiles.get(a.customerId, 'u:u6'))!.lastOrderValue;
    const other = held === 200_000n ? 'Q-b' : 'Q-a';
    await a.refund(other, { amount: '5' });
    expect((await suite.store.profiles.get(a.customerId, 'u:u6'))!.lastOrderValue).toBe(held);
    await a.refund(other === 'Q-b' ? 'Q-a' : 'Q-b', { amount: '5' });
    expect((await suite.store.profiles.get(a.customerId, 'u:u6'))!.lastOrderValue).toBe(held! - 50_000n);
  });

  it("keeps a browser order's refunds when the shop's backend reports the order after them: net in the new contact's total, in the new currency's sums", async () => {
    clock.set(T0 + MINUTE);
    const a = await account();
    const purchase = (body: object) => suite.app.inject({ method: 'POST', url: `${a.base}/purchases`, payload: body, headers: { authorization: `Bearer ${a.token}` } });
    // the browser's copy names a mistyped email; 30 of 100 refunded before the backend's copy
    await a.send(order({ orderId: 'RB-1', campaign: 'C9', contact: '', email: 'typo@example.com', total: '100', items: [] }));
    expect((await a.refund('RB-1', { amount: '30' })).statusCode).toBe(201);
    expect((await purchase({ email: 'real@example.com', orderId: 'RB-1', total: '100' })).statusCode).toBe(200);
    const totals = Object.fromEntries((await a.get('/contacts?currency=EUR')).rows.map((r) => [r.email, r.totalOrderValue]));
    expect(totals).toMatchObject({ 'real@example.com': 70 });
    expect(totals['typo@example.com'] ?? 0).toBe(0);
    // the mistyped contact has no order left, and so no last order; the real one has it, net
    expect(await suite.store.profiles.get(a.customerId, 'e:typo@example.com')).toMatchObject({ orders: 0, lastOrderAt: null, lastOrderValue: null });
    expect(await suite.store.profiles.get(a.customerId, 'e:real@example.com')).toMatchObject({ orders: 1, lastOrderValue: 700_000n });
    // and in another currency: the refund moves with the order
    await a.send(order({ orderId: 'RB-2', campaign: 'C9', contact: '', email: 'eve@example.com', total: '100', currency: 'EUR', items: [] }));
    expect((await a.refund('RB-2', { amount: '30' })).statusCode).toBe(201);
    expect((await purchase({ email: 'eve@example.com', orderId: 'RB-2', total: '100', currency: 'USD' })).statusCode).toBe(200);
    const byCurrency = Object.fromEntries((await a.get('/summary?campaign=C9')).rows.map((r) => [r.currency, [r.revenue, r.refunded, r.netRevenue]]));
    expect(byCurrency).toEqual({ EUR: [100, 30, 70], USD: [100, 30, 70] });
    // the refund itself is now in the order's currency: a retry of it answers so
    expect((await suite.store.refunds.list(a.customerId, 'RB-2')).map((r) => r.currency)).toEqual(['USD']);
  });

  it('sends order.refunded through the outbox, in the same transaction as the refund', async () => {
    clock.set(T0 + MINUTE);
    const a = await account();
    const admin = (await addUser(suite.store, a.customerId, 'admin')).token;
    const hook = await suite.app.inject({
      method: 'POST',
      url: `${a.base}/webhooks`,
      payload: { url: 'http://127.0.0.1:9/hook', events: ['order.refunded'] },
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(hook.statusCode, hook.body).toBe(201);
    await a.send(order({ orderId: 'W-1', total: '29.90', contact: 'u8', email: 'eve@example.com' }));
    await a.refund('W-1', { amount: '9.90', refundId: 'RW', reason: 'late' });
    await a.refund('W-1', { amount: '9.90', refundId: 'RW', reason: 'late' });
    await a.cancel('W-1');
    const rows = await suite.store.db.all<{ event: string; payload: string }>(
      'SELECT event, payload FROM webhook_deliveries WHERE customer_id = $1 ORDER BY created_at, delivery_id',
      [a.customerId],
    );
    const events = rows.map((r) => JSON.parse(r.payload) as { type: string; data: Record<string, unknown> });
    expect(events.map((e) => e.type)).toEqual(['order.refunded', 'order.refunded']);
    const byRefund = Object.fromEntries(events.map((e) => [e.data.refundId === 'RW' ? 'partial' : 'cancel', e.data]));
    expect(byRefund.partial).toEqual({
      orderId: 'W-1',
      refundId: 'RW',
      time: new Date(clock.now).toISOString(),
      amount: 9.9,
      currency: 'EUR',
      reason: 'late',
      items: null,
      total: 29.9,
      refunded: 9.9,
      netTotal: 20,
      cancelledAt: null,
      email: 'eve@example.com',
      contactUid: 'u8',
      campaignId: 'C1',
    });
    expect(byRefund.cancel).toMatchObject({ amount: 20, refunded: 29.9, netTotal: 0, cancelledAt: new Date(clock.now).toISOString() });
  });

  it("answers 404 for an unknown order and never refunds another customer's order", async () => {
    const a = await withOrder();
    const b = await account();
    expect((await b.refund('O-1', { amount: 1 })).statusCode).toBe(404);
    expect((await b.cancel('O-1')).json()).toEqual({ error: 'not_found', message: 'orderId: no such order: "O-1"' });
    // b's token on a's URL
    const foreign = await suite.app.inject({
      method: 'POST',
      url: `${a.base}/orders/O-1/refunds`,
      payload: { amount: 1 },
      headers: { authorization: `Bearer ${b.token}` },
    });
    expect(foreign.statusCode).toBeGreaterThanOrEqual(401);
    expect(foreign.statusCode).toBeLessThanOrEqual(404);
    expect((await a.orders())[0]).toMatchObject({ refunded: 0 });
  });

  it('answers 400 naming the field for bad bodies', async () => {
    const a = await withOrder();
    const cases: [object, string][] = [
      [{ amount: 'ten' }, 'amount'],
      [{ amount: 0 }, 'amount: must be more than 0'],
      [{ amount: '-1' }, 'amount: must be more than 0'],
      [{ amount: 1, items: [{ sku: 'SKU-1', quantity: 1 }] }, 'items: give either amount or items, not both'],
      [{ items: [] }, 'items'],
      [{ items: [{ sku: 'SKU-1', quantity: 0 }] }, 'items[0].quantity: must be at least 1'],
      [{ items: [{ sku: 'SKU-1' }] }, 'quantity'],
      [{ reason: 'x'.repeat(600) }, 'reason'],
      [{ refundId: '' }, 'refundId'],
      [{ amount: 1, note: 'x' }, 'note'],
    ];
    for (const [body, field] of cases) {
      const res = await a.refund('O-1', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().message, JSON.stringify(body)).toContain(field);
    }
    expect((await a.cancel('O-1', { reason: 5 })).json().message).toContain('reason');
    expect((await a.orders())[0]).toMatchObject({ refunded: 0 });
  });
});
