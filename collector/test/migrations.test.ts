// Schema version 2 on a database that already holds version 1 data (both engines): orders and
// carts get their contact key by the identity rule, and the contact profiles are built from them.
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../src/store/migrations.js';
import { PostgresDatabase } from '../src/store/postgres.js';
import { SqliteDatabase } from '../src/store/sqlite.js';
import { createStore } from '../src/store/store.js';
import type { Database } from '../src/store/database.js';
import { ENGINES, createTestDatabase, type TestDatabase } from './helpers/engines.js';
import { T0 } from './helpers/fixtures.js';

const HOUR = 3_600_000;

describe.each(ENGINES)('migrating to contact profiles on %s', (engine) => {
  let test: TestDatabase | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    await test?.drop();
  });

  it('gives existing orders and carts their contact and builds the profiles', async () => {
    test = await createTestDatabase(engine);
    db = engine === 'sqlite' ? new SqliteDatabase(test.url) : new PostgresDatabase(test.url);
    expect(await migrate(db, T0, 1)).toEqual([1]);
    await db.run("INSERT INTO customers (customer_id, name, currency, abandon_after_seconds, created_at) VALUES ('m1', 'M', 'EUR', NULL, $1)", [T0]);
    await db.run("INSERT INTO contacts (customer_id, contact_uid, email, updated_at) VALUES ('m1', 'u9', 'Old@Example.com', $1)", [T0]);
    const order = (id: string, uid: string, email: string | null, campaign: string, time: number, total: number) =>
      db!.run(
        `INSERT INTO orders (customer_id, order_id, time, received_at, campaign_id, contact_uid, email, buyer, total, currency, item_count, source, visitor, cart_id, event_id)
         VALUES ('m1', $1, $2, $2, $3, $4, $5, 'b', $6, 'EUR', 1, 'sdk', 'v', '', $1)`,
        [id, time, campaign, uid, email, total],
      );
    const cart = (id: string, uid: string, email: string | null, campaign: string, time: number, abandonedAt: number | null) =>
      db!.run(
        `INSERT INTO carts (customer_id, cart_id, state, time, received_at, campaign_id, contact_uid, email, total, currency, item_count, items, visitor, source, event_id, abandoned_at)
         VALUES ('m1', $1, $2, $3, $3, $4, $5, $6, 50000, 'EUR', 1, '[]', 'v', 'sdk', $1, $7)`,
        [id, abandonedAt === null ? 'open' : 'abandoned', time, campaign, uid, email, abandonedAt],
      );
    await order('O-1', 'u1', null, 'C1', T0, 100_000);
    await order('O-2', 'u1', 'ann@example.com', '', T0 + 2 * HOUR, 250_000);
    await order('O-3', '', 'old@example.com', '', T0, 10_000);
    await order('O-4', '', 'X@Example.com', '', T0, 20_000);
    await cart('K-1', 'u1', null, 'C2', T0 + HOUR, T0 + 3 * HOUR);
    await cart('K-2', '', null, '', T0, T0 + HOUR);

    expect(await migrate(db, T0, 2)).toEqual([2]);
    const keys = await db.all<{ order_id: string; contact_key: string }>("SELECT order_id, contact_key FROM orders WHERE customer_id = 'm1' ORDER BY order_id");
    expect(keys).toEqual([
      { order_id: 'O-1', contact_key: 'u:u1' },
      { order_id: 'O-2', contact_key: 'u:u1' },
      { order_id: 'O-3', contact_key: 'u:u9' },
      { order_id: 'O-4', contact_key: 'e:x@example.com' },
    ]);
    const store = createStore(db);
    expect(await store.profiles.get('m1', 'u:u1')).toEqual({
      contactKey: 'u:u1',
      contactUid: 'u1',
      email: 'ann@example.com',
      orders: 2,
      lastOrderAt: T0 + 2 * HOUR,
      lastOrderValue: 250_000n,
      lastOrderCurrency: 'EUR',
      abandonedCarts: 1,
      lastAbandonedAt: T0 + 3 * HOUR,
      firstCampaignId: 'C1',
      firstCampaignName: null,
      lastCampaignId: 'C2',
      lastCampaignName: null,
      lastCampaignAt: T0 + HOUR,
    });
    expect(await store.profiles.get('m1', 'u:u9')).toMatchObject({ contactUid: 'u9', email: 'old@example.com', orders: 1, abandonedCarts: 0 });
    expect(await store.profiles.get('m1', 'e:x@example.com')).toMatchObject({ contactUid: null, email: 'X@Example.com', orders: 1 });
    expect(await store.profiles.count({ customerId: 'm1', currency: 'EUR' })).toBe(3);
    expect(await store.profiles.count({ customerId: 'm1', currency: 'EUR', minTotalValue: 350_000n })).toBe(1);
  });
});

