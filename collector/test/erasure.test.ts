// Erasure (docs/advanced.md) on both engines: a contact erased by UID, another by email
// (in a POST body; the deprecated `DELETE /contacts?email=` still works, and says so).
// Afterwards no table holds the email or the UID (every text column of every table is
// searched), pending webhook payloads are redacted, other contacts are untouched, and every
// report total is what it was. Then what could bring an erased contact back: its clicks, a
// payload filed under another key, a rejected request kept under no customer.
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/engines.js';
import { queuePath } from '../src/store/queue/messages.js';
import { openStore } from '../src/store/store.js';
import { DAY, MINUTE, T0, addCustomer, addUser, batch, cart, order, testApp, testClock, uid } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { allRows, getJson, postEvents } from './helpers/http.js';


describe.each(ENGINES)('erasure on %s', (engine) => {
  const clock = testClock(T0);
  // its webhook receiver is on 127.0.0.1
  const suite = testSuite(engine, clock, { allowPrivateWebhooks: true });

  /** Every text column of every table: [table, column]. */
  async function textColumns(): Promise<[string, string][]> {
    if (engine === 'postgres') {
      const rows = await suite.store.db.all<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'text'",
      );
      return rows.map((r) => [r.table_name, r.column_name]);
    }
    const tables = await suite.store.db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'");
    const out: [string, string][] = [];
    for (const { name } of tables) {
      for (const c of await suite.store.db.all<{ name: string; type: string }>(`PRAGMA table_info(${name})`)) if (c.type === 'TEXT') out.push([name, c.name]);
    }
    return out;
  }

  /** Where `needle` still occurs, as `table.column`. */
  async function occurrences(needle: string): Promise<string[]> {
    const found: string[] = [];
    for (const [table, column] of await textColumns()) {
      const row = await suite.store.db.get<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table} WHERE lower(${column}) LIKE $1`, [`%${needle.toLowerCase()}%`]);
      if (Number(row?.n) > 0) found.push(`${table}.${column}`);
    }
    return found;
  }

  it('erases a contact by UID and another by email everywhere, while every report total stays the same', async () => {
    clock.set(T0);
    const customerId = await addCustomer(suite.store);
    const token = (await addUser(suite.store, customerId)).token;
    const admin = (await addUser(suite.store, customerId, 'admin')).token;
    const base = `/api/v1/customers/${customerId}`;
    const auth = { authorization: `Bearer ${admin}` };
    await suite.store.directory.putContacts(customerId, [
      { contactUid: 'ann-uid', email: 'ann@example.com' },
      { contactUid: 'bob-uid', email: 'bob@example.com' },
    ], T0);
    // a webhook whose receiver is down: Ann's events wait in the outbox
    const hook = await suite.app.inject({ method: 'POST', url: `${base}/webhooks`, headers: auth, payload: { url: 'http://127.0.0.1:9/down', events: ['order.placed', 'cart.abandoned'] } });
    expect(hook.statusCode).toBe(201);

    const send = (...events: object[]) => postEvents(suite.app, batch(customerId, events));
    await send(
      order({ orderId: 'A-1', campaign: 'C1', contact: 'ann-uid', visitor: 'va', total: '100.00' }),
      order({ orderId: 'A-2', campaign: null, visitor: 'va2', email: 'Ann@Example.com', total: '50.00', time: T0 + MINUTE }),
      cart({ cartId: 'AK-1', campaign: 'C1', contact: 'ann-uid', visitor: 'vak', email: 'ann@example.com', total: '40.00' }),
      order({ orderId: 'B-1', campaign: 'C1', contact: 'bob-uid', visitor: 'vb', total: '70.00', email: 'bob@example.com' }),
      cart({ cartId: 'BK-1', campaign: 'C2', contact: 'bob-uid', visitor: 'vbk', total: '20.00' }),
    );
    await suite.app.inject({ method: 'POST', url: `${base}/purchases`, headers: auth, payload: { email: 'ann@example.com', orderId: 'A-3', total: '30.00', emst: 'C2' } });
    await suite.app.inject({ method: 'POST', url: `${base}/purchases`, headers: auth, payload: { email: 'carol@example.com', orderId: 'K-1', total: '9.00' } });
    await suite.app.inject({ method: 'POST', url: `${base}/purchases`, headers: auth, payload: { email: 'carol@example.com', orderId: 'K-2', total: '1.00', time: T0 - DAY } });
    // refused events that carry Ann's email: in a batch, and percent-encoded in a pixel's URL
    await send({ ...order({ orderId: 'A-bad', email: 'ann@example.com' }), total: '1,00' });
    const pixelEvent = JSON.stringify({ ...order({ orderId: 'A-px', email: 'ann@example.com' }), total: 'x' });
    await suite.app.inject({ url: `/v1/pixel.gif?customerId=${customerId}&e=${encodeURIComponent(pixelEvent)}` });
    clock.advance(31 * MINUTE);
    await suite.app.sweeper.runOnce();
    await suite.app.outbox.runOnce(); // fails: the receiver is down, the deliveries stay pending

    const reports = async () => ({
      summary: await allRows(suite.app, `${base}/summary?attributed=all`, token),
      summaryDay: await allRows(suite.app, `${base}/summary?attributed=all&from=2025-01-15&to=2025-01-15`, token),
      byCampaign: await allRows(suite.app, `${base}/summary?campaign=C1`, token),
      timeseries: (await getJson(suite.app, `${base}/timeseries?attributed=all`, token)).rows,
      items: await allRows(suite.app, `${base}/items?attributed=all`, token),
      orders: (await allRows(suite.app, `${base}/orders?attributed=all`, token)).map(({ email: _e, contactUid: _u, ...rest }) => rest),
      abandoned: (await allRows(suite.app, `${base}/abandoned-carts?attributed=all`, token)).map(({ email: _e, contactUid: _u, ...rest }) => rest),
    });
    const before = await reports();
    expect(before.summary.length).toBeGreaterThan(0);
    expect(await occurrences('ann@example.com')).not.toEqual([]);
    const annRows = () => allRows(suite.app, `${base}/orders?attributed=all`, token).then((rows) => rows.filter((r) => String(r.orderId).startsWith('A-')));
    expect((await annRows()).map((r) => r.email).sort()).toEqual(['Ann@Example.com', 'ann@example.com', 'ann@example.com']);

    // only an admin erases
    const erase = (payload: object, headers = auth) => suite.app.inject({ method: 'POST', url: `${base}/contacts/erase`, headers, payload });
    const asShopper = await suite.app.inject({ method: 'DELETE', url: `${base}/contacts/ann-uid`, headers: { authorization: `Bearer ${token}` } });
    expect(asShopper.statusCode).toBe(403);
    expect((await erase({ contactUid: 'ann-uid' }, { authorization: `Bearer ${token}` })).statusCode).toBe(403);

    const res = await erase({ contactUid: 'ann-uid' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      erased: { contactUids: ['ann-uid'], emails: ['ann@example.com'], orders: 3, carts: 1, profiles: 1, directory: 1, webhookDeliveries: 4, rejectedEvents: 2 },
    });

    expect(await occurrences('ann@example.com')).toEqual([]);
    expect(await occurrences('ann%40example.com')).toEqual([]);
    expect(await occurrences('ann-uid')).toEqual([]);
    expect(await reports()).toEqual(before);
    for (const r of await annRows()) expect([r.email, r.contactUid]).toEqual([null, null]);
    // Bob is untouched
    const bob = (await allRows(suite.app, `${base}/orders?attributed=all`, token)).find((r) => r.orderId === 'B-1');
    expect(bob).toMatchObject({ email: 'bob@example.com', contactUid: 'bob-uid' });
    expect((await allRows(suite.app, `${base}/contacts`, token)).map((c) => c.email).sort()).toEqual(['bob@example.com', 'carol@example.com']);
    // the redacted deliveries still go out, without the contact
    const pending = await suite.store.db.all<{ payload: string }>("SELECT payload FROM webhook_deliveries WHERE customer_id = $1 AND state = 'pending'", [customerId]);
    const annOrder = pending.map((p) => JSON.parse(p.payload).data).find((d) => d.orderId === 'A-1');
    expect(annOrder).toMatchObject({ orderId: 'A-1', total: 100, email: null, contactUid: null, campaignId: 'C1' });

    // by email, in any case, in the body; erasing again finds nothing more
    const byEmail = await erase({ email: 'CAROL@example.com' });
    expect(byEmail.headers.deprecation).toBeUndefined();
    expect(byEmail.json()).toEqual({
      erased: { contactUids: [], emails: ['carol@example.com'], orders: 2, carts: 0, profiles: 1, directory: 0, webhookDeliveries: 2, rejectedEvents: 0 },
    });
    expect(await occurrences('carol@example.com')).toEqual([]);
    expect(await reports()).toEqual(before);
    const again = await suite.app.inject({ method: 'DELETE', url: `${base}/contacts/ann-uid`, headers: auth });
    expect(again.json().erased).toMatchObject({ orders: 0, carts: 0, profiles: 0, directory: 0, webhookDeliveries: 0, rejectedEvents: 0 });
    const answer = async (payload: object) => {
      const r = await erase(payload);
      return [r.statusCode, r.json().message];
    };
    expect(await answer({ email: 'nope' })).toEqual([400, 'email: must be an email address']);
    expect(await answer({ contactUid: '' })).toEqual([400, 'contactUid: must not be empty']);
    expect(await answer({})).toEqual([400, 'body: must name either "email" or "contactUid"']);
    expect(await answer({ email: 'ann@example.com', contactUid: 'ann-uid' })).toEqual([400, 'body: must name either "email" or "contactUid"']);
    expect(await answer({ mail: 'ann@example.com' })).toEqual([400, 'mail: is not a known field']);
  });

  it('still erases by DELETE /contacts?email=, answering a Deprecation header that points to the body form', async () => {
    clock.set(T0);
    const customerId = await addCustomer(suite.store);
    const admin = (await addUser(suite.store, customerId, 'admin')).token;
    const base = `/api/v1/customers/${customerId}`;
    const auth = { authorization: `Bearer ${admin}` };
    await suite.app.inject({ method: 'POST', url: `${base}/purchases`, headers: auth, payload: { email: 'dave@example.com', orderId: 'D-1', total: '5.00' } });

    const res = await suite.app.inject({ method: 'DELETE', url: `${base}/contacts?email=Dave@example.com`, headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().erased).toMatchObject({ emails: ['dave@example.com'], orders: 1 });
    expect(res.headers.deprecation).toMatch(/^@\d+$/);
    expect(new URL(String(res.headers.link).match(/^<(.+)>; rel="successor-version"$/)![1], `http://c.test${base}/contacts`).pathname).toBe(`${base}/contacts/erase`);
    expect(await occurrences('dave@example.com')).toEqual([]);

    const bad = await suite.app.inject({ method: 'DELETE', url: `${base}/contacts?email=nope`, headers: auth });
    expect([bad.statusCode, bad.json().message]).toEqual([400, 'email: must be an email address']);
    const none = await suite.app.inject({ method: 'DELETE', url: `${base}/contacts`, headers: auth });
    expect([none.statusCode, none.json().message]).toEqual([400, 'email: is required']);
  });

  /** A customer (a new one, or `customerId`) with a shopper's and an admin's token, and erasure as its admin. */
  async function account(customerId?: string) {
    const id = customerId ?? (await addCustomer(suite.store));
    const token = (await addUser(suite.store, id)).token;
    const admin = (await addUser(suite.store, id, 'admin')).token;
    const base = `/api/v1/customers/${id}`;
    const erase = (payload: object) => suite.app.inject({ method: 'POST', url: `${base}/contacts/erase`, headers: { authorization: `Bearer ${admin}` }, payload });
    return { customerId: id, token, admin, base, erase };
  }

  it("keeps an erased contact's clicks without its UID, so a later anonymous order of the same browser is not linked back to it", async () => {
    clock.set(T0);
    const { customerId, token, base, erase } = await account();
    const send = (...events: object[]) => postEvents(suite.app, batch(customerId, events));
    const click = { type: 'click', id: uid('ev'), time: T0 - DAY, visitor: 'vb', attribution: { emst: 'C1.bea-uid', at: T0 - DAY }, path: '/shop/' };
    await send(click, order({ orderId: 'B-1', contact: 'bea-uid', visitor: 'vb' }));
    const summary = () => allRows(suite.app, `${base}/summary?attributed=all&from=2025-01-14&to=2025-01-15`, token);
    const before = await summary();
    expect(before).toMatchObject([{ clicks: 1 }]);

    expect((await erase({ contactUid: 'bea-uid' })).json().erased).toMatchObject({ contactUids: ['bea-uid'], orders: 1 });
    expect(await occurrences('bea-uid')).toEqual([]);
    expect(await summary()).toEqual(before);

    // the same browser buys again, without campaign, UID or email: the click still attributes it, to nobody
    clock.advance(MINUTE);
    await send(order({ orderId: 'B-2', campaign: null, visitor: 'vb', time: T0 + MINUTE }));
    const b2 = (await allRows(suite.app, `${base}/orders?attributed=all`, token)).find((r) => r.orderId === 'B-2');
    expect(b2).toMatchObject({ campaignId: 'C1', contactUid: null, email: null });
    expect(await allRows(suite.app, `${base}/contacts`, token)).toEqual([]);
    expect(await occurrences('bea-uid')).toEqual([]);
  });

  it.runIf(engine === 'sqlite')('leaves no applied entry with the erased email in the ingest queue file, on a collector that receives nothing more', async () => {
    clock.set(T0);
    const { customerId, erase } = await account();
    await postEvents(suite.app, batch(customerId, [order({ orderId: 'F-1', campaign: null, email: 'fay@example.com' })]));
    expect((await erase({ email: 'fay@example.com' })).json().erased.orders).toBe(1);
    const inQueue = () => {
      const q = new BetterSqlite3(queuePath(suite.url), { readonly: true });
      try {
        return (q.prepare('SELECT entry FROM queue').all() as { entry: Buffer }[]).filter((r) => r.entry.includes('fay@example.com')).length;
      } finally {
        q.close();
      }
    };
    // applied entries leave the file once applied, not at the next append
    await expect.poll(inQueue, { timeout: 5_000 }).toBe(0);
  });

  it.runIf(engine === 'postgres')('waits for what another collector accepted before the erasure, so none of it comes back after', async () => {
    clock.set(T0);
    const { customerId, erase } = await account();
    const storeB = await openStore(suite.url);
    const appB = await testApp(storeB, { clock: clock.clock });
    // the customer's projection lock held (a busy worker): B's entry waits in the log
    const holder = new pg.Client({ connectionString: suite.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(74301772, hashtext($1))', [customerId]);
    try {
      const accepted = await postEvents(appB, batch(customerId, [order({ orderId: 'D-1', campaign: null, email: 'dora@example.com', visitor: 'vd' })]));
      expect(accepted.json()).toMatchObject({ accepted: 1 });
      const erasing = erase({ email: 'dora@example.com' });
      setTimeout(() => void holder.query('COMMIT'), 500);
      expect((await erasing).json().erased).toMatchObject({ emails: ['dora@example.com'], orders: 1 });
      expect(await occurrences('dora@example.com')).toEqual([]);
    } finally {
      await holder.end();
      await appB.close();
      await storeB.close();
    }
  });

  it('erasing an email redacts the webhook payloads that carry it, under whatever contact they were filed', async () => {
    clock.set(T0);
    const { customerId, admin, base, erase } = await account();
    const hook = await suite.app.inject({ method: 'POST', url: `${base}/webhooks`, headers: { authorization: `Bearer ${admin}` }, payload: { url: 'http://127.0.0.1:9/down', events: ['order.placed'] } });
    expect(hook.statusCode).toBe(201);
    // one contact typed two emails in two checkouts: both payloads are filed under u:eve-uid, whose profile keeps the latest email
    await postEvents(suite.app, batch(customerId, [
      order({ orderId: 'E-1', contact: 'eve-uid', email: 'eve.old@example.com' }),
      order({ orderId: 'E-2', contact: 'eve-uid', email: 'eve.new@example.com', time: T0 + MINUTE }),
      order({ orderId: 'S-1', campaign: null, email: 'steve.old@example.com' }),
    ]));

    const res = await erase({ email: 'Eve.Old@example.com' });
    expect(res.json().erased).toMatchObject({ contactUids: [], orders: 1, profiles: 0, webhookDeliveries: 1 });
    const payloads = await suite.store.db.all<{ payload: string }>('SELECT payload FROM webhook_deliveries WHERE customer_id = $1', [customerId]);
    const data = payloads.map((p) => JSON.parse(p.payload).data);
    expect(data.find((d) => d.orderId === 'E-1')).toMatchObject({ email: null, contactUid: null });
    // the other email's payload, and that of an email that ends with the erased one, are untouched
    expect(data.find((d) => d.orderId === 'E-2')).toMatchObject({ email: 'eve.new@example.com', contactUid: 'eve-uid' });
    expect(data.find((d) => d.orderId === 'S-1')).toMatchObject({ email: 'steve.old@example.com' });
  });

  it('keeps only the latest body of the requests an unregistered customer ID keeps sending, so no body outlives --keep-rejected', async () => {
    clock.set(T0);
    const claimed = `c${randomBytes(5).toString('hex')}`;
    const send = (email: string) => postEvents(suite.app, batch(claimed, [order({ email })]));
    expect((await send('carl@example.com')).statusCode).toBe(404);
    // the misconfigured shop keeps sending, for other shoppers, for 60 days (the purge keeps 30)
    for (let d = 1; d <= 3; d++) {
      clock.set(T0 + d * 20 * DAY);
      await send(`other${d}@example.com`);
      await suite.app.rejectedPurge.runOnce();
    }
    const rows = (await suite.store.rejected.list(null)).filter((r) => r.claimedCustomerId === claimed);
    expect(rows.map((r) => [r.count, r.receivedAt, r.lastSeenAt, r.raw.includes('other3@example.com')])).toEqual([[4, T0, T0 + 60 * DAY, true]]);
    expect(await occurrences('carl@example.com')).toEqual([]);
  });

  it('erases the rejected requests sent under a customer ID before it was registered', async () => {
    clock.set(T0);
    const claimed = `c${randomBytes(5).toString('hex')}`;
    expect((await postEvents(suite.app, batch(claimed, [order({ email: 'Dina@example.com' })]))).statusCode).toBe(404);
    await suite.store.customers.add({ customerId: claimed, name: 'Late shop', currency: 'EUR', abandonAfterSeconds: null }, T0);
    const { erase } = await account(claimed);
    expect((await erase({ email: 'dina@example.com' })).json().erased).toMatchObject({ rejectedEvents: 1 });
    expect(await occurrences('dina@example.com')).toEqual([]);
  });
});
