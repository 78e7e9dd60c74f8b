// Webhooks (docs/advanced.md) on both engines, delivered to a real node:http receiver:
// registration and its checks, receivers on private addresses refused (at registration and at
// every delivery, DNS rebinding included), a receiver that is down then up getting every event
// once with a signature the standardwebhooks library accepts, retries that end dead (visible,
// listable, retriable), secret rotation, where a cart's email came from, a restart with pending
// deliveries, and two collectors sharing the outbox without sending twice.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { limitConcurrency, nonPublicRange, systemResolver, type Resolver } from '../src/webhooks/destination.js';
import { redactEnvelope } from '../src/store/outbox-payloads.js';
import { createOutboxWorker } from '../src/webhooks/worker.js';
import { ENGINES } from './helpers/engines.js';
import { DAY, MINUTE, T0, addCustomer, addUser, batch, cart, item, order, testApp, testClock } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { getJson, postEvents } from './helpers/http.js';

/** A receiver's check with the standardwebhooks library, as of `now` (the collector's test clock). */
function verifyWebhook(rawBody: string, headers: IncomingHttpHeaders, secret: string, now: number): boolean {
  vi.useFakeTimers({ toFake: ['Date'], now });
  try {
    new Webhook(secret).verify(rawBody, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}

const OTHER_SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

/** DNS for the tests: the names in `answers`, `localhost` from the system, nothing else. */
function testDns() {
  const answers = new Map<string, string[]>();
  const resolve: Resolver = async (host) => {
    if (host === 'localhost') return systemResolver(host);
    const found = answers.get(host);
    if (!found) throw Object.assign(new Error(`${host}: not found`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: isIP(address) }));
  };
  return { answers, resolve };
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real receiver; `status` decides each answer (null: it never answers). */
async function receiver(port = 0, status: () => number | null = () => 200) {
  const got: Received[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      const code = status();
      if (code !== null) res.writeHead(code, { location: 'http://127.0.0.1:9/elsewhere' }).end();
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    got,
    get connections() {
      return connections;
    },
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
  // the receivers here are on 127.0.0.1; the tests of private addresses build their own apps
  const suite = testSuite(engine, clock, { allowPrivateWebhooks: true });

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
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
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
      [{ url: 'https://h.example/', events: ['order.shipped'] }, 'events[0]: must be one of "order.placed", "cart.abandoned", "order.refunded"'],
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
    await a.send(order({ orderId: 'W-1', cartId: 'WK-0', total: '12.50', email: 'ann@example.com', items: [item('A', '12.50', 1)] }));
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
    expect(await suite.app.outbox.runOnce()).toEqual({ delivered: 0, failed: 3, dead: 0, postponed: 0 });
    const failingAt = new Date(clock.now).toISOString();
    expect((await a.hooks())[0]).toMatchObject({ pending: 3, dead: 0, failingSince: failingAt, lastErrorAt: failingAt, lastSuccessAt: null });
    expect((await a.hooks())[0].lastError).toBe('unreachable');
    // nothing is due again before its backoff
    clock.advance(5_000);
    expect(await suite.app.outbox.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 0, postponed: 0 });

    const up = await receiver(port);
    try {
      clock.advance(60_000);
      expect(await suite.app.outbox.runOnce()).toEqual({ delivered: 3, failed: 0, dead: 0, postponed: 0 });
      const sentAt = clock.now;
      clock.advance(3_600_000);
      expect(await suite.app.outbox.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 0, postponed: 0 });
      expect(up.got).toHaveLength(3);
      const ids = up.got.map((r) => r.headers['webhook-id']);
      expect(new Set(ids).size).toBe(3);
      for (const r of up.got) {
        expect(verifyWebhook(r.body, r.headers, hook.secret, sentAt)).toBe(true);
        expect(verifyWebhook(`${r.body} `, r.headers, hook.secret, sentAt)).toBe(false); // tampered body
        expect(verifyWebhook(r.body, r.headers, OTHER_SECRET, sentAt)).toBe(false);
        expect(verifyWebhook(r.body, { ...r.headers, 'webhook-id': 'another' }, hook.secret, sentAt)).toBe(false);
        expect(verifyWebhook(r.body, r.headers, hook.secret, clock.now)).toBe(false); // replayed an hour later
        expect(r.headers['content-type']).toBe('application/json');
        expect(r.headers['webhook-timestamp']).toBe(String(sentAt / 1000));
        const body = JSON.parse(r.body);
        expect(body).toMatchObject({ id: r.headers['webhook-id'], customerId: a.customerId });
      }
      const byType = (type: string) => up.got.map((r) => JSON.parse(r.body)).filter((b) => b.type === type).map((b) => b.data);
      expect(byType('order.placed').sort((x, y) => (x.orderId < y.orderId ? -1 : 1))).toMatchObject([
        { orderId: 'W-1', cartId: 'WK-0', total: 12.5, currency: 'EUR', email: 'ann@example.com', campaignId: 'C1', contactUid: 'u1', source: 'sdk', items: [{ sku: 'A', price: 12.5, quantity: 1 }] },
        { orderId: 'W-2', cartId: null, total: 7, email: 'bob@example.com', campaignId: 'C2', contactUid: 'u2', source: 'api', items: [] },
      ]);
      expect(byType('cart.abandoned')).toMatchObject([
        { cartId: 'WK-1', total: 30, email: 'cat@example.com', emailSource: 'browser', abandonedAt: new Date(T0 + 31 * MINUTE).toISOString(), items: [{ sku: 'SKU-1' }, { sku: 'SKU-2' }] },
      ]);
      const status = (await a.hooks())[0];
      expect(status).toMatchObject({ pending: 0, dead: 0, failingSince: null, lastSuccessAt: new Date(sentAt).toISOString() });
      const delivered = await getJson(suite.app, `${a.base}/webhooks/${hook.webhookId}/deliveries?state=delivered`, a.admin);
      expect(delivered.total).toBe(3);
      // the failed first attempt stays in the delivery's history
      for (const d of delivered.rows) {
        expect(d).toMatchObject({ state: 'delivered', attempts: 2, nextAttemptAt: null, deliveredAt: new Date(sentAt).toISOString() });
        expect(d.lastError).toBe('unreachable');
      }
    } finally {
      await up.close();
    }
  });

  it('marks a delivery dead after the last attempt, keeps it listable, and sends it again on request', async () => {
    clock.set(T0);
    let answer = 503;
    const r = await receiver(0, () => answer);
    const retrying = await testApp(suite.store, { clock: clock.clock, allowPrivateWebhooks: true, webhookRetry: { baseDelayMs: 1_000, maxDelayMs: 2_000, maxAttempts: 3 } });
    try {
      const a = await account(retrying);
      const hook = await a.register(`http://127.0.0.1:${r.port}/`, ['order.placed']);
      await a.send(order({ orderId: 'D-1' }));
      expect(await retrying.outbox.runOnce()).toEqual({ delivered: 0, failed: 1, dead: 0, postponed: 0 });
      clock.advance(2_000 * 1.2);
      expect(await retrying.outbox.runOnce()).toEqual({ delivered: 0, failed: 1, dead: 0, postponed: 0 });
      clock.advance(2_000 * 1.2);
      expect(await retrying.outbox.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 1, postponed: 0 });
      clock.advance(86_400_000);
      expect(await retrying.outbox.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 0, postponed: 0 });
      expect(r.got).toHaveLength(3);
      expect(new Set(r.got.map((g) => g.headers['webhook-id'])).size).toBe(1); // one stable ID across retries
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
      expect(await retrying.outbox.runOnce()).toEqual({ delivered: 1, failed: 0, dead: 0, postponed: 0 });
      expect(r.got.map((g) => g.headers['webhook-id'])).toEqual([id, id, id, id]);
      expect((await a.hooks(retrying))[0]).toMatchObject({ pending: 0, dead: 0, failingSince: null });
    } finally {
      await retrying.close();
      await r.close();
    }
  });

  it('loses no pending delivery when the collector restarts', async () => {
    clock.set(T0);
    const port = await downPort();
    const first = await buildApp({ db: suite.url, clock: clock.clock, sweepIntervalMs: 0, outboxIntervalMs: 0, allowPrivateWebhooks: true });
    const a = await account(first);
    const hook = await a.register(`http://127.0.0.1:${port}/restart`);
    const orderIds = Array.from({ length: 8 }, (_, i) => `RS-${i}`);
    await a.send(...orderIds.map((orderId, i) => order({ orderId, visitor: `rv-${i}` })));
    expect((await first.outbox.runOnce()).failed).toBe(8); // the receiver is down
    await first.close();

    const up = await receiver(port);
    const second = await buildApp({ db: suite.url, clock: clock.clock, sweepIntervalMs: 0, outboxIntervalMs: 0, allowPrivateWebhooks: true });
    try {
      clock.advance(60_000);
      expect(await second.outbox.runOnce()).toEqual({ delivered: 8, failed: 0, dead: 0, postponed: 0 });
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
    const second = await buildApp({ db: suite.url, clock: clock.clock, sweepIntervalMs: 0, outboxIntervalMs: 0, allowPrivateWebhooks: true });
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

  it('refuses receivers on loopback, private and link-local addresses at registration, naming the address', async () => {
    const dns = testDns();
    const guarded = await testApp(suite.store, { clock: clock.clock, webhookResolver: dns.resolve });
    try {
      const a = await account(guarded);
      const post = (url: string) => guarded.inject({ method: 'POST', url: `${a.base}/webhooks`, payload: { url, events: ['order.placed'] }, headers: a.auth });
      dns.answers.set('mixed.example', ['93.184.216.34', '10.0.0.5']);
      const only = ': webhooks go to public addresses only';
      const refused: [string, string][] = [
        ['http://127.0.0.1:8080/hook', `127.0.0.1, a loopback address${only}`],
        ['http://2130706433/', `127.0.0.1, a loopback address${only}`], // the same, spelled as one number
        ['http://[::1]/', `::1, a loopback address${only}`],
        ['http://[::ffff:127.0.0.1]/', `::ffff:7f00:1, a loopback address${only}`],
        ['http://[::127.0.0.1]/', `::7f00:1, an IPv4-compatible address${only}`],
        ['http://10.1.2.3/', `10.1.2.3, a private address${only}`],
        ['http://172.16.0.1/', `172.16.0.1, a private address${only}`],
        ['https://192.168.1.1/', `192.168.1.1, a private address${only}`],
        ['http://169.254.169.254/latest/meta-data/', `169.254.169.254, a link-local address${only}`],
        ['http://100.64.0.1/', `100.64.0.1, a carrier-grade NAT address${only}`],
        ['http://0.0.0.0/', `0.0.0.0, an unspecified address${only}`],
        ['http://224.0.0.1/', `224.0.0.1, a multicast address${only}`],
        ['http://255.255.255.255/', `255.255.255.255, a broadcast address${only}`],
        ['http://[fd00::1]/', `fd00::1, a unique-local address${only}`],
        ['http://[fe80::1]/', `fe80::1, a link-local address${only}`],
        ['http://[ff02::1]/', `ff02::1, a multicast address${only}`],
        ['http://[::ffff:a9fe:a9fe]/', `::ffff:a9fe:a9fe, a link-local address${only}`],
        ['http://mixed.example/', `mixed.example resolves to 10.0.0.5, a private address${only}`],
      ];
      for (const [url, reason] of refused) {
        const res = await post(url);
        expect([res.statusCode, res.json()], url).toEqual([400, { error: 'invalid_request', message: `url: ${reason}` }]);
      }
      const local = await post('http://localhost:8080/hook');
      expect(local.statusCode).toBe(400);
      expect(local.json().message).toMatch(new RegExp(`^url: localhost resolves to (127\\.0\\.0\\.1|::1), a loopback address${only}$`));

      dns.answers.set('hooks.example.com', ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
      expect((await post('https://hooks.example.com/emarsys')).statusCode).toBe(201);
      // a name that does not resolve yet is taken: each delivery checks it again
      expect((await post('https://not-yet.example.com/emarsys')).statusCode).toBe(201);
      expect(await a.hooks(guarded)).toHaveLength(2);
      for (const h of await a.hooks(guarded)) await guarded.inject({ method: 'DELETE', url: `${a.base}/webhooks/${h.webhookId}`, headers: a.auth });
    } finally {
      await guarded.close();
    }
  });

  it('refuses a delivery whose address turned private after registration, without ever connecting to it', async () => {
    clock.set(T0);
    const up = await receiver();
    const dns = testDns();
    const guarded = await testApp(suite.store, { clock: clock.clock, webhookResolver: dns.resolve });
    try {
      const a = await account(guarded);
      // DNS rebinding: public when registered, loopback when delivered
      dns.answers.set('rebind.example', ['93.184.216.34']);
      await a.register(`http://rebind.example:${up.port}/hook`, ['order.placed']);
      dns.answers.set('rebind.example', ['127.0.0.1']);
      // and a webhook registered by a collector that allowed private receivers
      await a.register(`http://127.0.0.1:${up.port}/hook`, ['order.placed'], suite.app);
      await a.send(order({ orderId: 'RB-1' }));
      expect(await guarded.outbox.runOnce()).toEqual({ delivered: 0, failed: 2, dead: 0, postponed: 0 });
      const hooks = await a.hooks(guarded);
      expect(hooks.map((h) => h.lastError)).toEqual(['refused: private address', 'refused: private address']);
      expect(up.connections).toBe(0);

      // --allow-private-webhooks lets the same deliveries through; rebind.example exists only in
      // the test's DNS, so its delivery connecting proves the socket took the checked answer
      const onPremises = await testApp(suite.store, { clock: clock.clock, webhookResolver: dns.resolve, allowPrivateWebhooks: true });
      try {
        clock.advance(60_000);
        expect(await onPremises.outbox.runOnce()).toEqual({ delivered: 2, failed: 0, dead: 0, postponed: 0 });
        expect(up.got.map((r) => JSON.parse(r.body).data.orderId)).toEqual(['RB-1', 'RB-1']);
        const local = await a.register(`http://localhost:${up.port}/local`, ['order.placed'], onPremises);
        expect(local.url).toBe(`http://localhost:${up.port}/local`);
      } finally {
        await onPremises.close();
      }
      for (const h of hooks) await guarded.inject({ method: 'DELETE', url: `${a.base}/webhooks/${h.webhookId}`, headers: a.auth });
    } finally {
      await guarded.close();
      await up.close();
    }
  });

  it('tells the receiver\'s operator only its status code, "unreachable" or "timed out", and follows no redirect', async () => {
    clock.set(T0);
    let answer: number | null = 302;
    const r = await receiver(0, () => answer);
    const port = await downPort();
    const a = await account();
    const redirected = await a.register(`http://127.0.0.1:${r.port}/moved`, ['order.placed']);
    const down = await a.register(`http://127.0.0.1:${port}/down`, ['order.placed']);
    const unknown = await a.register('http://no-such-host.invalid/x', ['order.placed']);
    await a.send(order({ orderId: 'E-1' }));
    expect(await suite.app.outbox.runOnce()).toEqual({ delivered: 0, failed: 3, dead: 0, postponed: 0 });
    const errors = async () => Object.fromEntries((await a.hooks()).map((h) => [h.webhookId, h.lastError]));
    expect(await errors()).toEqual({ [redirected.webhookId]: 'HTTP 302', [down.webhookId]: 'unreachable', [unknown.webhookId]: 'unreachable' });
    expect(r.got).toHaveLength(1); // the Location was not followed

    answer = null; // the receiver takes the request and never answers
    const patient = createOutboxWorker({ store: suite.store, clock: clock.clock, destinations: suite.app.webhookDestinations, intervalMs: 0, timeoutMs: 300 });
    clock.advance(DAY);
    const report = await patient.runOnce();
    expect(report.failed).toBe(3);
    expect((await errors())[redirected.webhookId]).toBe('timed out');
    for (const h of [redirected, down, unknown]) await suite.app.inject({ method: 'DELETE', url: `${a.base}/webhooks/${h.webhookId}`, headers: a.auth });
    await r.close();
  });

  it('rotates a secret: both sign for 24 hours, then only the new one', async () => {
    clock.set(T0);
    const up = await receiver();
    try {
      const a = await account();
      const hook = await a.register(`http://127.0.0.1:${up.port}/rotate`, ['order.placed']);
      const rotate = (id: string, token = a.admin) =>
        suite.app.inject({ method: 'POST', url: `${a.base}/webhooks/${id}/rotate-secret`, headers: { authorization: `Bearer ${token}` } });
      const res = await rotate(hook.webhookId);
      expect(res.statusCode).toBe(200);
      const rotated = res.json() as { webhookId: string; secret: string; previousSecretExpiresAt: string };
      expect(rotated).toMatchObject({ webhookId: hook.webhookId, previousSecretExpiresAt: new Date(T0 + DAY).toISOString() });
      expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(rotated.secret).not.toBe(hook.secret);
      expect((await rotate('wh_nope')).json()).toEqual({ error: 'not_found', message: 'webhookId: no such webhook' });
      expect((await rotate(hook.webhookId, a.shopper)).statusCode).toBe(403);
      expect(JSON.stringify(await a.hooks())).not.toContain(rotated.secret);

      clock.advance(DAY - MINUTE);
      await a.send(order({ orderId: 'ROT-1' }));
      expect((await suite.app.outbox.runOnce()).delivered).toBe(1);
      const during = up.got[0];
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verifyWebhook(during.body, during.headers, hook.secret, clock.now)).toBe(true);
      expect(verifyWebhook(during.body, during.headers, rotated.secret, clock.now)).toBe(true);

      clock.advance(2 * MINUTE);
      await a.send(order({ orderId: 'ROT-2' }));
      expect((await suite.app.outbox.runOnce()).delivered).toBe(1);
      const after = up.got[1];
      expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(verifyWebhook(after.body, after.headers, hook.secret, clock.now)).toBe(false);
      expect(verifyWebhook(after.body, after.headers, rotated.secret, clock.now)).toBe(true);
      await suite.app.inject({ method: 'DELETE', url: `${a.base}/webhooks/${hook.webhookId}`, headers: a.auth });
    } finally {
      await up.close();
    }
  });

  it('keeps a secret issued before Standard Webhooks (whsec_ and 64 hex digits) working', async () => {
    clock.set(T0);
    const up = await receiver();
    try {
      const a = await account();
      const hook = await a.register(`http://127.0.0.1:${up.port}/legacy`, ['order.placed']);
      const legacy = `whsec_${'9c1e'.repeat(16)}`;
      await suite.store.db.run('UPDATE webhooks SET secret = $3 WHERE customer_id = $1 AND webhook_id = $2', [a.customerId, hook.webhookId, legacy]);
      await a.send(order({ orderId: 'LEG-1' }));
      expect((await suite.app.outbox.runOnce()).delivered).toBe(1);
      expect(verifyWebhook(up.got[0].body, up.got[0].headers, legacy, clock.now)).toBe(true);
      await suite.app.inject({ method: 'DELETE', url: `${a.base}/webhooks/${hook.webhookId}`, headers: a.auth });
    } finally {
      await up.close();
    }
  });

  it("gives an order.placed the directory's email when the order's contact came from the visitor's click", async () => {
    clock.set(T0);
    const up = await receiver();
    try {
      const a = await account();
      const hook = await a.register(`http://127.0.0.1:${up.port}/orders`, ['order.placed', 'order.refunded']);
      await suite.store.directory.putContacts(a.customerId, [{ contactUid: 'u-click', email: 'clicked@example.com' }], T0);
      const at = T0 - 60 * MINUTE;
      await a.send({ type: 'click', id: 'ev-click-1', time: at, visitor: 'cv-1', attribution: { emst: 'CW.u-click', at }, path: '/shop/' });
      // a later page of the same visitor: no campaign parameters, no email
      await a.send(order({ orderId: 'WC-1', campaign: null, visitor: 'cv-1' }));
      const refund = await suite.app.inject({ method: 'POST', url: `${a.base}/orders/WC-1/refunds`, payload: { amount: '1' }, headers: { authorization: `Bearer ${a.shopper}` } });
      expect(refund.statusCode, refund.body).toBe(201);
      expect((await suite.app.outbox.runOnce()).delivered).toBe(2);
      const byType = Object.fromEntries(up.got.map((r) => JSON.parse(r.body)).map((b) => [b.type, b.data]));
      expect(byType['order.placed']).toMatchObject({ orderId: 'WC-1', campaignId: 'CW', contactUid: 'u-click', email: 'clicked@example.com' });
      expect(byType['order.refunded']).toMatchObject({ orderId: 'WC-1', contactUid: 'u-click', email: 'clicked@example.com' });
      await suite.app.inject({ method: 'DELETE', url: `${a.base}/webhooks/${hook.webhookId}`, headers: a.auth });
    } finally {
      await up.close();
    }
  });

  it('says where an abandoned cart\'s email came from: the browser, the purchases API or the directory', async () => {
    clock.set(T0);
    const up = await receiver();
    try {
      const a = await account();
      const hook = await a.register(`http://127.0.0.1:${up.port}/carts`, ['cart.abandoned']);
      await suite.store.directory.putContacts(a.customerId, [{ contactUid: 'u-dir', email: 'listed@example.com' }], T0);
      const purchase = await suite.app.inject({
        method: 'POST',
        url: `${a.base}/purchases`,
        payload: { email: 'buyer@example.com', orderId: 'API-1', total: '5.00', emst: 'C1.u-api' },
        headers: a.auth,
      });
      expect(purchase.statusCode).toBe(201);
      await a.send(
        cart({ cartId: 'ES-browser', contact: 'u-dir', visitor: 'es1', email: 'typed@example.com' }),
        cart({ cartId: 'ES-api', contact: 'u-api', visitor: 'es2' }),
        cart({ cartId: 'ES-dir', contact: 'u-dir', visitor: 'es3' }),
        cart({ cartId: 'ES-none', contact: 'u-unknown', visitor: 'es4' }),
      );
      clock.advance(31 * MINUTE);
      await suite.app.sweeper.runOnce();
      expect((await suite.app.outbox.runOnce()).delivered).toBe(4);
      const byCart = Object.fromEntries(up.got.map((r) => JSON.parse(r.body).data).map((d) => [d.cartId, [d.email, d.emailSource]]));
      expect(byCart).toEqual({
        'ES-browser': ['typed@example.com', 'browser'],
        'ES-api': ['buyer@example.com', 'api'],
        'ES-dir': ['listed@example.com', 'directory'],
        'ES-none': [null, null],
      });
      await suite.app.inject({ method: 'DELETE', url: `${a.base}/webhooks/${hook.webhookId}`, headers: a.auth });
    } finally {
      await up.close();
    }
  });
});

describe('webhook receiver addresses', () => {
  it('are public unicast addresses only, IPv4-mapped forms judged as the IPv4 address', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:5db8:d822']) expect(nonPublicRange(address), address).toBeNull();
    const ranges = ['127.0.0.1', '::ffff:10.0.0.1', '::ffff:192.168.0.1', '::ffff:100.64.0.1', '::ffff:0.0.0.0', '::', '192.0.2.1', '240.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::'];
    for (const address of ranges) expect(nonPublicRange(address), address).not.toBeNull();
  });
});

