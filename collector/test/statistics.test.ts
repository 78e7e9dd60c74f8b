// A fresh PostgreSQL database has no planner statistics until autovacuum's first pass; the
// projection worker analyzes a table it fills as soon as it holds rows (store/log/statistics.ts),
// so the projector's key lookups probe their index instead of reading all of a customer's rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase, type TestDatabase } from './helpers/engines.js';
import { addCustomer, cart, eventRecord, uid } from './helpers/fixtures.js';

describe('planner statistics of a fresh PostgreSQL database', () => {
  let test: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    store = await openStore(test.url);
  });
  afterAll(async () => {
    await store.close();
    await test.drop();
  });

  it('are gathered once the projected tables hold rows: the planner then knows how many a customer has', async () => {
    const customerId = await addCustomer(store);
    const customer = (await store.customers.get(customerId))!;
    const events = Array.from({ length: 400 }, (_, i) => eventRecord(customer, cart({ cartId: uid('c'), visitor: `v${i % 40}` }), Date.now()));
    await store.events.writeGroup([{ customerId, events, rejects: [] }]);
    // a read waits for the projection of what was answered
    expect(Number((await store.db.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM carts WHERE customer_id = $1', [customerId]))?.n)).toBe(400);

    let analyzed = false;
    for (let i = 0; i < 100 && !analyzed; i++) {
      // the worker looks every 2 s; new carts wake it
      await store.events.writeGroup([{ customerId, events: [eventRecord(customer, cart({ cartId: uid('c') }), Date.now())], rejects: [] }]);
      const row = await store.db.immediate.get<{ at: unknown }>("SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = 'carts'");
      analyzed = row?.at != null;
      if (!analyzed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(analyzed).toBe(true);

    // without statistics the planner takes a customer's carts for one or two rows, and joins
    // a list of keys against all of them row by row
    const plan = await store.db.immediate.all<{ 'QUERY PLAN': string }>('EXPLAIN SELECT cart_id FROM carts WHERE customer_id = $1', [customerId]);
    const estimate = Number(/rows=(\d+)/.exec(plan[0]['QUERY PLAN'])?.[1]);
    expect(estimate).toBeGreaterThan(200);
  }, 30_000);
});
