// Webhooks (docs/advanced.md) on both engines, delivered to a real node:http receiver:
// registration and its checks, a receiver that is down then up getting every event once
// with a valid signature, retries that end dead (visible, listable, retriable), a restart
// with pending deliveries, and two collectors sharing the outbox without sending twice.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { ENGINES } from './helpers/engines.js';
import { MINUTE, T0, addCustomer, addUser, batch, cart, item, order, testApp, testClock } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { getJson, postEvents } from './helpers/http.js';

/** The receiver's check from docs/advanced.md, with `now` passed in (the collector's test clock). */
function verifyWebhook(rawBody: string, headers: IncomingHttpHeaders, secret: string, now: number, toleranceSeconds = 300): boolean {
  const timestamp = headers['x-emarsys-timestamp'];
  const signature = headers['x-emarsys-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real receiver; `status` decides each answer. */
async function receiver(port = 0, status: () => number = () => 200) {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    got,
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port with nothing listening on it (a receiver that is down). */
async function downPort(): Promise<number> {
  const r = await receiver();
  await r.close();
  return r.port;
}

describe.each(ENGINES)('webhooks on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);

  async function account(on: FastifyInstance = suite.app) {
    const customerId = await addCustomer(suite.store);
    const admin = (await addUser(suite.store, customerId, 'admin')).token;
    const shopper = (await addUser(suite.store, customerId, 'ecommerce-admin')).token;
    const base = `/api/v1/customers/${customerId}`;
    const auth = { authorization: `Bearer ${admin}` };
    return {
      customerId,
      admin,
      shopper,
      base,
      register: async (url: string, events = ['order.placed', 'cart.abandoned'], target = on) => {
        const res = await target.inject({ method: 'POST', url: `${base}/webhooks`, payload: { url, events }, headers: auth });
        expect(res.statusCode, res.body).toBe(201);
        return res.json() as { webhookId: string; secret: string; url: string; events: string[]; createdAt: string };
      },
      hooks: async (target = on) => (await getJson(target, `${base}/webhooks`, admin)).rows,
      send: async (...events: object[]) => {
        const res = await postEvents(on, batch(customerId, events));
        expect(res.json()).toMatchObject({ rejected: [] });
      },
      auth,
    };
  }

  it('registers webhooks for the admin only, checks them, shows the secret once and deletes them', async () => {
    const a = await account();
    const made = await a.register('https://hooks.example.com/emarsys?x=1', ['cart.abandoned']);
    expect(made).toMatchObject({ url: 'https://hooks.example.com/emarsys?x=1', events: ['cart.abandoned'], createdAt: new Date(clock.now).toISOString() });
    expect(made.webhookId).toMatch(/^wh_[0-9a-f]{16}$/);
    expect(made.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const listed = await a.hooks();
    expect(listed).toEqual([
      { webhookId: made.webhookId, url: made.url, events: ['cart.abandoned'], createdAt: made.createdAt, pending: 0, dead: 0, lastSuccessAt: null, lastError: null, lastErrorAt: null, failingSince: null },
    ]);
    expect(JSON.stringify(listed)).not.toContain(made.secret);

    const post = (payload: object, token = a.admin) =>
      suite.app.inject({ method: 'POST', url: `${a.base}/webhooks`, payload, headers: { authorization: `Bearer ${token}` } });
    const bad: [object, string][] = [
      [{ url: 'hooks.example.com', events: ['order.placed'] }, 'url: must be an absolute http(s) URL'],
      [{ url: 'ftp://hooks.example.com/x', events: ['order.placed'] }, 'url: must use http or https (not ftp:)'],
      [{ url: 'https://h.example/\n', events: ['order.placed'] }, 'url: must not contain control characters'],
      [{ url: 'https://h.example/', events: [] }, 'events: must not be empty'],
      [{ url: 'https://h.example/', events: ['order.refunded'] }, 'events[0]: must be one of "order.placed", "cart.abandoned"'],
      [{ url: 'https://h.example/', events: ['order.placed', 'order.placed'] }, 'events: must not contain the same value twice'],
      [{ url: 'https://h.example/' }, 'events: is required'],
    ];
    for (const [payload, message] of bad) {
      const res = await post(payload);
      expect([res.statusCode, res.json()], JSON.stringify(payload)).toEqual([400, { error: 'invalid_request', message }]);
    }
    const forbidden = await post({ url: 'https://h.example/', events: ['order.placed'] }, a.shopper);
    expect([forbidden.statusCode, forbidden.json().message]).toEqual([403, 'role: this needs the admin role; yours is ecommerce-admin']);
    const other = await account();
    expect((await suite.app.inject({ url: `${a.base}/webhooks`, headers: other.auth })).statusCode).toBe(403);

    const del = (id: string) => suite.app.inject({ method: 'DELETE', url: `${a.base}/webhooks/${id}`, headers: a.auth });
    expect((await del(made.webhookId)).statusCode).toBe(204);
    expect((await del(made.webhookId)).json()).toEqual({ error: 'not_found', message: 'webhookId: no such webhook' });
    expect(await a.hooks()).toEqual([]);
  });

  it('delivers every event once, signed, to a receiver that was down and came back', async () => {
    clock.set(T0);
    const a = await account();
    const port = await downPort();
    const hook = await a.register(`http://127.0.0.1:${port}/hook`);
    await a.send(order({ orderId: 'W-1', total: '12.50', email: 'ann@example.com', items: [item('A', '12.50', 1)] }));
    const purchase = await suite.app.inject({
      method: 'POST',
      url: `${a.base}/purchases`,
      payload: { email: 'bob@example.com', orderId: 'W-2', total: '7.00', emst: 'C2.u2' },
      headers: a.auth,
    });
    expect(purchase.statusCode).toBe(201);
    await a.send(cart({ cartId: 'WK-1', total: '30.00', visitor: 'wv', email: 'cat@example.com' }));
    clock.advance(31 * MINUTE);
    expect((await suite.app.sweeper.runOnce()).abandoned).toBeGreaterThanOrEqual(1);

    // down: every attempt fails, and the operator sees it
    expect(await suite.app.outbox.runOnce()).toEqual({ delivered: 0, failed: 3, dead: 0 });
    const failingAt = new Date(clock.now).toISOString();
    expect((await a.hooks())[0]).toMatchObject({ pending: 3, dead: 0, failingSince: failingAt, lastErrorAt: failingAt, lastSuccessAt: null });
    expect((await a.hooks())[0].lastError).toMatch(/^network: ECONNREFUSED/);
    // nothing is due again before its backoff
    clock.advance(5_000);
    expect(await suite.app.outbox.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 0 });

    const up = await receiver(port);
    try {
      clock.advance(60_000);
      expect(await suite.app.outbox.runOnce()).toEqual({ delivered: 3, failed: 0, dead: 0 });
      const sentAt = clock.now;
      clock.advance(3_600_000);
      expect(await suite.app.outbox.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 0 });
      expect(up.got).toHaveLength(3);
      const ids = up.got.map((r) => r.headers['x-emarsys-delivery']);
      expect(new Set(ids).size).toBe(3);
      for (const r of up.got) {
        expect(verifyWebhook(r.body, r.headers, hook.secret, sentAt)).toBe(true);
        expect(verifyWebhook(`${r.body} `, r.headers, hook.secret, sentAt)).toBe(false); // tampered body
        expect(verifyWebhook(r.body, r.headers, 'whsec_wrong', sentAt)).toBe(false);
        expect(verifyWebhook(r.body, r.headers, hook.secret, clock.now)).toBe(false); // replayed an hour later
        expect(r.headers['content-type']).toBe('application/json');
        const body = JSON.parse(r.body);
        expect(body).toMatchObject({ id: r.headers['x-emarsys-delivery'], type: r.headers['x-emarsys-event'], customerId: a.customerId });
      }
      const byType = (type: string) => up.got.map((r) => JSON.parse(r.body)).filter((b) => b.type === type).map((b) => b.data);
      expect(byType('order.placed').sort((x, y) => (x.orderId < y.orderId ? -1 : 1))).toMatchObject([
        { orderId: 'W-1', total: 12.5, currency: 'EUR', email: 'ann@example.com', campaignId: 'C1', contactUid: 'u1', source: 'sdk', items: [{ sku: 'A', price: 12.5, quantity: 1 }] },
        { orderId: 'W-2', total: 7, email: 'bob@example.com', campaignId: 'C2', contactUid: 'u2', source: 'api', items: [] },
      ]);
      expect(byType('cart.abandoned')).toMatchObject([
        { cartId: 'WK-1', total: 30, email: 'cat@example.com', abandonedAt: new Date(T0 + 31 * MINUTE).toISOString(), items: [{ sku: 'SKU-1' }, { sku: 'SKU-2' }] },
      ]);
      const status = (await a.hooks())[0];
      expect(status).toMatchObject({ pending: 0, dead: 0, failingSince: null, lastSuccessAt: new Date(sentAt).toISOString() });
      const delivered = await getJson(suite.app, `${a.base}/webhooks/${hook.webhookId}/deliveries?state=delivered`, a.admin);
      expect(delivered.total).toBe(3);
      // the failed first attempt stays in the delivery's history
      for (const d of delivered.rows) {
        expect(d).toMatchObject({ state: 'delivered', attempts: 2, nextAttemptAt: null, deliveredAt: new Date(sentAt).toISOString() });
        expect(d.lastError).toMatch(/^network: ECONNREFUSED/);
      }
    } finally {
      await up.close();
    }
  });

  it('marks a delivery dead after the last attempt, keeps it listable, and sends it again on request', async () => {
    clock.set(T0);
    let answer = 503;
    const r = await receiver(0, () => answer);
    const retrying = await testApp(suite.store, { clock: clock.clock, webhookRetry: { baseDelayMs: 1_000, maxDelayMs: 2_000, maxAttempts: 3 } });
    try {
      const a = await account(retrying);
      const hook = await a.register(`http://127.0.0.1:${r.port}/`, ['order.placed']);
      await a.send(order({ orderId: 'D-1' }));
      expect(await retrying.outbox.runOnce()).toEqual({ delivered: 0, failed: 1, dead: 0 });
      clock.advance(2_000 * 1.2);
      expect(await retrying.outbox.runOnce()).toEqual({ delivered: 0, failed: 1, dead: 0 });
      clock.advance(2_000 * 1.2);
      expect(await retrying.outbox.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 1 });
      clock.advance(86_400_000);
      expect(await retrying.outbox.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 0 });
      expect(r.got).toHaveLength(3);
      expect(new Set(r.got.map((g) => g.headers['x-emarsys-delivery'])).size).toBe(1); // one stable ID across retries
      expect((await a.hooks(retrying))[0]).toMatchObject({ pending: 0, dead: 1, lastError: 'HTTP 503', failingSince: new Date(T0).toISOString() });
      const dead = await getJson(retrying, `${a.base}/webhooks/${hook.webhookId}/deliveries?state=dead`, a.admin);
      expect(dead.rows).toMatchObject([{ event: 'order.placed', state: 'dead', attempts: 3, lastError: 'HTTP 503', nextAttemptAt: null, deliveredAt: null }]);
      const csv = await retrying.inject({ url: `${a.base}/webhooks/${hook.webhookId}/deliveries?format=csv`, headers: a.auth });
      expect(csv.body.split('\r\n')[0]).toBe('deliveryId,event,state,attempts,createdAt,nextAttemptAt,lastAttemptAt,lastError,deliveredAt');

      const id = String(dead.rows[0].deliveryId);
      const retry = (delivery: string) => retrying.inject({ method: 'POST', url: `${a.base}/webhooks/${hook.webhookId}/deliveries/${delivery}/retry`, headers: a.auth });
      answer = 204;
      expect((await retry(id)).json()).toEqual({ deliveryId: id, state: 'pending' });
      expect((await retry(id)).json()).toEqual({ error: 'not_found', message: 'deliveryId: no dead delivery with this ID' });
      expect(await retrying.outbox.runOnce()).toEqual({ delivered: 1, failed: 0, dead: 0 });
      expect(r.got.map((g) => g.headers['x-emarsys-delivery'])).toEqual([id, id, id, id]);
      expect((await a.hooks(retrying))[0]).toMatchObject({ pending: 0, dead: 0, failingSince: null });
    } finally {
      await retrying.close();
      await r.close();
    }
  });

  it('loses no pending delivery when the collector restarts', async () => {
    clock.set(T0);
    const port = await downPort();
    const first = await buildApp({ db: suite.url, clock: clock.clock, sweepIntervalMs: 0, outboxIntervalMs: 0 });
    const a = await account(first);
    const hook = await a.register(`http://127.0.0.1:${port}/restart`);
    const orderIds = Array.from({ length: 8 }, (_, i) => `RS-${i}`);
    await a.send(...orderIds.map((orderId, i) => order({ orderId, visitor: `rv-${i}` })));
    expect((await first.outbox.runOnce()).failed).toBe(8); // the receiver is down
    await first.close();

    const up = await receiver(port);
    const second = await buildApp({ db: suite.url, clock: clock.clock, sweepIntervalMs: 0, outboxIntervalMs: 0 });
    try {
      clock.advance(60_000);
      expect(await second.outbox.runOnce()).toEqual({ delivered: 8, failed: 0, dead: 0 });
      const got = up.got.map((r) => JSON.parse(r.body).data.orderId).sort();
      expect(got).toEqual([...orderIds].sort());
      expect(up.got.every((r) => verifyWebhook(r.body, r.headers, hook.secret, clock.now))).toBe(true);
    } finally {
      await second.close();
      await up.close();
    }
  });

  it('lets two collectors share the outbox: each delivery is sent once', async () => {
    clock.set(T0);
    const up = await receiver();
    const second = await buildApp({ db: suite.url, clock: clock.clock, sweepIntervalMs: 0, outboxIntervalMs: 0 });
    try {
      const a = await account();
      await a.register(`http://127.0.0.1:${up.port}/shared`, ['order.placed']);
      const orderIds = Array.from({ length: 60 }, (_, i) => `SH-${i}`);
      await a.send(...orderIds.map((orderId, i) => order({ orderId, visitor: `sv-${i}` })));
      const [r1, r2] = await Promise.all([suite.app.outbox.runOnce(), second.outbox.runOnce()]);
      expect(r1.delivered + r2.delivered).toBe(60);
      expect(r1.failed + r2.failed + r1.dead + r2.dead).toBe(0);
      const got = up.got.map((r) => JSON.parse(r.body).data.orderId).sort();
      expect(got).toEqual([...orderIds].sort());
    } finally {
      await second.close();
      await up.close();
    }
  });
});