describe('webhook DNS lookups', () => {
  it('run two at a time: a name server that never answers holds two of the thread pool\'s threads, not all four', async () => {
    const started: string[] = [];
    const answer = new Map<string, () => void>();
    const hanging: Resolver = (host) =>
      new Promise((resolve) => {
        started.push(host);
        answer.set(host, () => resolve([{ address: '93.184.216.34', family: 4 }]));
      });
    const resolve = limitConcurrency(2, hanging);
    const tick = () => new Promise((r) => setImmediate(r));
    const results = ['a.example', 'b.example', 'c.example', 'd.example'].map((h) => resolve(h));
    await tick();
    // a place is freed when a lookup settles (a delivery that gave up on it leaves it running)
    expect(started).toEqual(['a.example', 'b.example']);
    answer.get('b.example')!();
    await tick();
    expect(started).toEqual(['a.example', 'b.example', 'c.example']);
    answer.get('a.example')!();
    answer.get('c.example')!();
    await tick();
    expect(started).toEqual(['a.example', 'b.example', 'c.example', 'd.example']);
    answer.get('d.example')!();
    expect(await Promise.all(results)).toHaveLength(4);
    // a failing lookup hands its place on too
    const failing = limitConcurrency(1, async (host) => {
      throw new Error(`${host} does not resolve`);
    });
    await expect(Promise.all([failing('x.example'), failing('y.example')])).rejects.toThrow('x.example does not resolve');
    await expect(failing('z.example')).rejects.toThrow('z.example does not resolve');
  });

  it('still resolve through the system (hosts file included)', async () => {
    const addresses = await systemResolver('localhost');
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.every((a) => a.address === '127.0.0.1' || a.address === '::1')).toBe(true);
  });
});

describe('an erased contact\'s webhook payload', () => {
  it('loses the email, where it came from and the contact UID, and gains no field', () => {
    const envelope = (data: object) => JSON.stringify({ id: 'd1', type: 'cart.abandoned', createdAt: '2025-01-15T10:00:00.000Z', customerId: 'c1', data });
    const cartData = { cartId: 'K1', email: 'ann@example.com', emailSource: 'browser', contactUid: 'u1', campaignId: 'C1' };
    expect(JSON.parse(redactEnvelope(envelope(cartData))).data).toEqual({ ...cartData, email: null, emailSource: null, contactUid: null });
    const orderData = { orderId: 'O1', email: 'ann@example.com', contactUid: 'u1' };
    expect(JSON.parse(redactEnvelope(envelope(orderData))).data).toEqual({ orderId: 'O1', email: null, contactUid: null });
  });
});
