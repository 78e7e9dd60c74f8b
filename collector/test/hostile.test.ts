// Hostile ingest on both engines: amounts checked exactly before the acknowledgement, the
// per-customer maximum order value, rate limits per client address and per customer, bounded
// rejected events (cut, hashed, counted, purged), exact money sums, and migration 4.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { IngestLimiter, RateLimitedError, exactOrderValueCap } from '../src/ingest/limits.js';
import { MAX_ORDER_VALUE_CEILING } from '../src/store/customers.js';
import { migrate } from '../src/store/migrations.js';
import { PostgresDatabase } from '../src/store/postgres.js';
import { SqliteDatabase } from '../src/store/sqlite.js';
import { createStore } from '../src/store/store.js';
import type { Database } from '../src/store/database.js';
import { GIF_1X1 } from '../src/routes/gif.js';
import { ENGINES, createTestDatabase, type TestDatabase } from './helpers/engines.js';
import { DAY, MINUTE, T0, addCustomer, addUser, batch, cart, item, order, testApp, testClock, uid } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { allRows, getJson, postEvents } from './helpers/http.js';

describe.each(ENGINES)('hostile ingest on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);

  async function account(maxOrderValue?: number) {
    const customerId = await addCustomer(suite.store);
    if (maxOrderValue !== undefined) await suite.store.customers.update(customerId, { maxOrderValue });
    const { token } = await addUser(suite.store, customerId);
    const base = `/api/v1/customers/${customerId}`;
    return {
      customerId,
      token,
      post: async (...events: unknown[]) => (await postEvents(suite.app, batch(customerId, events))).json() as { accepted: number; rejected: { index: number; field: string; reason: string }[] },
      orders: () => allRows(suite.app, `${base}/orders?attributed=all`, token),
      purchase: (body: object) => suite.app.inject({ method: 'POST', url: `${base}/purchases`, payload: body, headers: { authorization: `Bearer ${token}` } }),
    };
  }

  it('refuses amounts above the customer\'s maximum order value or negative, naming the field, and keeps them as rejected', async () => {
    const a = await account(1000);
    const res = await a.post(
      order({ orderId: 'OK', total: '1000', items: [item('A', '500', 2)] }),
      order({ orderId: 'BIG', total: '1000.0001', items: [] }),
      order({ orderId: 'NEG', total: '-1', items: [] }),
      order({ orderId: 'LINE', total: '10', items: [item('A', '10', 1), item('B', '600', 2)] }),
      order({ orderId: 'SUM', total: '10', items: [item('A', '600', 1), item('B', '600', 1)] }),
      cart({ cartId: 'K-TAX', tax: '-0.01' }),
      order({ orderId: 'PRICE', total: '10', items: [item('A', '9999999999999', 1)] }),
    );
    expect(res.accepted).toBe(1);
    expect(res.rejected).toEqual([
      { index: 1, field: 'events[1].total', reason: "is 1000.0001, above this customer's maximum order value (1000)" },
      { index: 2, field: 'events[2].total', reason: 'must not be negative (is -1)' },
      { index: 3, field: 'events[3].items[1]', reason: "price × quantity is 1200, above this customer's maximum order value (1000)" },
      { index: 4, field: 'events[4].items', reason: "the items add up to 1200, above this customer's maximum order value (1000)" },
      { index: 5, field: 'events[5].tax', reason: 'must not be negative (is -0.01)' },
      { index: 6, field: 'events[6].items[0].price', reason: "is 9999999999999, above this customer's maximum order value (1000)" },
    ]);
    expect((await a.orders()).map((o) => o.orderId)).toEqual(['OK']);
    const kept = await suite.store.rejected.list(a.customerId);
    expect(kept.map((r) => r.reason).sort()).toContain("events[1].total: is 1000.0001, above this customer's maximum order value (1000)");
    expect(kept).toHaveLength(6);
  });

  it('refuses by default the cart that overflowed the columns (price × quantity), and an email with U+0000', async () => {
    const a = await account();
    const res = await a.post(
      cart({ cartId: 'K-HUGE', total: undefined, items: [item('A', 9999999999999, 1_000_000)] }),
      order({ orderId: 'NUL', email: 'a\u0000b@example.com' }),
      order({ orderId: 'TAB', email: 'a\tb@example.com' }),
    );
    expect(res.accepted).toBe(0);
    expect(res.rejected).toEqual([
      { index: 0, field: 'events[0].items[0].price', reason: "is 9999999999999, above this customer's maximum order value (1000000)" },
      { index: 1, field: 'events[1].email', reason: 'must be an email address' },
      { index: 2, field: 'events[2].email', reason: 'must be an email address' },
    ]);
  });

  it('holds the authenticated purchases API only to what the columns hold, not to the maximum order value', async () => {
    const a = await account(1000);
    const fine = await a.purchase({ email: 'big@example.com', orderId: 'API-1', total: '5000000', emst: 'C1.u1' });
    expect(fine.statusCode).toBe(201);
    const line = await a.purchase({ email: 'big@example.com', orderId: 'API-2', items: [item('A', '9999999999999', 1_000_000)] });
    expect([line.statusCode, line.json().message]).toEqual([400, 'items[0]: price × quantity is 9999999999999000000, above the largest amount the collector takes (9999999999999.9999)']);
    expect((await a.orders()).map((o) => o.orderId)).toEqual(['API-1']);
  });

  it('takes a contact\'s click within the customer\'s attribution window only', async () => {
    clock.set(T0);
    const a = await account();
    await suite.store.customers.update(a.customerId, { attributionDays: 5 });
    // clicked a day before T0, known by email only
    await a.post(cart({ cartId: 'K-1', email: 'late@example.com', attribution: { sc_src: 'email_C9', at: T0 - DAY } }));
    await a.post(cart({ cartId: 'K-2', email: 'soon@example.com', attribution: { sc_src: 'email_C8', at: T0 - DAY } }));
    clock.set(T0 + 6 * DAY);
    const late = await a.purchase({ email: 'late@example.com', orderId: 'P-LATE' });
    expect(late.json()).toMatchObject({ attribution: 'none' });
    await suite.store.customers.update(a.customerId, { attributionDays: 30 });
    const soon = await a.purchase({ email: 'soon@example.com', orderId: 'P-SOON' });
    expect(soon.json()).toMatchObject({ attribution: 'click', campaignId: 'C8' });
    clock.set(T0);
  });

  it('keeps the first 2 KiB and a hash of a rejected request, and counts identical rejections on one row', async () => {
    const a = await account();
    const bad = { ...order({ orderId: 'DUP' }), total: 'é'.repeat(20_000) };
    for (let i = 0; i < 3; i++) await a.post(bad);
    const rows = await suite.store.rejected.list(a.customerId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ count: 3, reason: 'events[0].total: must be a dot-decimal amount such as "2999.00" (no thousands separator)' });
    expect(Buffer.byteLength(rows[0].raw)).toBeLessThanOrEqual(2048);
    expect(Buffer.byteLength(rows[0].raw)).toBeGreaterThan(2040);
    expect(rows[0].rawBytes).toBeGreaterThan(40_000);
    expect(rows[0].rawSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps an event refused in a request over 64 KiB as the request: its first 2 KiB, size and hash as received', async () => {
    const a = await account();
    const good = order({ orderId: 'BIG-OK', total: '10', items: [item('A', '10', 1)] });
    const bad = { ...cart({ cartId: 'K-PAD' }), pad: 'ü'.repeat(40_000) };
    const text = batch(a.customerId, [good, bad]);
    const res = await postEvents(suite.app, text);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, field: 'events[1].pad' }] });
    const body = Buffer.from(text, 'utf8');
    const [row] = await suite.store.rejected.list(a.customerId);
    expect(row).toMatchObject({ count: 1, rawBytes: body.length, rawSha256: createHash('sha256').update(body).digest('hex') });
    // cut between characters (ü takes two bytes)
    expect(text.startsWith(row.raw)).toBe(true);
    expect(Buffer.byteLength(row.raw)).toBeGreaterThanOrEqual(2047);
    expect(row.reason).toMatch(/^events\[1\]\.pad: /);
  });

  it('counts identical rejections that arrive in one group on one row (first and last seen kept)', async () => {
    const a = await account();
    const r = (at: number) => ({ customerId: a.customerId, receivedAt: at, source: 'sdk', reason: 'events[0].total: bad', raw: '{"total":"x"}' });
    await suite.store.events.writeGroup([
      { customerId: a.customerId, events: [], rejects: [r(T0 + 2), r(T0 + 1)] },
      { customerId: a.customerId, events: [], rejects: [r(T0 + 3)] },
    ]);
    const rows = await suite.store.rejected.list(a.customerId);
    expect(rows.map((x) => [x.count, x.receivedAt, x.lastSeenAt])).toEqual([[3, T0 + 1, T0 + 3]]);
  });

  it('counts an unknown customer ID per ID whatever its requests carry, apart from the tenants', async () => {
    const ghost = uid('ghost').replace(/-/g, '_');
    for (let i = 0; i < 4; i++) expect((await postEvents(suite.app, batch(ghost, [order()]))).statusCode).toBe(404);
    await suite.app.inject({ url: `/v1/pixel.gif?customerId=${ghost}&e=${encodeURIComponent(JSON.stringify(order()))}` });
    const rows = (await suite.store.rejected.list(null, 1000)).filter((r) => r.claimedCustomerId === ghost);
    expect(rows.map((r) => [r.source, r.count, r.customerId])).toEqual([['sdk', 5, null]]);
  });

  it('deletes rejections not seen for the keep period in the background purge', async () => {
    const a = await account();
    clock.set(T0 - 40 * DAY);
    await a.post({ type: 'order' });
    clock.set(T0 - 2 * DAY);
    await a.post({ type: 'cart' });
    clock.set(T0);
    const deleted = await suite.app.rejectedPurge.runOnce();
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect((await suite.store.rejected.list(a.customerId)).map((r) => r.lastSeenAt)).toEqual([T0 - 2 * DAY]);
  });

  it('sums money exactly past 2^63 in the summary and the time series', async () => {
    const a = await account();
    const day = Math.floor(T0 / DAY) - 3;
    const big = 5_000_000_000_000_000_000n; // two of them overflow BIGINT
    for (const d of [day, day + 1]) {
      await suite.store.db.run(
        `INSERT INTO daily_stats (customer_id, campaign_id, day, currency, orders, revenue, item_lines, carts, converted, abandoned, abandoned_value, recovered)
         VALUES ($1, 'C1', $2, 'EUR', 1, $3, 1, 1, 1, 1, $3, 0)`,
        [a.customerId, d, engine === 'postgres' ? big.toString() : big],
      );
    }
    const range = { customerId: a.customerId, from: day * DAY, to: (day + 2) * DAY, attributed: 'all' as const };
    const [row] = await suite.store.reports.stats(range);
    expect([row.revenue, row.abandonedValue]).toEqual([2n * big, 2n * big]);
    expect((await suite.store.reports.days(range)).map((d) => d.revenue)).toEqual([big, big]);
    const summary = await getJson(suite.app, `/api/v1/customers/${a.customerId}/summary?attributed=all&from=${new Date(day * DAY).toISOString().slice(0, 10)}`, a.token);
    expect(summary.rows[0].revenue).toBe(Number('1000000000000000'));
  });

  it('answers 429 with Retry-After over the limit per client address; the pixels still answer their GIF', async () => {
    const app = await testApp(suite.store, { clock: clock.clock, rateLimits: { perAddress: 2 } });
    try {
      const a = await account();
      const post = () => app.inject({ method: 'POST', url: '/v1/events', payload: batch(a.customerId, [order()]), remoteAddress: '203.0.113.7' });
      expect((await post()).statusCode).toBe(200);
      expect((await post()).statusCode).toBe(200);
      const over = await post();
      expect(over.statusCode).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(over.json()).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/^client: more than 2 requests a minute from this address; retry after \d+ s$/) });
      expect(over.headers['access-control-allow-origin']).toBe('*');
      const pixel = await app.inject({ url: `/v1/pixel.gif?customerId=${a.customerId}&e=${encodeURIComponent(JSON.stringify(order()))}`, remoteAddress: '203.0.113.7' });
      expect([pixel.statusCode, pixel.headers['content-type'], pixel.rawPayload.equals(GIF_1X1)]).toEqual([429, 'image/gif', true]);
      expect(pixel.headers['retry-after']).toBeDefined();
      const legacy = await app.inject({ url: `/upages/ti.php?ems_customer=${a.customerId}`, remoteAddress: '203.0.113.7' });
      expect([legacy.statusCode, legacy.headers['content-type']]).toEqual([429, 'image/gif']);
      // another address is not held back
      expect((await app.inject({ method: 'POST', url: '/v1/events', payload: batch(a.customerId, [order()]), remoteAddress: '203.0.113.8' })).statusCode).toBe(200);
      expect(await a.orders()).toHaveLength(3);
    } finally {
      await app.close();
    }
  });

  it('answers 429 over the events a minute per customer, leaving other customers alone, until the minute has passed', async () => {
    clock.set(T0);
    const app = await testApp(suite.store, { clock: clock.clock, rateLimits: { perCustomer: 5 } });
    try {
      const [a, b] = [await account(), await account()];
      const post = (who: string, n: number) => app.inject({ method: 'POST', url: '/v1/events', payload: batch(who, Array.from({ length: n }, () => order())) });
      expect((await post(a.customerId, 3)).json().accepted).toBe(3);
      const over = await post(a.customerId, 3);
      expect([over.statusCode, over.json().message]).toEqual([429, 'customerId: more than 5 events a minute for this customer; retry after 60 s']);
      expect(over.headers['retry-after']).toBe('60');
      const pixel = await app.inject({ url: `/v1/pixel.gif?customerId=${a.customerId}&e=${encodeURIComponent(JSON.stringify(order()))}` });
      expect(pixel.statusCode).toBe(200); // the 6th event still fits
      expect((await post(b.customerId, 5)).statusCode).toBe(200);
      clock.advance(MINUTE);
      expect((await post(a.customerId, 3)).statusCode).toBe(200);
      expect(await a.orders()).toHaveLength(7);
    } finally {
      clock.set(T0);
      await app.close();
    }
  });
  it('counts only the events that pass the checks against a customer: junk from anyone does not use up its minute', async () => {
    clock.set(T0);
    const app = await testApp(suite.store, { clock: clock.clock, rateLimits: { perCustomer: 150 } });
    try {
      const a = await account();
      const post = (events: unknown[]) => app.inject({ method: 'POST', url: '/v1/events', payload: batch(a.customerId, events) });
      const junk = Array.from({ length: 100 }, () => ({}));
      // 300 refused events, twice the customer's minute: all answered, none counted
      for (let i = 0; i < 3; i++) expect((await post(junk)).json()).toMatchObject({ accepted: 0 });
      expect((await post(Array.from({ length: 100 }, () => order()))).json().accepted).toBe(100);
      // a batch counts its good events only: 50 of these fit, with 50 refused beside them
      const mixed = await post([...Array.from({ length: 50 }, () => order()), ...junk.slice(0, 50)]);
      expect([mixed.statusCode, mixed.json().accepted]).toEqual([200, 50]);
      const over = await post([order()]);
      expect([over.statusCode, over.json().message]).toEqual([429, 'customerId: more than 150 events a minute for this customer; retry after 60 s']);
      expect(await a.orders()).toHaveLength(150);
    } finally {
      clock.set(T0);
      await app.close();
    }
  });

  it('answers an event nested deeper than the stack with a rejection, never a 500, and keeps the request', async () => {
    const a = await account();
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const body = `{"v":1,"customerId":"${a.customerId}","events":[${deep(5000)},${JSON.stringify(order({ orderId: 'FINE' }))},${JSON.stringify(order({ orderId: 'DEEP' })).slice(0, -1)},"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}]}`;
    const res = await postEvents(suite.app, body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 0, field: 'events[0]', reason: 'must be an object' },
        { index: 2, field: 'events[2].x', reason: 'is not a known field' },
      ],
    });
    const kept = await suite.store.rejected.list(a.customerId);
    expect(kept.map((r) => r.reason).sort()).toEqual(['events[0]: must be an object', 'events[2].x: is not a known field']);
    // kept as the request that carried them (its first 2 KiB, size and hash), not as "[object Object]"
    for (const r of kept) expect([body.startsWith(r.raw), r.rawBytes]).toEqual([true, Buffer.byteLength(body)]);
    // 6,000 deep (12 KB, under Node's 16 KiB request line): past what JSON.stringify can write again
    const url = `/v1/pixel.gif?customerId=${a.customerId}&e=${deep(6000)}`;
    const pixel = await suite.app.inject({ url });
    expect([pixel.statusCode, pixel.headers['content-type']]).toEqual([200, 'image/gif']);
    const fromPixel = (await suite.store.rejected.list(a.customerId)).filter((r) => r.source === 'pixel');
    expect(fromPixel.map((r) => r.reason)).toEqual(['events[0]: must be an object']);
    expect(fromPixel[0].raw.startsWith('/v1/pixel.gif?customerId=')).toBe(true);
    expect((await a.orders()).map((o) => o.orderId)).toEqual(['FINE']);
  });

  it('answers HEAD on the pixels with the GIF\'s headers and stores nothing (HEAD is safe: link checkers send it)', async () => {
    const a = await account();
    const urls = [`/v1/pixel.gif?customerId=${a.customerId}&e=${encodeURIComponent(JSON.stringify(order({ orderId: 'HEAD-1' })))}`, `/upages/ti.php?ems_customer=${a.customerId}&order=HEAD-2&total=5`];
    for (const url of urls) {
      const res = await suite.app.inject({ method: 'HEAD', url });
      expect([res.statusCode, res.headers['content-type'], res.headers['cache-control']]).toEqual([200, 'image/gif', 'no-store, no-cache, must-revalidate, max-age=0']);
    }
    expect(await a.orders()).toEqual([]);
    expect(await suite.store.rejected.list(a.customerId)).toEqual([]);
    // the same URLs with GET record their hits, CORS open like POST /v1/events
    for (const url of urls) {
      const res = await suite.app.inject({ url, headers: { origin: 'https://shop.example' } });
      expect([res.statusCode, res.headers['access-control-allow-origin']]).toEqual([200, '*']);
    }
    expect((await a.orders()).map((o) => o.orderId).sort()).toEqual(['HEAD-1', 'HEAD-2']);
  });

  it('refuses an unpaired surrogate (valid JSON, no text) with its field, and stores the rest of the batch', async () => {
    const a = await account();
    const events = [order({ orderId: 'GOOD' }), order({ orderId: 'BAD-LONE' }), cart({ cartId: 'K-S', items: [item('A', '5', 1, { name: 'Sofa LOW' })] }), order({ orderId: 'EMOJI-🛋️', city: 'Tōkyō' })];
    const body = batch(a.customerId, events).replace('LONE', '\\ud800').replace('LOW', '\\ud83d');
    const res = await postEvents(suite.app, body);
    expect(res.statusCode).toBe(200);
    const unpaired = 'must be valid Unicode text (it has an unpaired surrogate)';
    expect(res.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [
        { index: 1, field: 'events[1].orderId', reason: unpaired },
        { index: 2, field: 'events[2].items[0].name', reason: unpaired },
      ],
    });
    expect((await a.orders()).map((o) => o.orderId).sort()).toEqual(['EMOJI-🛋️', 'GOOD']);
    // the refused events are kept, as text the database takes
    expect((await suite.store.rejected.list(a.customerId)).map((r) => r.reason).sort()).toEqual([`events[1].orderId: ${unpaired}`, `events[2].items[0].name: ${unpaired}`]);
  });
});

