// The SQLite ingest queue (src/store/queue/): what a stopped collector answered is applied at
// the next start, exactly once; duplicates are told while events wait; an entry the write path
// refuses is kept as a rejected event without stopping the others; a full queue says 503;
// while requests queue for their answers, young entries wait unless a reader needs them.
import { serialize } from 'node:v8';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { queuePath, type QueueEntry } from '../src/store/queue/messages.js';
import { IngestQueue, QueueFullError } from '../src/store/queue/index.js';
import { errorAnswer } from '../src/routes/errors.js';
import { openStore } from '../src/store/store.js';
import type { Customer, EventRecord } from '../src/store/types.js';
import { createTestDatabase, type TestDatabase } from './helpers/engines.js';
import { T0, addCustomer, addUser, batch, cart, eventRecord, order } from './helpers/fixtures.js';
import { getJson, postEvents } from './helpers/http.js';
import { testApp } from './helpers/fixtures.js';

let test: TestDatabase;
let customer: Customer;

beforeEach(async () => {
  test = await createTestDatabase('sqlite');
  // a collector that ran once: schema, customer and queue file exist
  const store = await openStore(test.url);
  customer = (await store.customers.get(await addCustomer(store)))!;
  await store.close();
});

afterEach(async () => {
  await test.drop();
});

const record = (raw: Record<string, unknown>): EventRecord => eventRecord(customer, raw);

/** Entries a collector answered and was stopped before applying, as its append thread writes them. */
function leaveQueued(...events: EventRecord[]): void {
  const q = new BetterSqlite3(queuePath(test.url));
  const insert = q.prepare('INSERT INTO queue (event_key, order_key, entry) VALUES (?, ?, ?)');
  for (const event of events) {
    const entry: QueueEntry = { customerId: customer.customerId, event };
    insert.run(
      `${customer.customerId}\u0000${event.eventId}`,
      event.type === 'order' ? `${customer.customerId}\u0000${event.orderId}` : null,
      serialize(entry),
    );
  }
  q.close();
}

function queueId(): string {
  const db = new BetterSqlite3(test.url, { readonly: true });
  try {
    return db.prepare('SELECT queue_id FROM ingest_applied').pluck().get() as string;
  } finally {
    db.close();
  }
}

function queueLength(): number {
  const q = new BetterSqlite3(queuePath(test.url), { readonly: true });
  try {
    return q.prepare('SELECT count(*) FROM queue').pluck().get() as number;
  } finally {
    q.close();
  }
}

