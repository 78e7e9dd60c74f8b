// The authenticated API's parameters on both engines: text the database cannot hold (U+0000,
// an unpaired surrogate) and tampered cursors are a 400 naming the field, never the 500 of a
// database error (PostgreSQL refuses U+0000 in text, and an integer column a number past 2^31).
import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/engines.js';
import { T0, addCustomer, addUser, batch, item, order, testClock } from './helpers/fixtures.js';
import { postEvents } from './helpers/http.js';
import { testSuite } from './helpers/suite.js';

const cursor = (...key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe.each(ENGINES)('API input on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);

  async function shop() {
    const customerId = await addCustomer(suite.store);
    // reports and refunds are the ecommerce roles'; users and tokens the admin's
    const [ecommerce, admin] = [await addUser(suite.store, customerId), await addUser(suite.store, customerId, 'admin')];
    const base = `/api/v1/customers/${customerId}`;
    const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const token = url.startsWith('/tokens') ? admin.token : ecommerce.token;
      const res = await suite.app.inject({ method, url: `${base}${url}`, payload, headers: { authorization: `Bearer ${token}` } });
      return [res.statusCode, res.json().message] as [number, string];
    };
    return { customerId, admin, call };
  }

  it('answers 400 naming the field for U+0000 in an ID, a filter or a reason', async () => {
    const { customerId, call } = await shop();
    expect((await postEvents(suite.app, batch(customerId, [order({ orderId: 'O1', total: '10', items: [item('A', '10', 1)] })]))).json().accepted).toBe(1);
    const control = 'must not contain control characters';
    expect(await call('GET', '/orders/%00')).toEqual([400, `orderId: ${control}`]);
    expect(await call('GET', '/abandoned-carts/a%00')).toEqual([400, `cartId: ${control}`]);
    expect(await call('GET', '/orders?campaign=%00')).toEqual([400, `campaign: ${control}`]);
    expect(await call('GET', '/contacts?firstCampaign=%00')).toEqual([400, `firstCampaign: ${control}`]);
    expect(await call('POST', '/orders/%00/refunds', {})).toEqual([400, `orderId: ${control}`]);
    expect(await call('POST', '/orders/O1/refunds', { amount: '1', reason: 'a\u0000b' })).toEqual([400, `reason: ${control}`]);
    expect(await call('POST', '/orders/O1/cancel', { reason: 'a\u0000b' })).toEqual([400, `reason: ${control}`]);
    const login = await suite.app.inject({ method: 'POST', url: '/api/v1/session', payload: { customerId, email: 'p\u0000@example.com', password: 'x' } });
    expect([login.statusCode, login.json().message]).toEqual([400, `email: ${control}`]);
    // the order is still there, untouched
    expect(await call('GET', '/orders/O1')).toEqual([200, undefined]);
  });

  it('answers 400 naming `cursor` for a tampered cursor: text the wire format refuses, a negative or oversized number', async () => {
    const { call } = await shop();
    const tampered = 'cursor: is not a cursor given by this API';
    for (const [report, c] of [
      ['orders', cursor('orders', 1, '\u0000')],
      ['contacts', cursor('contacts', '\u0000')],
      ['items', cursor('items', 1, 'x', 9007199254740991)],
      ['items', cursor('items', 1, 'x', 2 ** 31)],
      ['items', cursor('items', -1, 'x', 1)],
      ['summary', cursor('summary', -1)],
    ] as const) {
      expect(await call('GET', `/${report}?cursor=${c}`), `${report} ${c}`).toEqual([400, tampered]);
    }
    // a real cursor's largest line is fine
    expect((await call('GET', `/items?cursor=${cursor('items', 1, 'x', 2 ** 31 - 1)}`))[0]).toBe(200);
  });

  it('takes a number in the query only as plain digits: 1.5, 0x2 or 1e0 is a 400, not a number rounded or read in another base', async () => {
    const { call } = await shop();
    for (const limit of ['1.5', '0x2', '1e0', ' 7']) expect(await call('GET', `/orders?limit=${encodeURIComponent(limit)}`), limit).toEqual([400, 'limit: must be an integer']);
    expect(await call('GET', '/contacts?minOrders=1.5')).toEqual([400, 'minOrders: must be an integer']);
    expect((await call('GET', '/orders?limit=7'))[0]).toBe(200);
  });

  it('answers a URL with a malformed %-sequence in the API\'s own words', async () => {
    const { customerId } = await shop();
    for (const url of [`/api/v1/customers/${customerId}/orders/%ZZ`, '/api/v1/customers/cust%ZZ/orders']) {
      const res = await suite.app.inject({ url });
      expect([res.statusCode, res.json()]).toEqual([400, { error: 'invalid_request', message: 'url: is not a valid URL (a malformed %-sequence)' }]);
    }
  });

  it('refuses a query parameter no route names, on every API route: users, tokens, the directory, the session too', async () => {
    const { customerId, admin } = await shop();
    const base = `/api/v1/customers/${customerId}`;
    const auth = { authorization: `Bearer ${admin.token}` };
    const calls: [string, string, object?][] = [
      ['GET', `${base}/users?x=1`],
      ['GET', `${base}/tokens?x=1`],
      ['PUT', `${base}/campaigns/C9?x=1`, { name: 'Spring' }],
      ['GET', `${base}/webhooks?x=1`],
      ['POST', `/api/v1/session?x=1`, { customerId, email: 'a@example.com', password: 'x' }],
    ];
    for (const [method, url, payload] of calls) {
      const res = await suite.app.inject({ method: method as 'GET', url, payload, headers: auth });
      expect([res.statusCode, res.json().message], `${method} ${url}`).toEqual([400, 'x: is not a known field']);
    }
  });

  it('takes an empty body sent as application/json as no body: fine where the body is optional, a 400 naming it where it is required', async () => {
    const { customerId, admin } = await shop();
    expect((await postEvents(suite.app, batch(customerId, [order({ orderId: 'O2', total: '10', items: [item('A', '10', 1)] })]))).json().accepted).toBe(1);
    const base = `/api/v1/customers/${customerId}`;
    const headers = { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' };
    const send = (method: 'POST' | 'DELETE', url: string, payload = '') => suite.app.inject({ method, url: `${base}${url}`, payload, headers });
    const cancel = await send('POST', '/orders/O2/cancel');
    expect([cancel.statusCode, cancel.json().cancelledAt != null], cancel.body).toEqual([200, true]);
    const created = await suite.app.inject({ method: 'POST', url: `${base}/tokens`, payload: { email: admin.email }, headers });
    expect(created.statusCode, created.body).toBe(201);
    expect((await send('DELETE', `/tokens/${created.json().id}`)).statusCode).toBe(204);
    const refund = await send('POST', '/orders/O2/refunds');
    expect([refund.statusCode, refund.json().error]).toEqual([400, 'invalid_request']);
    expect(refund.json().message).toMatch(/^body: /);
    // and a body that is not JSON is still refused as such
    expect((await send('POST', '/orders/O2/refunds', '{')).json()).toEqual({ error: 'invalid_json', message: 'body: is not valid JSON' });
  });

  it('answers 400 for a token that would expire at once', async () => {
    const { admin, call } = await shop();
    for (const expires of ['0s', '0000000d']) expect(await call('POST', '/tokens', { email: admin.email, expires })).toEqual([400, 'expires: must be longer than 0']);
    expect((await call('POST', '/tokens', { email: admin.email, expires: '1d' }))[0]).toBe(201);
  });
});
