// Emails on a PostgreSQL database with a UTF-8 ctype, the usual production setup (the test
// cluster runs --no-locale, where lower() folds ASCII letters only). There lower() folds Ö
// too, while keys and lookups fold ASCII only (asciiLower): every SQL expression that matches
// an email must fold the same, and its index must still serve it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { T0, addCustomer, addUser, batch, order, testApp } from './helpers/fixtures.js';
import { allRows, postEvents } from './helpers/http.js';
import { openStore, type Store } from '../src/store/store.js';

describe('emails with a non-ASCII capital on postgres with a UTF-8 ctype', () => {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  const name = `t_${randomBytes(8).toString('hex')}`;
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  let store: Store;
  let app: FastifyInstance;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER builtin BUILTIN_LOCALE 'C.UTF-8'`);
    store = await openStore(url.toString());
    app = await testApp(store, { clock: () => T0 });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('links an order to the directory UID of its email, and erases that email as stored', async () => {
    expect(await store.db.get("SELECT lower('ÖZIL') AS l")).toEqual({ l: 'özil' });
    const customerId = await addCustomer(store);
    const token = (await addUser(store, customerId)).token;
    const auth = { authorization: `Bearer ${(await addUser(store, customerId, 'admin')).token}` };
    const base = `/api/v1/customers/${customerId}`;
    await store.directory.putContacts(customerId, [{ contactUid: 'oe-uid', email: 'ÖZIL@example.com' }], T0);
    const bought = await app.inject({ method: 'POST', url: `${base}/purchases`, headers: auth, payload: { email: 'ÖZIL@example.com', orderId: 'Ö-1', total: '5.00' } });
    expect(bought.statusCode, bought.body).toBe(201);
    expect(await allRows(app, `${base}/orders?attributed=all`, token)).toMatchObject([{ orderId: 'Ö-1', contactUid: 'oe-uid' }]);
    await postEvents(app, batch(customerId, [{ ...order({ orderId: 'Ö-bad', email: 'ÖZIL@example.com' }), total: '1,00' }]));

    const res = await app.inject({ method: 'POST', url: `${base}/contacts/erase`, headers: auth, payload: { email: 'ÖZIL@example.com' } });
    expect(res.json()).toEqual({
      erased: { contactUids: ['oe-uid'], emails: ['Özil@example.com'], orders: 1, carts: 0, profiles: 1, directory: 1, webhookDeliveries: 0, rejectedEvents: 1 },
    });
  });

  it('finds emails through their indexes', async () => {
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      await c.query('SET enable_seqscan = off');
      for (const [table, index] of [['contacts', 'contacts_email'], ['contact_profiles', 'contact_profiles_email']]) {
        const plan = await c.query(`EXPLAIN SELECT 1 FROM ${table} WHERE customer_id = 'c1' AND ${store.db.dialect.lowerAscii('email')} = 'özil@example.com'`);
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(text).toContain(index);
        expect(text).toMatch(/Index Cond: .*lower\(/); // the email itself, not only the customer, is looked up in the index
      }
    } finally {
      await c.end();
    }
  });
});
