// Answering comes first on PostgreSQL (docs/collector.md, "Ingest: log, then project"): while a
// collector's appends fill every slot, its projection leaves young entries in the log; a read
// that waits for them has them projected at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase, type TestDatabase } from './helpers/engines.js';
import { addCustomer, eventRecord, order, uid } from './helpers/fixtures.js';

describe('projection under ingest pressure (PostgreSQL)', () => {
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

  it('defers projection while appends queue, and projects at once for a waiting read', async () => {
    const customerId = await addCustomer(store);
    const customer = (await store.customers.get(customerId))!;
    const logged = async () => Number((await store.db.immediate.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM ingest_log WHERE customer_id = $1', [customerId]))?.n);
    const orders = async (read = store.db.immediate) => Number((await read.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM orders WHERE customer_id = $1', [customerId]))?.n);
    const group = () => [{ customerId, events: [eventRecord(customer, order({ orderId: uid('O') }), Date.now())], rejects: [] }];

    // every append slot busy, again and again for over a second
    let appended = 0;
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      const answers = await Promise.all(Array.from({ length: store.events.concurrency + 2 }, () => store.events.writeGroup(group())));
      appended += answers.length;
    }
    expect(appended).toBeGreaterThan(0);
    // young entries stayed in the log while the appends queued (without pressure a batch is
    // projected every 100 ms or so)
    expect(await logged()).toBe(appended);
    expect(await orders()).toBe(0);

    // a read waits for what was answered: projected now, well within the deferral
    const t0 = Date.now();
    expect(await orders(store.db)).toBe(appended);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await logged()).toBe(0);
  }, 30_000);
});
