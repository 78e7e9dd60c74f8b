// PostgreSQL's projection worker (docs/collector.md, "Ingest: log, then project"):
// - a fresh database has no planner statistics until autovacuum's first pass; the worker
//   analyzes a table it fills as soon as it holds rows (store/log/statistics.ts), so the
//   projector's key lookups probe their index instead of reading all of a customer's rows;
// - answering comes first: while a collector's requests queue for their answers, its
//   projection leaves young entries in the log; a read that waits for them has them projected
//   at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionWorker } from '../src/store/log/projection.js';
import { PostgresDatabase } from '../src/store/postgres.js';
import { openStore, type Store } from '../src/store/store.js';
import { systemResolver } from '../src/webhooks/destination.js';
import { createOutboxWorker } from '../src/webhooks/worker.js';
import { createTestDatabase, type TestDatabase } from './helpers/engines.js';
import { addCustomer, cart, eventRecord, order, uid } from './helpers/fixtures.js';

describe('the projection worker on PostgreSQL', () => {
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

  /** A new customer, and how many rows of it a table holds (read without waiting for the projection, unless `read` waits). */
  async function newCustomer() {
    const customerId = await addCustomer(store);
    const customer = (await store.customers.get(customerId))!;
    const count = async (table: 'ingest_log' | 'orders' | 'carts', read: Pick<typeof store.db, 'get'> = store.db.immediate) =>
      Number((await read.get<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table} WHERE customer_id = $1`, [customerId]))?.n);
    return { customerId, customer, count };
  }

  /**
   * Says that requests queue for their answers every 50 ms, as the collector's meter would,
   * until the answer is called. A timer rather than a call per append: on a loaded machine
   * one round of appends can outlast the pressure window (250 ms).
   */
  function underPressure(): () => void {
    store.events.busy?.();
    const timer = setInterval(() => store.events.busy?.(), 50);
    return () => clearInterval(timer);
  }

  it('are gathered once the projected tables hold rows: the planner then knows how many a customer has', async () => {
    const { customerId, customer, count } = await newCustomer();
    const events = Array.from({ length: 400 }, (_, i) => eventRecord(customer, cart({ cartId: uid('c'), visitor: `v${i % 40}` }), Date.now()));
    await store.events.writeGroup([{ customerId, events, rejects: [] }]);
    // a read waits for the projection of what was answered
    expect(await count('carts', store.db)).toBe(400);

    // ANALYZE sets the table's row count in the catalog at once (-1 until a table is first
    // analyzed or vacuumed); pg_stat_user_tables.last_analyze would only show once the
    // analyzing backend flushes its statistics, which a loaded machine can delay for seconds
    let analyzed = false;
    for (const deadline = Date.now() + 20_000; !analyzed && Date.now() < deadline; ) {
      // the worker looks every 2 s; new carts wake it
      await store.events.writeGroup([{ customerId, events: [eventRecord(customer, cart({ cartId: uid('c') }), Date.now())], rejects: [] }]);
      const row = await store.db.immediate.get<{ n: unknown }>("SELECT reltuples AS n FROM pg_class WHERE relname = 'carts' AND relkind = 'r'");
      analyzed = Number(row?.n) > 0;
      if (!analyzed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(analyzed).toBe(true);

    // without statistics the planner takes a customer's carts for one or two rows, and joins
    // a list of keys against all of them row by row
    const plan = await store.db.immediate.all<{ 'QUERY PLAN': string }>('EXPLAIN SELECT cart_id FROM carts WHERE customer_id = $1', [customerId]);
    const estimate = Number(/rows=(\d+)/.exec(plan[0]['QUERY PLAN'])?.[1]);
    expect(estimate).toBeGreaterThan(200);
  }, 30_000);

  it('defers projection while appends queue, and projects at once for a waiting read', async () => {
    const { customerId, customer, count } = await newCustomer();
    const logged = () => count('ingest_log');
    const orders = (read = store.db.immediate) => count('orders', read);
    const group = () => [{ customerId, events: [eventRecord(customer, order({ orderId: uid('O') }), Date.now())], rejects: [] }];

    // for over a second, requests queue for their answers (what ingest's group committer
    // reports, test/group-commit.test.ts)
    let appended = 0;
    const relieved = underPressure();
    try {
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        const answers = await Promise.all(Array.from({ length: store.events.concurrency }, () => store.events.writeGroup(group())));
        appended += answers.length;
      }
      expect(appended).toBeGreaterThan(0);
      // young entries stayed in the log while the appends queued (without pressure a batch is
      // projected every 100 ms or so)
      expect(await logged()).toBe(appended);
      expect(await orders()).toBe(0);

      // a read waits for what was answered: projected now, under pressure still, well within the deferral
      const t0 = Date.now();
      expect(await orders(store.db)).toBe(appended);
      expect(Date.now() - t0).toBeLessThan(9000); // not held for the deferral (10 s)
      expect(await logged()).toBe(0);
    } finally {
      relieved();
    }
  }, 30_000);

  it("is not hurried by the webhook outbox's timed passes", async () => {
    const { customerId, customer, count } = await newCustomer();
    const logged = () => count('ingest_log');
    const outbox = createOutboxWorker({ store, clock: Date.now, destinations: { allowPrivate: true, resolve: systemResolver }, intervalMs: 100 });
    let appended = 0;
    const relieved = underPressure();
    try {
      outbox.start();
      // requests queue for their answers for over a second: the timer fires ten times meanwhile
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        await store.events.writeGroup([{ customerId, events: [eventRecord(customer, order({ orderId: uid('O') }), Date.now())], rejects: [] }]);
        appended++;
        await new Promise((r) => setTimeout(r, 20));
      }
      // a timed pass that waited for the projection would have had these entries projected
      expect(await logged()).toBe(appended);
    } finally {
      relieved();
      await outbox.stop();
    }
    // a pass asked for waits for everything answered: then nothing is left in the log
    await outbox.runOnce();
    expect(await logged()).toBe(0);
  }, 30_000);

  it('defers again once the waiting read has its answer, though the appends go on', async () => {
    const { customerId, customer, count } = await newCustomer();
    const orders = () => count('orders');
    const group = () => [{ customerId, events: Array.from({ length: 100 }, () => eventRecord(customer, order({ orderId: uid('O') }), Date.now())), rejects: [] }];
    // requests queue for their answers all along (said by the timer, and before each round of
    // appends: on a slow machine building the groups can hold the timer past the pressure
    // window), and the log always holds more than a batch
    let stop = false;
    const relieved = underPressure();
    const appending = (async () => {
      while (!stop) {
        store.events.busy?.();
        await Promise.all(Array.from({ length: store.events.concurrency }, () => store.events.writeGroup(group())));
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    // a read waits: what was answered before it is projected at once
    await store.db.get('SELECT 1 FROM orders WHERE customer_id = $1 LIMIT 1', [customerId]);
    await new Promise((r) => setTimeout(r, 300)); // the batch in hand, if any, is finished
    const afterRead = await orders();
    // then young entries wait again, though the log never empties
    await new Promise((r) => setTimeout(r, 1500));
    const later = await orders();
    stop = true;
    relieved();
    await appending;
    expect(afterRead).toBeGreaterThan(0);
    expect(later - afterRead).toBeLessThanOrEqual(500); // at most one batch that was under way
  }, 30_000);

  it('judges by the news queued for it before each decision, not by the last it was delivered', async () => {
    // a database of its own: the earlier tests leave a backlog that every worker would take first
    const own = await createTestDatabase('postgres');
    const ownStore = await openStore(own.url);
    const customerId = await addCustomer(ownStore);
    const customer = (await ownStore.customers.get(customerId))!;
    const logged = async () => Number((await ownStore.db.immediate.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM ingest_log'))?.n);
    // the store's own projection thread hears of pressure all along, and leaves the entries be
    ownStore.events.busy?.();
    const pressing = setInterval(() => ownStore.events.busy?.(), 50);
    // a projection in this thread that was never delivered a word of pressure: its only news is
    // what `news` hands it at its decisions (as the thread takes the messages already queued)
    const db = new PostgresDatabase(own.url, { max: 2 });
    const workers: ProjectionWorker[] = [];
    const start = (news: (w: ProjectionWorker) => void) => {
      const w: ProjectionWorker = new ProjectionWorker(db, () => {}, () => {}, () => news(w));
      workers.push(w);
    };
    try {
      await ownStore.events.writeGroup([{ customerId, events: Array.from({ length: 20 }, () => eventRecord(customer, order({ orderId: uid('O') }), Date.now())), rejects: [] }]);
      start((w) => w.busy());
      await new Promise((r) => setTimeout(r, 800));
      expect(await logged()).toBe(20);
      // without the news, the same worker takes the young entries at once
      start(() => {});
      await expect.poll(logged, { timeout: 8_000 }).toBe(0);
    } finally {
      clearInterval(pressing);
      for (const w of workers) await w.close();
      await db.close();
      await ownStore.close();
      await own.drop();
    }
  }, 30_000);
});
