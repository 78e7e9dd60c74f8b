// An event that passes every check at ingest but still cannot be applied (here: a trigger the
// test installs refuses one SKU) is found inside its batch, kept with the rejected events and
// its reason, and everything around it is applied: on both engines, through the real log and
// projector. How fast applying stays with one such entry in every 200 is measured by
// `npm run bench` (BENCHMARKS.md, "Poison").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, EventRecord } from '../src/store/types.js';
import { ENGINES, openTestStore } from './helpers/engines.js';
import { addCustomer, eventRecord, item, order } from './helpers/fixtures.js';

const POISON_SQL = {
  sqlite: `CREATE TRIGGER poison BEFORE INSERT ON order_items WHEN NEW.sku = 'POISON' BEGIN SELECT RAISE(ABORT, 'poisoned item'); END`,
  postgres: `CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF NEW.sku = 'POISON' THEN RAISE EXCEPTION 'poisoned item'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER poison BEFORE INSERT ON order_items FOR EACH ROW EXECUTE FUNCTION poison()`,
};

describe.each(ENGINES)('an entry that cannot be applied, on %s', (engine) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let customer: Customer;
  let other: Customer;

  beforeAll(async () => {
    t = await openTestStore(engine);
    customer = (await t.store.customers.get(await addCustomer(t.store)))!;
    other = (await t.store.customers.get(await addCustomer(t.store)))!;
    await t.store.db.immediate.exec(POISON_SQL[engine]);
  });
  afterAll(() => t.close());

  it('is set aside with its reason while every other entry of its batch and of other customers is applied', async () => {
    const events: EventRecord[] = [];
    const poisoned: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const bad = i % 200 === 137;
      const orderId = `P-${i}`;
      if (bad) poisoned.push(orderId);
      events.push(eventRecord(customer, order({ orderId, items: [item(bad ? 'POISON' : 'GOOD', '1.00', 1)], total: '1.00' })));
    }
    const others = Array.from({ length: 50 }, (_, i) => eventRecord(other, order({ orderId: `Q-${i}`, total: '2.00', items: [item('GOOD', '2.00', 1)] })));
    // groups as ingest makes them: requests of both customers interleaved
    for (let i = 0; i < events.length; i += 50) {
      const answers = await t.store.events.writeGroup([
        { customerId: customer.customerId, events: events.slice(i, i + 50), rejects: [] },
        { customerId: other.customerId, events: others.slice(i / 20, i / 20 + 2.5), rejects: [] },
      ]);
      expect(answers[0].every((a) => a === 'accepted')).toBe(true);
    }

    // reads wait until what was answered is applied
    const stored = await t.store.db.all<{ order_id: string }>('SELECT order_id FROM orders WHERE customer_id = $1', [customer.customerId]);
    expect(stored).toHaveLength(1000 - poisoned.length);
    expect(stored.map((r) => r.order_id)).not.toContain(poisoned[0]);
    const otherCount = await t.store.db.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM orders WHERE customer_id = $1', [other.customerId]);
    expect(Number(otherCount?.n)).toBe(50);

    const rejected = await t.store.rejected.list(customer.customerId);
    expect(rejected).toHaveLength(poisoned.length);
    for (const r of rejected) {
      expect(r.reason).toMatch(/^event: could not be applied \(.*poisoned item/);
      expect(poisoned.some((id) => r.raw.includes(`"${id}"`))).toBe(true);
    }
    // the aggregates hold exactly the applied orders
    const stats = await t.store.db.get<{ orders: unknown; revenue: unknown }>(
      'SELECT SUM(orders) AS orders, SUM(revenue) AS revenue FROM daily_stats WHERE customer_id = $1',
      [customer.customerId],
    );
    expect(Number(stats?.orders)).toBe(995);
    expect(Number(stats?.revenue)).toBe(995 * 10_000);
  });
});