describe('the order value cap and the per-customer rate limit', () => {
  it('keep 8 days of a customer\'s maximal orders within BIGINT at the defaults', () => {
    const cap = exactOrderValueCap(6000);
    expect(cap).toBeGreaterThanOrEqual(MAX_ORDER_VALUE_CEILING);
    // 11,521 one-minute windows reach one day's aggregate
    expect(BigInt(cap) * 10_000n * 11_521n * 6000n).toBeLessThanOrEqual(2n ** 63n - 1n);
    expect(BigInt(cap + 1) * 10_000n * 11_521n * 6000n).toBeGreaterThan(2n ** 63n - 1n);
    expect(exactOrderValueCap(60_000)).toBe(Math.floor(cap / 10));
    expect(exactOrderValueCap(0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe.each(ENGINES)('migration 4 on %s', (engine) => {
  let test: TestDatabase | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    await test?.drop();
  });

  it('gives customers the default limits and folds the old rejected events into counted, cut rows', async () => {
    test = await createTestDatabase(engine);
    db = engine === 'sqlite' ? new SqliteDatabase(test.url) : new PostgresDatabase(test.url);
    expect(await migrate(db, T0, 3)).toEqual([1, 2, 3]);
    await db.run("INSERT INTO customers (customer_id, name, currency, abandon_after_seconds, created_at) VALUES ('m1', 'M', 'EUR', NULL, $1)", [T0]);
    const old = (id: string, customer: string, at: number, reason: string, raw: string) =>
      db!.run('INSERT INTO rejected_events (customer_id, received_at, id, source, reason, raw) VALUES ($1, $2, $3, $4, $5, $6)', [customer, at, id, 'sdk', reason, raw]);
    await old('r1', 'm1', T0, 'events[0]: must be an object', '"x"');
    await old('r2', 'm1', T0 + 5, 'events[0]: must be an object', '"x"');
    await old('r3', 'm1', T0 + 1, 'events[0].type: is required', `{"pad":"${'y'.repeat(100_000)}"}`);
    await old('r4', '', T0 + 2, 'body: is empty; send a JSON batch { v, customerId, events }', '');
    expect(await migrate(db, T0, 4)).toEqual([4]);
    const store = createStore(db);
    expect(await store.customers.get('m1')).toMatchObject({ maxOrderValue: 1_000_000, attributionDays: 30 });
    const rows = await store.rejected.list('m1');
    expect(rows.map((r) => [r.reason, r.count, r.receivedAt, r.lastSeenAt, r.rawBytes])).toEqual([
      ['events[0]: must be an object', 2, T0, T0 + 5, 3],
      ['events[0].type: is required', 1, T0 + 1, T0 + 1, 100_010],
    ]);
    expect(rows[1].raw).toHaveLength(2048);
    expect(await store.rejected.list(null)).toHaveLength(1);
    if (engine === 'postgres') {
      // the money aggregates are NUMERIC: no sum overflows
      const types = await db.all<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE column_name IN ('revenue', 'abandoned_value', 'total_value') ORDER BY column_name",
      );
      expect(types.map((t) => t.data_type)).toEqual(['numeric', 'numeric', 'numeric']);
    }
  });
});

describe('the per-customer limit', () => {
  it('gives back the events of a request that stored nothing (a 503 the SDK retries), so its retry does not count them twice', () => {
    const limiter = new IngestLimiter({} as FastifyInstance, { perAddress: 0, perCustomer: 10 }, () => T0);
    limiter.takeCustomer('shop', 10);
    expect(() => limiter.takeCustomer('shop', 1)).toThrow(RateLimitedError);
    limiter.giveBackCustomer('shop', 10);
    expect(() => limiter.takeCustomer('shop', 10)).not.toThrow();
  });
});
