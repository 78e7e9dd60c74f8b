// An event that passes every check at ingest but still cannot be applied (here: a trigger the
// test installs refuses one SKU) is found inside its batch, kept with the rejected events and
// its reason, and everything around it is applied: on both engines, through the real log and
// projector. How fast applying stays with one such entry in every 200 is measured by
// `npm run bench` (BENCHMARKS.md, "Poison").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, EventRecord } from '../src/store/types.js';
import pg from 'pg';
import { openStore } from '../src/store/store.js';
import { ENGINES, createTestDatabase, openTestStore } from './helpers/engines.js';
import { addCustomer, cart, eventRecord, item, order } from './helpers/fixtures.js';

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

// Refusals of other kinds: several in one batch and statement, a cart's row, one in the
// aggregates (which cannot be traced to a row: the batch is split instead), and one that fails
// only together with an earlier entry of its batch.
const REFUSALS = {
  sqlite: `CREATE TRIGGER poison_item BEFORE INSERT ON order_items WHEN NEW.sku = 'POISON' BEGIN SELECT RAISE(ABORT, 'poisoned item'); END;
    CREATE TRIGGER poison_cart BEFORE INSERT ON carts WHEN NEW.email = 'poison@example.com' BEGIN SELECT RAISE(ABORT, 'poisoned cart'); END;
    CREATE TRIGGER poison_stats BEFORE INSERT ON daily_stats WHEN NEW.campaign_id = 'CPOISON' BEGIN SELECT RAISE(ABORT, 'poisoned stats'); END;
    CREATE UNIQUE INDEX once_sku ON order_items (sku) WHERE sku = 'ONCE'`,
  postgres: `CREATE FUNCTION poison_item() RETURNS trigger AS $$ BEGIN IF NEW.sku = 'POISON' THEN RAISE EXCEPTION 'poisoned item'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE FUNCTION poison_cart() RETURNS trigger AS $$ BEGIN IF NEW.email = 'poison@example.com' THEN RAISE EXCEPTION 'poisoned cart'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE FUNCTION poison_stats() RETURNS trigger AS $$ BEGIN IF NEW.campaign_id = 'CPOISON' THEN RAISE EXCEPTION 'poisoned stats'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER poison_item BEFORE INSERT ON order_items FOR EACH ROW EXECUTE FUNCTION poison_item();
    CREATE TRIGGER poison_cart BEFORE INSERT ON carts FOR EACH ROW EXECUTE FUNCTION poison_cart();
    CREATE TRIGGER poison_stats BEFORE INSERT ON daily_stats FOR EACH ROW EXECUTE FUNCTION poison_stats();
    CREATE UNIQUE INDEX once_sku ON order_items (sku) WHERE sku = 'ONCE'`,
};