describe.each(ENGINES)('migrating webhooks to secret rotation on %s', (engine) => {
  let test: TestDatabase | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    await test?.drop();
  });

  it('keeps each secret, adds no previous one, and rewords errors that named the network', async () => {
    test = await createTestDatabase(engine);
    db = engine === 'sqlite' ? new SqliteDatabase(test.url) : new PostgresDatabase(test.url);
    await migrate(db, T0, 3);
    const hook = (id: string, error: string | null) =>
      db!.run("INSERT INTO webhooks (customer_id, webhook_id, url, events, secret, created_at, last_error) VALUES ('m1', $1, 'https://h.example/', 'order.placed', $2, $3, $4)", [
        id,
        `whsec_${id}`,
        T0,
        error,
      ]);
    await hook('refused', 'network: ECONNREFUSED fetch failed');
    await hook('slow', 'timeout: no answer in time');
    await hook('down', 'HTTP 503');
    await hook('fine', null);
    await db.run(
      "INSERT INTO webhook_deliveries (customer_id, delivery_id, webhook_id, event, payload, contact_key, state, attempts, next_attempt_at, created_at, last_error) VALUES ('m1', 'd1', 'refused', 'order.placed', '{}', '', 'pending', 1, $1, $1, 'network: ENOTFOUND getaddrinfo h.example')",
      [T0],
    );
    expect(await migrate(db, T0)).toContain(5);
    const rows = await db.all<Record<string, unknown>>('SELECT webhook_id, secret, previous_secret, previous_secret_expires_at, last_error FROM webhooks ORDER BY webhook_id');
    expect(rows).toEqual([
      { webhook_id: 'down', secret: 'whsec_down', previous_secret: null, previous_secret_expires_at: null, last_error: 'HTTP 503' },
      { webhook_id: 'fine', secret: 'whsec_fine', previous_secret: null, previous_secret_expires_at: null, last_error: null },
      { webhook_id: 'refused', secret: 'whsec_refused', previous_secret: null, previous_secret_expires_at: null, last_error: 'unreachable' },
      { webhook_id: 'slow', secret: 'whsec_slow', previous_secret: null, previous_secret_expires_at: null, last_error: 'timed out' },
    ]);
    expect(await db.get('SELECT last_error FROM webhook_deliveries')).toEqual({ last_error: 'unreachable' });
  });
});

describe.each(ENGINES)('migrating to refunds and revenue per attribution method on %s', (engine) => {
  let test: TestDatabase | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    await test?.drop();
  });

  it('counts the stored orders per campaign, day, currency and attribution method, exactly, with nothing refunded', async () => {
    test = await createTestDatabase(engine);
    db = engine === 'sqlite' ? new SqliteDatabase(test.url) : new PostgresDatabase(test.url);
    await migrate(db, T0, 8);
    const order = (id: string, campaign: string, time: number, currency: string, total: bigint, attribution: string | null) =>
      db!.run(
        `INSERT INTO orders (customer_id, order_id, time, received_at, campaign_id, contact_uid, email, buyer, total, currency, item_count, source, visitor, cart_id, event_id, attribution)
         VALUES ('m1', $1, $2, $2, $3, '', NULL, 'b', $4, $5, 1, 'sdk', 'v', '', $1, $6)`,
        [id, time, campaign, total, currency, attribution],
      );
    const big = 9_000_000_000_000_000n; // near BIGINT's end: the sums stay exact
    await order('O-1', 'C1', T0, 'EUR', 100_000n, 'cookie');
    await order('O-2', 'C1', T0 + HOUR, 'EUR', 250_001n, 'cookie');
    await order('O-3', 'C1', T0 + 2 * HOUR, 'EUR', 10_000n, 'visitor');
    await order('O-4', 'C1', T0 + 24 * HOUR, 'USD', big, 'cookie');
    await order('O-5', '', T0, 'EUR', 20_000n, null);
    expect(await migrate(db, T0)).toContain(9);
    const rows = await db.all<Record<string, unknown>>(
      "SELECT campaign_id, day, currency, attribution, orders, revenue, refunded FROM attribution_days WHERE customer_id = 'm1' ORDER BY campaign_id, day, currency, attribution",
    );
    const day = Math.floor(T0 / (24 * HOUR));
    expect(rows.map((r) => [r.campaign_id, Number(r.day), r.currency, r.attribution, Number(r.orders), String(r.revenue), String(r.refunded)])).toEqual([
      ['', day, 'EUR', 'none', 1, '20000', '0'],
      ['C1', day, 'EUR', 'cookie', 2, '350001', '0'],
      ['C1', day, 'EUR', 'visitor', 1, '10000', '0'],
      ['C1', day + 1, 'USD', 'cookie', 1, String(big), '0'],
    ]);
    expect(await db.get("SELECT refunded, cancelled_at FROM orders WHERE customer_id = 'm1' AND order_id = 'O-1'")).toMatchObject({ cancelled_at: null });
  });
});
