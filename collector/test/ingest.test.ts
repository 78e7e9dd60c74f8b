// Ingest (docs/http-api.md, "Ingest") on both engines: batches, bad input of every kind, de-duplication, the
// modern pixel, CORS, and a real port.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GIF_1X1 } from '../src/routes/gif.js';
import { ENGINES } from './helpers/engines.js';
import { DAY, T0, addCustomer, addUser, batch, cart, item, order, testApp, testClock, uid } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { allRows, getJson, postEvents } from './helpers/http.js';

describe.each(ENGINES)('ingest on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);

  async function account(currency = 'EUR') {
    const customerId = await addCustomer(suite.store, currency);
    const { token } = await addUser(suite.store, customerId);
    return { customerId, token, orders: () => allRows(suite.app, `/api/v1/customers/${customerId}/orders?attributed=all`, token) };
  }

  it('stores the good events of a batch and lists each bad one by index, field and reason', async () => {
    const a = await account();
    const good1 = order({ orderId: 'A-1' });
    const good2 = cart({ cartId: 'K-1' });
    const res = await postEvents(
      suite.app,
      batch(a.customerId, [good1, { ...order({ orderId: 'A-2' }), total: '2,999.00' }, good2, { type: 'refund' }, 'oops']),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [
        { index: 1, field: 'events[1].total', reason: 'must be a dot-decimal amount such as "2999.00" (no thousands separator)' },
        { index: 3, field: 'events[3].type', reason: 'must be "cart", "order" or "click"' },
        { index: 4, field: 'events[4]', reason: 'must be an object' },
      ],
    });
    expect((await a.orders()).map((o) => o.orderId)).toEqual(['A-1']);
    const rejected = await suite.store.rejected.list(a.customerId);
    expect(rejected.map((r) => r.reason).sort()).toEqual([
      'events[1].total: must be a dot-decimal amount such as "2999.00" (no thousands separator)',
      'events[3].type: must be "cart", "order" or "click"',
      'events[4]: must be an object',
    ]);
    expect(rejected.find((r) => r.reason.startsWith('events[1]'))?.raw).toContain('"2,999.00"');
    expect(rejected.every((r) => r.source === 'sdk' && r.receivedAt === T0)).toBe(true);
  });

  it('takes application/json as well as text/plain, and stores what the order said exactly', async () => {
    const a = await account();
    const ev = order({
      orderId: 'J-1',
      total: '2999.95',
      tax: 478.99,
      shipping: '0',
      currency: 'HUF',
      city: 'Budapest',
      country: 'HU',
      email: 'Ada@Example.com',
      items: [item('TV', '2999.95', 1, { name: 'Sony 55"', category: 'TV' })],
    });
    const res = await postEvents(suite.app, batch(a.customerId, [ev], { source: 'emstrack' }), 'application/json');
    expect(res.json()).toMatchObject({ accepted: 1 });
    const detail = await getJson<Record<string, unknown>>(suite.app, `/api/v1/customers/${a.customerId}/orders/J-1`, a.token);
    expect(detail).toEqual({
      time: new Date(T0).toISOString(),
      orderId: 'J-1',
      email: 'Ada@Example.com',
      campaignId: 'C1',
      campaignName: null,
      contactUid: 'u1',
      total: 2999.95,
      currency: 'HUF',
      tax: 478.99,
      shipping: 0,
      city: 'Budapest',
      country: 'HU',
      itemCount: 1,
      source: 'emstrack',
      // the legacy script's emst attributes it; its click was the kept parameters' time
      attribution: 'emst',
      clickAt: new Date(T0 - DAY).toISOString(),
      refunded: 0,
      netTotal: 2999.95,
      cancelledAt: null,
      items: [{ sku: 'TV', name: 'Sony 55"', category: 'TV', price: 2999.95, quantity: 1 }],
    });
  });

  it("gives an order without a currency the customer's default", async () => {
    const a = await account('SEK');
    await postEvents(suite.app, batch(a.customerId, [order({ orderId: 'S-1' })]));
    expect((await a.orders())[0]).toMatchObject({ orderId: 'S-1', currency: 'SEK' });
  });

  it('answers a malformed envelope with 400 naming the field, and keeps it as rejected', async () => {
    const a = await account();
    const cases: [string, number, string, string][] = [
      ['{"v":1,', 400, 'invalid_json', 'body: is not valid JSON ('],
      [batch(a.customerId, [order()], { v: 7 }), 400, 'invalid_batch', 'v: must be 1 (protocol version 7 is unknown to this collector)'],
      [JSON.stringify({ v: 1, customerId: a.customerId, events: [] }), 400, 'invalid_batch', 'events: must not be empty'],
      [JSON.stringify({ v: 1, events: [order()] }), 400, 'invalid_batch', 'customerId: is required'],
      [JSON.stringify({ v: 1, customerId: a.customerId, events: {} }), 400, 'invalid_batch', 'events: must be an array'],
      ['', 400, 'invalid_batch', 'body: is empty; send a JSON batch { v, customerId, events }'],
    ];
    for (const [payload, status, error, message] of cases) {
      const res = await postEvents(suite.app, payload);
      expect(res.statusCode, payload).toBe(status);
      expect(res.json().error).toBe(error);
      expect(res.json().message.startsWith(message), res.body).toBe(true);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    }
    const mine = await suite.store.rejected.list(a.customerId);
    expect(mine.map((r) => r.reason)).toEqual(
      expect.arrayContaining(['v: must be 1 (protocol version 7 is unknown to this collector)', 'events: must not be empty', 'events: must be an array']),
    );
    expect(await a.orders()).toEqual([]);
  });

  it('refuses an unknown customer with 404 and keeps the batch as rejected under no customer', async () => {
    const ghost = uid('ghost').replace(/-/g, '_');
    const res = await postEvents(suite.app, batch(ghost, [order({ orderId: 'G-1' })]));
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'unknown_customer', message: `customerId: unknown customer "${ghost}"` });
    const rows = await suite.store.rejected.list(null, 1000);
    expect(rows.some((r) => r.raw.includes('G-1') && r.reason.includes(ghost))).toBe(true);
    expect(await suite.store.customers.get(ghost)).toBeUndefined();
  });

  it('answers 413 for a body over 512 KiB and stores nothing from it', async () => {
    const a = await account();
    const big = batch(a.customerId, [order({ orderId: 'BIG', items: [item('X', 1, 1, { name: 'n'.repeat(500) })] }), { pad: 'x'.repeat(530_000) }]);
    const res = await postEvents(suite.app, big);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'payload_too_large', message: 'body: must be at most 524288 bytes (512 KiB)' });
    expect(await a.orders()).toEqual([]);
    const unknown = await suite.store.rejected.list(null, 1000);
    expect(unknown.some((r) => r.reason === 'body: must be at most 524288 bytes (512 KiB)')).toBe(true);
  });

  it('refuses huge strings and control characters event by event, storing the rest untouched', async () => {
    const a = await account();
    const res = await postEvents(
      suite.app,
      batch(a.customerId, [
        order({ orderId: 'H-1', items: [item('A', 1, 1, { name: 'n'.repeat(100_000) })] }),
        order({ orderId: 'H-2', city: 'Buda\u0000pest' }),
        order({ orderId: 'H-3\nX' }),
        order({ orderId: 'x'.repeat(129) }),
        order({ orderId: 'H-5', items: [item('A', 1, 1, { name: '<img src=x onerror=alert(1)> =cmd|"/c calc"!A1' })] }),
      ]),
    );
    expect(res.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 0, field: 'events[0].items[0].name', reason: 'must be at most 512 characters' },
        { index: 1, field: 'events[1].city', reason: 'must not contain control characters' },
        { index: 2, field: 'events[2].orderId', reason: 'must not contain control characters' },
        { index: 3, field: 'events[3].orderId', reason: 'must be at most 128 characters' },
      ],
    });
    const detail = await getJson<{ items: { name: string }[] }>(suite.app, `/api/v1/customers/${a.customerId}/orders/H-5`, a.token);
    expect(detail.items[0].name).toBe('<img src=x onerror=alert(1)> =cmd|"/c calc"!A1');
    expect((await a.orders()).map((o) => o.orderId)).toEqual(['H-5']);
  });

  it('counts a repeated order once: the same event ID, or another event ID with the same order ID', async () => {
    const a = await account();
    const first = order({ orderId: 'D-1', total: '100.00' });
    expect((await postEvents(suite.app, batch(a.customerId, [first]))).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await postEvents(suite.app, batch(a.customerId, [first]))).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const reload = { ...first, id: uid('ev'), total: '999.00' };
    expect((await postEvents(suite.app, batch(a.customerId, [reload, reload]))).json()).toMatchObject({ accepted: 0, duplicates: 2 });
    const orders = await a.orders();
    expect(orders).toHaveLength(1);
    expect(orders[0].total).toBe(100);
    const summary = await getJson(suite.app, `/api/v1/customers/${a.customerId}/summary`, a.token);
    expect(summary.rows).toMatchObject([{ campaignId: 'C1', orders: 1, revenue: 100 }]);
    // a cart re-sent by a retry is recognised by its event ID
    const retried = cart({ cartId: 'D-K' });
    expect((await postEvents(suite.app, batch(a.customerId, [retried]))).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await postEvents(suite.app, batch(a.customerId, [retried]))).json()).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('counts an order once when 40 requests race with it', async () => {
    const a = await account();
    const results = await Promise.all(
      Array.from({ length: 40 }, () => postEvents(suite.app, batch(a.customerId, [order({ orderId: 'R-1', total: '10.00' })]))),
    );
    const bodies = results.map((r) => r.json());
    expect(bodies.reduce((n, b) => n + b.accepted, 0)).toBe(1);
    expect(bodies.reduce((n, b) => n + b.duplicates, 0)).toBe(39);
    const summary = await getJson(suite.app, `/api/v1/customers/${a.customerId}/summary`, a.token);
    expect(summary.rows).toMatchObject([{ orders: 1, revenue: 10, buyers: 1 }]);
  });

  it("clamps the order date into [received - 7 days, received] and keeps the event's time otherwise", async () => {
    const a = await account();
    await postEvents(
      suite.app,
      batch(a.customerId, [
        order({ orderId: 'T-future', time: T0 + 30 * DAY }),
        order({ orderId: 'T-past', time: 0 }),
        order({ orderId: 'T-ok', time: T0 - DAY }),
      ]),
    );
    const times = Object.fromEntries((await a.orders()).map((o) => [o.orderId, o.time]));
    expect(times).toEqual({
      'T-future': new Date(T0).toISOString(),
      'T-past': new Date(T0 - 7 * DAY).toISOString(),
      'T-ok': new Date(T0 - DAY).toISOString(),
    });
  });

  it('is open to any shop origin, preflight included', async () => {
    const pre = await suite.app.inject({
      method: 'OPTIONS',
      url: '/v1/events',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(pre.headers['access-control-allow-methods']).toContain('POST');
    expect(pre.headers['access-control-allow-headers']).toContain('content-type');
    const a = await account();
    const res = await postEvents(suite.app, batch(a.customerId, [order()]));
    expect(res.headers['access-control-allow-origin']).toBe('*');
    // the SDK reads a 429's Retry-After
    expect(res.headers['access-control-expose-headers']).toBe('retry-after');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  describe('the modern pixel', () => {
    const pixel = (query: string) => suite.app.inject({ url: `/v1/pixel.gif?${query}` });
    const expectGif = (res: Awaited<ReturnType<typeof pixel>>) => {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/gif');
      expect(res.headers['cache-control']).toContain('no-store');
      expect(res.rawPayload.equals(GIF_1X1)).toBe(true);
      expect(GIF_1X1.subarray(0, 6).toString()).toBe('GIF89a');
    };

    it('stores one event from the query string and answers the 1×1 GIF', async () => {
      const a = await account();
      const ev = order({ orderId: 'P-1', total: 12.5 });
      expectGif(await pixel(`customerId=${a.customerId}&e=${encodeURIComponent(JSON.stringify(ev))}`));
      expect(await a.orders()).toMatchObject([{ orderId: 'P-1', total: 12.5, source: 'pixel' }]);
    });

    it('answers the GIF for anything it cannot accept, and keeps each as rejected', async () => {
      const a = await account();
      expectGif(await pixel(`customerId=${a.customerId}&e=%7Bnot-json`));
      expectGif(await pixel(`customerId=${a.customerId}&e=${encodeURIComponent(JSON.stringify({ ...order(), total: 'lots' }))}`));
      expectGif(await pixel(`customerId=${a.customerId}`));
      expectGif(await pixel(`e=${encodeURIComponent(JSON.stringify(order()))}`));
      expectGif(await pixel(`customerId=nobody_${uid('x').slice(2)}&e=${encodeURIComponent(JSON.stringify(order()))}`));
      const reasons = (await suite.store.rejected.list(a.customerId)).map((r) => r.reason);
      expect(reasons).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^e: is not valid JSON \(/),
          'events[0].total: must be a dot-decimal amount such as "2999.00" (no thousands separator)',
          'e: is required (once): the event as JSON',
        ]),
      );
      expect(await a.orders()).toEqual([]);
      const none = (await suite.store.rejected.list(null, 1000)).map((r) => r.reason);
      expect(none).toEqual(expect.arrayContaining(['customerId: is required (once)', expect.stringMatching(/^customerId: unknown customer "nobody_/)]));
    });
  });

  it('cuts a request whose body arrives too slowly (a byte at a time would hold the connection for ever), and logs no error for it', async () => {
    const a = await account();
    const errors: string[] = [];
    const served = await testApp(suite.store, {
      clock: clock.clock,
      requestTimeoutMs: 1000,
      logger: { level: 'error', stream: { write: (line: string) => errors.push(line) } },
    });
    const address = new URL(await served.listen({ port: 0, host: '127.0.0.1' }));
    try {
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(address.port), '127.0.0.1', () => {
          socket.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n{`);
          const drip = setInterval(() => socket.write(' '), 200);
          let got = '';
          socket.on('data', (d) => (got += d));
          socket.on('close', () => (clearInterval(drip), resolve(got)));
          socket.on('error', (e) => (clearInterval(drip), reject(e)));
        });
      });
      expect(answer).toMatch(/^HTTP\/1.1 408/);
      expect(Date.now() - started).toBeLessThan(10_000);
      // the collector still answers everyone else
      const res = await fetch(`${address.origin}/v1/events`, { method: 'POST', body: batch(a.customerId, [order({ orderId: 'AFTER-1' })]) });
      expect(await res.json()).toMatchObject({ accepted: 1 });
      expect(errors).toEqual([]);
    } finally {
      await served.close();
    }
  });

  it('works over a real port, as a browser sends it', async () => {
    const a = await account();
    const served = await testApp(suite.store, { clock: clock.clock });
    const address = await served.listen({ port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`${address}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.example' },
        body: batch(a.customerId, [order({ orderId: 'NET-1' }), cart()]),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
      const list = await fetch(`${address}/api/v1/customers/${a.customerId}/orders`, { headers: { authorization: `Bearer ${a.token}` } });
      expect(((await list.json()) as { rows: { orderId: string }[] }).rows.map((r) => r.orderId)).toEqual(['NET-1']);
    } finally {
      await served.close();
    }
  });
});