describe.each(ENGINES)('entries refused within one batch, on %s', (engine) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;

  beforeAll(async () => {
    t = await openTestStore(engine);
    await t.store.db.immediate.exec(REFUSALS[engine]);
  });
  afterAll(() => t.close());

  /** Writes `events` as one request (one batch) and answers what was stored and set aside. */
  async function apply(customer: Customer, events: EventRecord[]) {
    const answers = await t.store.events.writeGroup([{ customerId: customer.customerId, events, rejects: [] }]);
    expect(answers[0].every((a) => a === 'accepted')).toBe(true);
    const orders = await t.store.db.all<{ order_id: string }>('SELECT order_id FROM orders WHERE customer_id = $1 ORDER BY order_id', [customer.customerId]);
    const carts = await t.store.db.all<{ cart_id: string }>('SELECT cart_id FROM carts WHERE customer_id = $1 ORDER BY cart_id', [customer.customerId]);
    const stats = await t.store.db.get<{ orders: unknown }>('SELECT SUM(orders) AS orders FROM daily_stats WHERE customer_id = $1', [customer.customerId]);
    const rejected = await t.store.rejected.list(customer.customerId);
    return { orders: orders.map((r) => r.order_id), carts: carts.map((r) => r.cart_id), statsOrders: Number(stats?.orders ?? 0), rejected };
  }

  const ids = (prefix: string, n: number, except: number[]) =>
    Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`).filter((_, i) => !except.includes(i));

  it('sets aside each refused entry, in one statement or several, and applies the rest of the batch', async () => {
    const customer = (await t.store.customers.get(await addCustomer(t.store)))!;
    const bad = [5, 6, 30];
    const events = Array.from({ length: 40 }, (_, i) =>
      eventRecord(customer, order({ orderId: `A-${String(i).padStart(3, '0')}`, items: [item(bad.includes(i) ? 'POISON' : 'GOOD', '1.00', 1)], total: '1.00' })),
    );
    for (let i = 0; i < 10; i++) {
      const email = i === 7 ? 'poison@example.com' : `k${i}@example.com`;
      events.splice(i * 4, 0, eventRecord(customer, cart({ cartId: `K-${String(i).padStart(3, '0')}`, visitor: `kv${i}`, email })));
    }
    const r = await apply(customer, events);
    expect(r.orders).toEqual(ids('A', 40, bad));
    expect(r.carts).toEqual(ids('K', 10, [7]));
    expect(r.statsOrders).toBe(37);
    expect(r.rejected.map((x) => x.reason).sort()).toEqual([
      'event: could not be applied (poisoned cart)',
      ...Array(3).fill('event: could not be applied (poisoned item)'),
    ]);
    expect(r.rejected.some((x) => x.raw.includes('"A-005"'))).toBe(true);
  });

  it('leaves nothing of a refused entry that was its batch alone', async () => {
    const customer = (await t.store.customers.get(await addCustomer(t.store)))!;
    const r = await apply(customer, [eventRecord(customer, order({ orderId: 'D-000', items: [item('GOOD', '1.00', 1), item('POISON', '1.00', 1)], total: '2.00' }))]);
    expect(r.orders).toEqual([]);
    expect(r.statsOrders).toBe(0);
    expect(r.rejected.map((x) => x.reason)).toEqual(['event: could not be applied (poisoned item)']);
    const items = await t.store.db.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM order_items WHERE customer_id = $1', [customer.customerId]);
    expect(Number(items?.n)).toBe(0);
  });

  it('finds an entry the aggregates refuse by splitting the batch', async () => {
    const customer = (await t.store.customers.get(await addCustomer(t.store)))!;
    const events = Array.from({ length: 30 }, (_, i) =>
      eventRecord(customer, order({ orderId: `B-${String(i).padStart(3, '0')}`, campaign: i === 17 ? 'CPOISON' : 'C1' })),
    );
    const r = await apply(customer, events);
    expect(r.orders).toEqual(ids('B', 30, [17]));
    expect(r.statsOrders).toBe(29);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0].reason).toBe('event: could not be applied (poisoned stats)');
    expect(r.rejected[0].raw).toContain('"B-017"');
  });

  it('sets aside the later of two entries that fail only together', async () => {
    const customer = (await t.store.customers.get(await addCustomer(t.store)))!;
    const once = [3, 12];
    const events = Array.from({ length: 20 }, (_, i) =>
      eventRecord(customer, order({ orderId: `C-${String(i).padStart(3, '0')}`, items: [item(once.includes(i) ? 'ONCE' : 'GOOD', '1.00', 1)], total: '1.00' })),
    );
    const r = await apply(customer, events);
    expect(r.orders).toEqual(ids('C', 20, [12]));
    expect(r.statsOrders).toBe(19);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0].reason).toMatch(/^event: could not be applied \(.*unique/i);
    expect(r.rejected[0].raw).toContain('"C-012"');
  });
});

describe('an entry that waits on a lock past lock_timeout, on postgres', () => {
  it('is retried, never set aside: a DBA lock (a CREATE INDEX, a VACUUM FULL) loses no acknowledged event', async () => {
    const db = await createTestDatabase('postgres');
    // a lock_timeout many databases set, shorter than the lock held below
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${new URL(db.url).pathname.slice(1)} SET lock_timeout = '200ms'`);
    const store = await openStore(db.url);
    try {
      const customer = (await store.customers.get(await addCustomer(store)))!;
      await store.db.get('SELECT 1 AS x FROM daily_stats LIMIT 1');
      // the lock a plain CREATE INDEX on daily_stats takes, held for a second
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE daily_stats IN SHARE MODE');
      const events = Array.from({ length: 40 }, (_, i) => eventRecord(customer, order({ orderId: `L-${i}`, total: '1.00', items: [item('A', '1.00', 1)] })));
      const answers = await store.events.writeGroup([{ customerId: customer.customerId, events, rejects: [] }]);
      expect(answers[0].every((a) => a === 'accepted')).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
      await admin.query('COMMIT');
      // reads wait until what was answered is applied
      const stored = await store.db.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM orders WHERE customer_id = $1', [customer.customerId]);
      expect(Number(stored?.n)).toBe(40);
      expect(await store.rejected.list(customer.customerId)).toEqual([]);
    } finally {
      await admin.end();
      await store.close();
      await db.drop();
    }
  }, 30_000);
});