describe('the SQLite ingest queue', () => {
  it('applies at start what a stopped collector answered, once, and empties the queue', async () => {
    const c = cart({ cartId: 'QK-1', visitor: 'qv' });
    const o = order({ orderId: 'QO-1', cartId: 'QK-1', visitor: 'qv', total: '12.50', time: T0 + 1000 });
    leaveQueued(record(c), record(o));
    expect(queueLength()).toBe(2);

    const store = await openStore(test.url);
    const app = await testApp(store);
    try {
      const { token } = await addUser(store, customer.customerId);
      // reads wait for the queue: the order is there on the first read
      const orders = await getJson(app, `/api/v1/customers/${customer.customerId}/orders?attributed=all`, token);
      expect(orders.rows).toMatchObject([{ orderId: 'QO-1', total: 12.5 }]);
      const summary = await getJson(app, `/api/v1/customers/${customer.customerId}/summary`, token);
      expect(summary.rows).toMatchObject([{ orders: 1, carts: 1, conversionRate: 1 }]);
      // a retry of either answers duplicate
      const again = await postEvents(app, batch(customer.customerId, [c, o]));
      expect(again.json()).toMatchObject({ accepted: 0, duplicates: 2 });
    } finally {
      await app.close();
      await store.close();
    }
    // and a second start applies nothing twice
    const store2 = await openStore(test.url);
    const app2 = await testApp(store2);
    try {
      const { token } = await addUser(store2, customer.customerId);
      const orders = await getJson(app2, `/api/v1/customers/${customer.customerId}/orders?attributed=all`, token);
      expect(orders.total).toBe(1);
    } finally {
      await app2.close();
      await store2.close();
    }
    expect(queueLength()).toBe(0);
  });

  it('answers duplicate for an event or an order ID that is still waiting in the queue', async () => {
    const o = order({ orderId: 'QO-2' });
    leaveQueued(record(o));
    const store = await openStore(test.url);
    const app = await testApp(store);
    try {
      const sameEvent = await postEvents(app, batch(customer.customerId, [o]));
      expect(sameEvent.json()).toMatchObject({ accepted: 0, duplicates: 1 });
      const sameOrder = await postEvents(app, batch(customer.customerId, [order({ orderId: 'QO-2' })]));
      expect(sameOrder.json()).toMatchObject({ accepted: 0, duplicates: 1 });
      const { token } = await addUser(store, customer.customerId);
      expect((await getJson(app, `/api/v1/customers/${customer.customerId}/orders?attributed=all`, token)).total).toBe(1);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('keeps an entry the write path refuses as a rejected event, and applies the ones after it', async () => {
    const broken = { ...record(order({ orderId: 'QO-BAD' })), currency: null } as unknown as EventRecord;
    leaveQueued(broken, record(order({ orderId: 'QO-GOOD' })));
    const store = await openStore(test.url);
    const app = await testApp(store);
    try {
      const { token } = await addUser(store, customer.customerId);
      const orders = await getJson(app, `/api/v1/customers/${customer.customerId}/orders?attributed=all`, token);
      expect(orders.rows.map((r) => r.orderId)).toEqual(['QO-GOOD']);
      const rejected = await store.rejected.list(customer.customerId);
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).toMatch(/^event: could not be applied \(NOT NULL constraint failed: orders\.currency\)/);
      expect(rejected[0].raw).toContain('"orderId":"QO-BAD"');
    } finally {
      await app.close();
      await store.close();
    }
    expect(queueLength()).toBe(0);
  });

  it('leaves young entries queued while requests queue for their answers, and applies them at once for a waiting read', async () => {
    const store = await openStore(test.url);
    const { customerId } = customer;
    const orders = async (read = store.db.immediate) => Number((await read.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM orders WHERE customer_id = $1', [customerId]))?.n);
    // received now (entries older than 10 s are applied whatever the pressure)
    const append = () => store.events.writeGroup([{ customerId, events: [eventRecord(customer, order(), Date.now())], rejects: [] }]);
    // said every 50 ms, as the collector's meter would while it lasts
    store.events.busy?.();
    const pressure = setInterval(() => store.events.busy?.(), 50);
    try {
      for (let i = 0; i < 20; i++) await append();
      // without pressure the apply thread takes them within milliseconds
      await new Promise((r) => setTimeout(r, 600));
      expect(await orders()).toBe(0);
      expect(queueLength()).toBe(20);

      // a read waits for what was answered: applied at once, under pressure still
      expect(await orders(store.db)).toBe(20);
      // then young entries wait again
      await append();
      await new Promise((r) => setTimeout(r, 600));
      expect(await orders()).toBe(20);
    } finally {
      clearInterval(pressure);
    }
    try {
      // the burst is over: applied without a reader
      await vi.waitFor(async () => expect(await orders()).toBe(21), { timeout: 5000, interval: 50 });
    } finally {
      await store.close();
    }
  });

  it('refuses groups with 503 while the queue is full, and takes them again once it is applied', async () => {
    leaveQueued(record(order()), record(order()), record(order()));
    // another connection holds the database's write lock: nothing can be applied meanwhile
    const lock = new BetterSqlite3(test.url);
    lock.pragma('busy_timeout = 10000');
    lock.exec('BEGIN IMMEDIATE');
    const queue = new IngestQueue(test.url, { appliedSeq: 0, queueId: queueId(), maxBacklog: 2 });
    try {
      const write = () => queue.writeGroup([{ customerId: customer.customerId, events: [record(order())], rejects: [] }]);
      const refused = await write().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(QueueFullError);
      expect(refused).toMatchObject({ statusCode: 503, headers: { 'retry-after': '5' } });
      lock.exec('COMMIT');
      await queue.settled();
      expect(await write()).toEqual([['accepted']]);
    } finally {
      if (lock.inTransaction) lock.exec('ROLLBACK');
      lock.close();
      await queue.close();
    }
  });

  it('answers 503 when the queue file stays locked (or the disk is full), and takes the group once it is free', async () => {
    const queue = new IngestQueue(test.url, { appliedSeq: 0, queueId: queueId(), busyTimeoutMs: 100 });
    const write = () => queue.writeGroup([{ customerId: customer.customerId, events: [record(order())], rejects: [] }]);
    expect(await write()).toEqual([['accepted']]);
    // another collector on the same queue file holds its write lock past the busy timeout
    const lock = new BetterSqlite3(queuePath(test.url));
    lock.exec('BEGIN IMMEDIATE');
    try {
      const refused = (await write().catch((e: unknown) => e)) as Error;
      // the code crossed from the append thread: a passing state, answered 503 and retried
      expect(refused).toMatchObject({ code: 'SQLITE_BUSY' });
      expect(errorAnswer(refused)).toMatchObject({ status: 503, headers: { 'retry-after': '2' } });
      lock.exec('COMMIT');
      expect(await write()).toEqual([['accepted']]);
    } finally {
      if (lock.inTransaction) lock.exec('ROLLBACK');
      lock.close();
      await queue.close();
    }
  });

  it('sets aside a queue file that belongs to another database, and applies none of it', async () => {
    leaveQueued(record(order({ orderId: 'QO-OTHER' })));
    // the database file replaced by a new one, its queue file left behind
    const first = test;
    test = await createTestDatabase('sqlite');
    const other = first.url;
    const { renameSync, readdirSync } = await import('node:fs');
    renameSync(queuePath(other), queuePath(test.url));
    const store = await openStore(test.url);
    try {
      customer = (await store.customers.get(await addCustomer(store)))!;
      const app = await testApp(store);
      const { token } = await addUser(store, customer.customerId);
      const answer = await postEvents(app, batch(customer.customerId, [order({ orderId: 'QO-NEW' })]));
      expect(answer.json()).toMatchObject({ accepted: 1 });
      const orders = await getJson(app, `/api/v1/customers/${customer.customerId}/orders?attributed=all`, token);
      expect(orders.rows.map((r) => r.orderId)).toEqual(['QO-NEW']);
      await app.close();
    } finally {
      await store.close();
      await first.drop();
    }
    const dir = queuePath(test.url).replace(/[^/\\]+$/, '');
    expect(readdirSync(dir).filter((f) => f.includes('-queue.other-'))).toHaveLength(1);
  });
});
