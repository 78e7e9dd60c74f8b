// Users and access on both engines: tokens, roles, other customers, the dashboard login with
// its cookie, logout, expiry and login throttling. accounts.test.ts covers proxies, the Origin
// rule, hashing and the credentials' lifecycle.
import { beforeAll, describe, expect, it } from 'vitest';
import { SESSION_TTL_MS } from '../src/auth/service.js';
import { ACCOUNT_POLICY } from '../src/auth/rate-limit.js';
import { ENGINES } from './helpers/engines.js';
import { T0, addCustomer, addUser, batch, order, testApp, testClock } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';
import { postEvents } from './helpers/http.js';

describe.each(ENGINES)('access on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);
  let shop: string;
  let rival: string;

  beforeAll(async () => {
    shop = await addCustomer(suite.store);
    rival = await addCustomer(suite.store);
    await postEvents(suite.app, batch(shop, [order({ orderId: 'SECRET-1' })]));
    await postEvents(suite.app, batch(rival, [order({ orderId: 'RIVAL-1' })]));
  });

  const get = (url: string, headers: Record<string, string> = {}) => suite.app.inject({ url, headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('answers 401 without credentials and with a made-up or malformed token', async () => {
    for (const headers of [{} as Record<string, string>, bearer(`et_${shop}_${'0'.repeat(64)}`), bearer('garbage'), { authorization: 'Basic abc' }, { cookie: `et_session=${shop}.${'a'.repeat(64)}` }]) {
      const res = await get(`/api/v1/customers/${shop}/orders`, headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'unauthorized', message: 'authorization: log in, or send Authorization: Bearer <api token>' });
    }
  });

  it("lets an ecommerce-admin read its customer's reports, and nothing of another customer", async () => {
    const mine = await addUser(suite.store, shop, 'ecommerce-admin');
    const ok = await get(`/api/v1/customers/${shop}/orders`, bearer(mine.token));
    expect(ok.statusCode).toBe(200);
    expect(ok.json().rows.map((r: { orderId: string }) => r.orderId)).toEqual(['SECRET-1']);
    for (const path of ['orders', 'orders/RIVAL-1', 'summary', 'items?format=csv', 'campaigns', 'timeseries', 'abandoned-carts']) {
      const res = await get(`/api/v1/customers/${rival}/${path}`, bearer(mine.token));
      expect(res.statusCode, path).toBe(403);
      expect(res.json()).toEqual({ error: 'forbidden', message: 'customerId: these credentials do not give access to this customer' });
    }
    // a token names its customer: swapping the customer part makes it a token of nobody
    const forged = mine.token.replace(`et_${shop}_`, `et_${rival}_`);
    expect((await get(`/api/v1/customers/${rival}/orders`, bearer(forged))).statusCode).toBe(401);
    // filters cannot reach across either
    expect((await get(`/api/v1/customers/${shop}/orders/RIVAL-1`, bearer(mine.token))).statusCode).toBe(404);
  });

  it('keeps reports from admin users (403) but lets them edit the directory', async () => {
    const admin = await addUser(suite.store, shop, 'admin');
    const res = await get(`/api/v1/customers/${shop}/orders`, bearer(admin.token));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'forbidden', message: 'role: this needs the ecommerce-admin role; yours is admin' });
    const put = await suite.app.inject({ method: 'PUT', url: `/api/v1/customers/${shop}/campaigns/C1`, payload: { name: 'Named by admin' }, headers: bearer(admin.token) });
    expect(put.statusCode).toBe(200);
    const otherPut = await suite.app.inject({ method: 'PUT', url: `/api/v1/customers/${rival}/campaigns/C1`, payload: { name: 'x' }, headers: bearer(admin.token) });
    expect(otherPut.statusCode).toBe(403);
  });

  it('logs in with a password, sets an HttpOnly SameSite=Lax cookie, and logs out', async () => {
    const user = await addUser(suite.store, shop);
    const login = await suite.app.inject({ method: 'POST', url: '/api/v1/session', payload: { customerId: shop, email: user.email.toUpperCase(), password: user.password } });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual({ user: { email: user.email, role: 'ecommerce-admin', customerId: shop, customerName: `Shop ${shop}`, currency: 'EUR' } });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^et_session=${shop}\\.[0-9a-f]{64}; `));
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain(`Max-Age=${SESSION_TTL_MS / 1000}`);
    const cookie = setCookie.split(';')[0];
    // the session is stored hashed, never as the cookie value
    const stored = await suite.store.db.all<{ session_hash: string }>('SELECT session_hash FROM sessions WHERE customer_id = $1', [shop]);
    expect(stored.some((s) => cookie.includes(s.session_hash))).toBe(false);

    expect((await get('/api/v1/session', { cookie })).json().user.email).toBe(user.email);
    expect((await get(`/api/v1/customers/${shop}/orders`, { cookie })).statusCode).toBe(200);
    expect((await get(`/api/v1/customers/${rival}/orders`, { cookie })).statusCode).toBe(403);

    const logout = await suite.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, origin: 'http://localhost:80' } });
    expect(logout.statusCode).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/^et_session=; Max-Age=0;|Expires=Thu, 01 Jan 1970/);
    expect((await get(`/api/v1/customers/${shop}/orders`, { cookie })).statusCode).toBe(401);
    expect((await get('/api/v1/session', { cookie })).json()).toEqual({ error: 'unauthorized', message: 'session: not logged in' });
  });

  it('works with a browser-style cookie over a real port', async () => {
    const user = await addUser(suite.store, shop);
    const served = await testApp(suite.store, { clock: clock.clock });
    const base = await served.listen({ port: 0, host: '127.0.0.1' });
    try {
      const login = await fetch(`${base}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: shop, email: user.email, password: user.password }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers.getSetCookie()[0].split(';')[0];
      const orders = await fetch(`${base}/api/v1/customers/${shop}/orders?format=csv`, { headers: { cookie } });
      expect(orders.status).toBe(200);
      expect((await orders.text()).split('\r\n')[1]).toContain('SECRET-1');
      expect((await fetch(`${base}/api/v1/session`, { method: 'DELETE', headers: { cookie, origin: base } })).status).toBe(204);
      expect((await fetch(`${base}/api/v1/customers/${shop}/orders`, { headers: { cookie } })).status).toBe(401);
    } finally {
      await served.close();
    }
  });

  it('ends a session after its lifetime', async () => {
    clock.set(T0);
    const user = await addUser(suite.store, shop);
    const login = await suite.app.inject({ method: 'POST', url: '/api/v1/session', payload: { customerId: shop, email: user.email, password: user.password } });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    clock.advance(SESSION_TTL_MS - 1);
    expect((await get(`/api/v1/customers/${shop}/summary`, { cookie })).statusCode).toBe(200);
    clock.advance(1);
    expect((await get(`/api/v1/customers/${shop}/summary`, { cookie })).statusCode).toBe(401);
    clock.set(T0);
  });

  it("keeps a password check for a user's usual address: a flood of made-up logins taking every other check cannot keep the user out", async () => {
    const user = await addUser(suite.store, shop);
    const login = (email: string, password: string, remoteAddress: string) =>
      suite.app.inject({ method: 'POST', url: '/api/v1/session', payload: { customerId: shop, email, password }, remoteAddress });
    // the user's usual address: logged in from it before
    expect((await login(user.email, user.password, '10.1.1.1')).statusCode).toBe(200);
    // three made-up logins from elsewhere and the user, all at once: the made-up ones take both
    // shared checks (the third is told to wait), the user's goes through on the kept one
    const [a, b, c, own, stranger] = await Promise.all([
      login('x1@example.com', 'guess', '10.9.9.1'),
      login('x2@example.com', 'guess', '10.9.9.2'),
      login('x3@example.com', 'guess', '10.9.9.3'),
      login(user.email, user.password, '10.1.1.1'),
      login(user.email, user.password, '10.2.2.2'),
    ]);
    expect([a.statusCode, b.statusCode, c.statusCode, own.statusCode, stranger.statusCode]).toEqual([401, 401, 429, 200, 429]);
    expect(c.json().error).toBe('busy');
  });

  it('refuses wrong credentials alike, names a bad login body, and limits failed logins', async () => {
    const user = await addUser(suite.store, shop);
    const attempt = (payload: object) => suite.app.inject({ method: 'POST', url: '/api/v1/session', payload });
    const wrong = await attempt({ customerId: shop, email: user.email, password: 'nope' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'unauthorized', message: 'password: wrong customer ID, email or password' });
    // the right user under another customer's ID is nobody
    expect((await attempt({ customerId: rival, email: user.email, password: user.password })).statusCode).toBe(401);
    expect((await attempt({ customerId: shop, email: 'who@example.com', password: user.password })).statusCode).toBe(401);
    const bad = await attempt({ customerId: shop, email: user.email });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'invalid_request', message: 'password: is required' });
    const notJson = await suite.app.inject({ method: 'POST', url: '/api/v1/session', payload: '{', headers: { 'content-type': 'application/json' } });
    expect(notJson.json()).toEqual({ error: 'invalid_json', message: 'body: is not valid JSON' });

    // with the wrong password above, five failures: the account's next attempt waits a second, then may go on
    for (let i = 2; i <= ACCOUNT_POLICY.free; i++) expect((await attempt({ customerId: shop, email: user.email, password: `bad${i}` })).statusCode).toBe(401);
    const limited = await attempt({ customerId: shop, email: user.email, password: user.password });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.json()).toEqual({ error: 'too_many_attempts', message: 'password: too many failed logins; try again in 1 s' });
    clock.advance(1000);
    expect((await attempt({ customerId: shop, email: user.email, password: user.password })).statusCode).toBe(200);
    clock.set(T0);
  });
});
