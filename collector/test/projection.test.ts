// Projection on PostgreSQL with several collectors on one database (docs/scale.md): each
// customer is projected by one collector at a time; a customer another collector holds waits,
// and the reports say from when their data may lag; a collector that dies holding a customer
// releases it; collectors ingesting together apply every event exactly once.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase, type TestDatabase } from './helpers/engines.js';
import { addCustomer, addUser, batch, eventRecord, order, testApp } from './helpers/fixtures.js';
import { postEvents } from './helpers/http.js';

/** The advisory lock a projection worker takes for a customer (store/log/postgres-log.ts). */
const LOCK = 'SELECT pg_advisory_lock(74301772, hashtext($1))';

describe('projection shared by collectors on one PostgreSQL', () => {
  let test: TestDatabase;
  let a: Store;
  let b: Store;

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    a = await openStore(test.url);
    b = await openStore(test.url);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await test.drop();
  });

  async function orderCount(store: Store, customerId: string): Promise<number> {
    const row = await store.db.immediate.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM orders WHERE customer_id = $1', [customerId]);
    return Number(row?.n);
  }

  async function drained(store: Store, customerId: string): Promise<void> {
    for (let i = 0; i < 400 && (await store.events.pendingSince?.(customerId)) != null; i++) await new Promise((r) => setTimeout(r, 25));
  }

  it('waits while another collector holds the customer, says so in the reports, and takes over when that collector dies', async () => {
    const customerId = await addCustomer(a);
    const { token } = await addUser(a, customerId, 'ecommerce-admin');
    // another collector, mid-projection of this customer: its own connection holds the claim
    const other = new pg.Client({ connectionString: test.url });
    await other.connect();
    await other.query(LOCK, [customerId]);

    const customer = (await a.customers.get(customerId))!;
    const events = [order({ orderId: 'L-1' }), order({ orderId: 'L-2' })].map((raw) => eventRecord(customer, raw, Date.now()));
    const answer = await b.events.writeGroup([
      { customerId, events: [], rejects: [] },
      { customerId, events, rejects: [] },
    ]);
    expect(answer).toEqual([[], ['accepted', 'accepted']]);

    await new Promise((r) => setTimeout(r, 300));
    expect(await orderCount(a, customerId)).toBe(0);
    const app = await testApp(a);
    try {
      const res = await app.inject({ method: 'GET', url: `/api/v1/customers/${customerId}/orders?attributed=all`, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
      expect(Date.parse(String(res.headers['x-data-up-to']))).toBeGreaterThan(Date.now() - 60_000);

      // the holder's connection ends (its collector was killed): the claim is free, the work done
      await other.end();
      await drained(a, customerId);
      expect(await orderCount(a, customerId)).toBe(2);
      const after = await app.inject({ method: 'GET', url: `/api/v1/customers/${customerId}/orders?attributed=all`, headers: { authorization: `Bearer ${token}` } });
      expect(after.headers['x-data-up-to']).toBeUndefined();
      expect(after.json().total).toBe(2);
    } finally {
      await app.close();
    }
  });

  it('applies every event exactly once when two collectors ingest and project together', async () => {
    const customerId = await addCustomer(a);
    const apps = [await testApp(a), await testApp(b)];
    try {
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        const events = Array.from({ length: 10 }, (_, k) => order({ orderId: `X-${i}-${k}`, total: '1.00', items: [] }));
        // every batch twice, once through each collector: the second copy is a duplicate
        for (const app of apps) sends.push(postEvents(app, batch(customerId, events)));
      }
      const answers = (await Promise.all(sends)) as { json(): { accepted: number; duplicates: number } }[];
      const accepted = answers.reduce((n, r) => n + r.json().accepted, 0);
      const duplicates = answers.reduce((n, r) => n + r.json().duplicates, 0);
      expect([accepted, duplicates]).toEqual([400, 400]);
      await drained(a, customerId);
      expect(await orderCount(a, customerId)).toBe(400);
      const stats = await a.db.get<{ orders: unknown; revenue: unknown }>('SELECT SUM(orders) AS orders, SUM(revenue) AS revenue FROM daily_stats WHERE customer_id = $1', [
        customerId,
      ]);
      expect([Number(stats?.orders), Number(stats?.revenue)]).toEqual([400, 400 * 10_000]);
    } finally {
      for (const app of apps) await app.close();
    }
  });
});
