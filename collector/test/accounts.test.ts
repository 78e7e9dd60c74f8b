// Operator security on both engines: the session cookie behind a proxy, the Origin rule for
// cookie-authenticated changes, security headers, login throttling per address and account,
// bounded password hashing, rehashing of old hashes, and the users/tokens API with revocation
// and expiry that take effect on the next request.
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, SCRYPT_COST } from '../src/auth/passwords.js';
import { ADDRESS_POLICY, ACCOUNT_POLICY, MAX_DELAY_MS } from '../src/auth/rate-limit.js';
import { MAX_CONCURRENT_HASHES } from '../src/auth/service.js';
import { newApiToken, tokenId } from '../src/auth/tokens.js';
import { DASHBOARD_CSP } from '../src/routes/static.js';
import { ENGINES } from './helpers/engines.js';
import { T0, addCustomer, addUser, testApp, testClock } from './helpers/fixtures.js';
import { testSuite } from './helpers/suite.js';

const PROXIED = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'collector.example.com', 'x-forwarded-for': '203.0.113.5' };

describe.each(ENGINES)('operator security on %s', (engine) => {
  const clock = testClock(T0);
  const suite = testSuite(engine, clock);
  let shop: string;
  let rival: string;

  beforeAll(async () => {
    shop = await addCustomer(suite.store);
    rival = await addCustomer(suite.store);
  });

  const login = (payload: object, remoteAddress = '127.0.0.1', headers: Record<string, string> = {}, app = suite.app) =>
    app.inject({ method: 'POST', url: '/api/v1/session', payload, remoteAddress, headers });
  const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0];
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  describe('behind a proxy', () => {
    it('sets a Secure __Host- cookie when the proxy says HTTPS, and reads only that one there', async () => {
      const user = await addUser(suite.store, shop);
      const proxied = await testApp(suite.store, { clock: clock.clock, trustProxy: true });
      try {
        const res = await login({ customerId: shop, email: user.email, password: user.password }, '10.0.0.2', PROXIED, proxied);
        expect(res.statusCode).toBe(200);
        const setCookie = String(res.headers['set-cookie']);
        expect(setCookie).toMatch(new RegExp(`^__Host-et_session=${shop}\\.[0-9a-f]{64}; `));
        expect(setCookie).toContain('; Secure');
        expect(setCookie).toContain('Path=/');
        expect(setCookie).not.toContain('Domain');
        const value = cookieOf(res).split('=')[1];
        const get = (cookie: string) => proxied.inject({ url: `/api/v1/customers/${shop}/summary`, headers: { ...PROXIED, cookie } });
        expect((await get(`__Host-et_session=${value}`)).statusCode).toBe(200);
        // a plain-named cookie (which a sibling subdomain could set) counts for nothing over HTTPS
        expect((await get(`et_session=${value}`)).statusCode).toBe(401);

        // without --trust-proxy the same headers are ignored: plain HTTP on localhost
        const direct = await login({ customerId: shop, email: user.email, password: user.password }, '127.0.0.1', PROXIED);
        expect(String(direct.headers['set-cookie'])).toMatch(/^et_session=/);
        expect(String(direct.headers['set-cookie'])).not.toContain('Secure');
        // plain HTTP under any other name still gets a Secure cookie, which only HTTPS can carry
        const named = await login({ customerId: shop, email: user.email, password: user.password }, '127.0.0.1', { host: 'collector.example.com' });
        expect(String(named.headers['set-cookie'])).toMatch(/^__Host-et_session=.*; Secure/);
      } finally {
        await proxied.close();
      }
    });

    it('throttles by the client address the proxy names', async () => {
      const user = await addUser(suite.store, shop);
      const proxied = await testApp(suite.store, { clock: clock.clock, trustProxy: true });
      try {
        for (let i = 0; i < ADDRESS_POLICY.free; i += MAX_CONCURRENT_HASHES) {
          const pair = [0, 1].map((k) =>
            login({ customerId: shop, email: `nobody${i + k}@example.com`, password: 'wrong password' }, '10.0.0.2', { ...PROXIED, 'x-forwarded-for': '198.51.100.77' }, proxied),
          );
          expect((await Promise.all(pair)).map((r) => r.statusCode)).toEqual([401, 401]);
        }
        const blocked = await login({ customerId: shop, email: user.email, password: user.password }, '10.0.0.2', { ...PROXIED, 'x-forwarded-for': '198.51.100.77' }, proxied);
        expect(blocked.statusCode).toBe(429);
        expect(blocked.headers['retry-after']).toBe('1');
        // the proxy's own address is not the client's: others behind it log in
        expect((await login({ customerId: shop, email: user.email, password: user.password }, '10.0.0.2', PROXIED, proxied)).statusCode).toBe(200);
      } finally {
        await proxied.close();
      }
    });
  });

  describe('the Origin rule', () => {
    it('refuses cookie-authenticated changes without the dashboard origin, and leaves API tokens alone', async () => {
      const admin = await addUser(suite.store, shop, 'admin');
      const cookie = cookieOf(await login({ customerId: shop, email: admin.email, password: admin.password }));
      const put = (headers: Record<string, string>) =>
        suite.app.inject({ method: 'PUT', url: `/api/v1/customers/${shop}/campaigns/C9`, payload: { name: 'Autumn' }, headers });
      const none = await put({ cookie });
      expect(none.statusCode).toBe(403);
      expect(none.json()).toEqual({
        error: 'forbidden',
        message: 'origin: a request with the session cookie that changes something must come from the dashboard (Origin http://localhost:80); got no Origin',
      });
      const wrong = await put({ cookie, origin: 'http://evil.localhost:80' });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().message).toContain('got "http://evil.localhost:80"');
      expect((await put({ cookie, origin: 'http://localhost:80' })).statusCode).toBe(200);
      // reads need no Origin; a token needs none either
      expect((await suite.app.inject({ url: `/api/v1/customers/${shop}/users`, headers: { cookie } })).statusCode).toBe(200);
      expect((await put(bearer(admin.token))).statusCode).toBe(200);
      // logging out is a change too
      expect((await suite.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie } })).statusCode).toBe(403);
    });

    it('takes the origin the proxy names under --trust-proxy', async () => {
      const admin = await addUser(suite.store, shop, 'admin');
      const proxied = await testApp(suite.store, { clock: clock.clock, trustProxy: true });
      try {
        const cookie = cookieOf(await login({ customerId: shop, email: admin.email, password: admin.password }, '10.0.0.2', PROXIED, proxied));
        const put = (origin: string) =>
          proxied.inject({ method: 'PUT', url: `/api/v1/customers/${shop}/campaigns/C9`, payload: { name: 'Winter' }, headers: { ...PROXIED, cookie, origin } });
        expect((await put('https://collector.example.com')).statusCode).toBe(200);
        expect((await put('http://collector.example.com')).statusCode).toBe(403);
      } finally {
        await proxied.close();
      }
    });
  });

  it('sends security headers on the dashboard and the API, not on what shops embed', async () => {
    const page = await suite.app.inject({ url: '/' });
    expect(page.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    for (const res of [page, await suite.app.inject({ url: '/api/v1/session' })]) {
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    const pixel = await suite.app.inject({ url: `/v1/pixel.gif?c=${shop}` });
    expect(pixel.headers['cross-origin-resource-policy']).toBeUndefined();
  });

  describe('logins', () => {
    it('never keeps a user out at its usual address, and lets others wait only a while', async () => {
      const user = await addUser(suite.store, shop);
      const ok = (ip: string) => login({ customerId: shop, email: user.email, password: user.password }, ip);
      expect((await ok('192.0.2.10')).statusCode).toBe(200);
      // an attacker guessing from several addresses
      for (let i = 0; i < ACCOUNT_POLICY.free; i++) expect((await login({ customerId: shop, email: user.email, password: `guess ${i}` }, `198.51.100.${i}`)).statusCode).toBe(401);
      const elsewhere = await ok('203.0.113.50');
      expect(elsewhere.statusCode).toBe(429);
      expect(elsewhere.headers['retry-after']).toBe('1');
      expect((await ok('192.0.2.10')).statusCode).toBe(200);
      clock.advance(1000);
      expect((await ok('203.0.113.50')).statusCode).toBe(200);
      clock.set(T0);
    });

    it('counts an unknown email like a known one', async () => {
      for (let i = 0; i < ACCOUNT_POLICY.free; i++) {
        const res = await login({ customerId: shop, email: 'ghost@example.com', password: `guess ${i}` }, `198.51.100.${100 + i}`);
        expect(res.json()).toEqual({ error: 'unauthorized', message: 'password: wrong customer ID, email or password' });
      }
      const res = await login({ customerId: shop, email: 'ghost@example.com', password: 'guess' }, '198.51.100.200');
      expect(res.statusCode).toBe(429);
      expect(MAX_DELAY_MS).toBe(15 * 60_000);
    });

    it('checks at most a few passwords at once and answers 429 to the rest at once', async () => {
      const tries = Array.from({ length: 5 }, (_, i) => login({ customerId: shop, email: `load${i}@example.com`, password: 'wrong password' }, `192.0.2.${100 + i}`));
      const answers = await Promise.all(tries);
      expect(answers.map((r) => r.statusCode).sort()).toEqual([401, 401, 429, 429, 429]);
      const busy = answers.find((r) => r.statusCode === 429)!;
      expect(busy.headers['retry-after']).toBe('1');
      expect(busy.json()).toEqual({ error: 'busy', message: 'password: too many password checks at once; try again in 1 s' });
    });

    it('upgrades a hash made with older scrypt parameters at the next login', async () => {
      const email = 'old-hash@example.com';
      const old = await hashPassword('an old password', { ...SCRYPT_COST, N: 2 ** 14 });
      const token = newApiToken(shop);
      await suite.store.users.add({ customerId: shop, email, role: 'ecommerce-admin', passwordHash: old }, { id: tokenId(token.hash), hash: token.hash, expiresAt: null }, T0);
      const cookie = cookieOf(await login({ customerId: shop, email, password: 'an old password' }, '192.0.2.77'));
      const stored = (await suite.store.users.get(shop, email))!.passwordHash;
      expect(stored).toMatch(/^scrypt\$131072\$8\$1\$/);
      expect((await login({ customerId: shop, email, password: 'an old password' }, '192.0.2.77')).statusCode).toBe(200);
      // the upgrade keeps sessions and tokens
      expect((await suite.app.inject({ url: `/api/v1/customers/${shop}/summary`, headers: { cookie } })).statusCode).toBe(200);
      expect((await suite.app.inject({ url: `/api/v1/customers/${shop}/summary`, headers: bearer(token.value) })).statusCode).toBe(200);
    });
  });

  describe('users and tokens through the API', () => {
    let admin: Awaited<ReturnType<typeof addUser>>;
    const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: object, token = admin.token) =>
      suite.app.inject({ method, url: `/api/v1/customers/${shop}${path}`, payload, headers: bearer(token) });

    beforeAll(async () => {
      admin = await addUser(suite.store, shop, 'admin');
    });

    it('adds, lists, re-roles and removes users, for admins only, naming bad fields', async () => {
      const made = await api('POST', '/users', { email: 'New.Person@Example.com', role: 'ecommerce-admin' });
      expect(made.statusCode).toBe(201);
      const body = made.json();
      expect(body.user).toEqual({ email: 'new.person@example.com', role: 'ecommerce-admin', createdAt: new Date(T0).toISOString() });
      expect(body.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect(body.token).toMatch(new RegExp(`^et_${shop}_[0-9a-f]{64}$`));
      expect((await api('GET', '/users')).json().users).toContainEqual({ email: 'new.person@example.com', role: 'ecommerce-admin', createdAt: new Date(T0).toISOString() });
      // an ecommerce-admin may not manage users
      const denied = await api('GET', '/users', undefined, body.token);
      expect(denied.statusCode).toBe(403);
      expect(denied.json().message).toBe('role: this needs the admin role; yours is ecommerce-admin');
      expect((await api('PUT', '/users/new.person@example.com/role', { role: 'admin' })).json()).toEqual({
        user: { email: 'new.person@example.com', role: 'admin', createdAt: new Date(T0).toISOString() },
      });
      expect((await api('GET', '/users', undefined, body.token)).statusCode).toBe(200);
      const bad = await api('POST', '/users', { email: 'x@example.com', role: 'owner' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({ error: 'invalid_request', message: 'role: must be one of "ecommerce-admin", "admin"' });
      expect((await api('POST', '/users', { email: 'nobody', role: 'admin' })).json().message).toBe('email: must be an email address');
      expect((await api('POST', '/users', { email: 'y@example.com', role: 'admin', password: 'short' })).json().message).toBe('password: must be at least 8 characters');
      expect((await api('POST', '/users', { email: 'new.person@example.com', role: 'admin' })).statusCode).toBe(409);
      expect((await api('DELETE', '/users/new.person@example.com')).statusCode).toBe(204);
      expect((await api('GET', '/users', undefined, body.token)).statusCode).toBe(401);
      const gone = await api('DELETE', '/users/new.person@example.com');
      expect(gone.statusCode).toBe(404);
      expect(gone.json().message).toBe(`email: customer ${shop} has no user new.person@example.com`);
      // another customer's admin sees nothing of these
      const rivalAdmin = await addUser(suite.store, rival, 'admin');
      expect((await suite.app.inject({ url: `/api/v1/customers/${shop}/users`, headers: bearer(rivalAdmin.token) })).statusCode).toBe(403);
    });

    it('creates, lists and revokes tokens; revocation and expiry take effect on the next request', async () => {
      const user = await addUser(suite.store, shop);
      const created = await api('POST', '/tokens', { email: user.email, expires: '1h' });
      expect(created.statusCode).toBe(201);
      const { id, token, expiresAt } = created.json();
      expect(id).toMatch(/^[0-9a-f]{16}$/);
      expect(expiresAt).toBe(new Date(T0 + 3_600_000).toISOString());
      const read = () => suite.app.inject({ url: `/api/v1/customers/${shop}/summary`, headers: bearer(token) });
      expect((await read()).statusCode).toBe(200);
      const listed = (await api('GET', '/tokens')).json().tokens.find((t: { id: string }) => t.id === id);
      expect(listed).toEqual({ id, email: user.email, createdAt: new Date(T0).toISOString(), expiresAt, lastUsedAt: new Date(T0).toISOString() });
      expect(JSON.stringify((await api('GET', '/tokens')).json())).not.toContain(token);
      clock.advance(3_600_000);
      expect((await read()).statusCode).toBe(401);
      clock.set(T0);
      expect((await read()).statusCode).toBe(200);
      expect((await api('DELETE', `/tokens/${id}`)).statusCode).toBe(204);
      expect((await read()).statusCode).toBe(401);
      expect((await api('DELETE', `/tokens/${id}`)).json().message).toBe(`tokenId: customer ${shop} has no token ${id}`);
      expect((await api('POST', '/tokens', { email: user.email, expires: 'soon' })).json().message).toBe('expires: must be a duration such as 90d, 12h, 30m or 90s');
      expect((await api('POST', '/tokens', { email: 'ghost@example.com' })).statusCode).toBe(404);
      // the user's first token still works
      expect((await suite.app.inject({ url: `/api/v1/customers/${shop}/summary`, headers: bearer(user.token) })).statusCode).toBe(200);
    });

    it("a new password ends the user's sessions and revokes its tokens", async () => {
      const user = await addUser(suite.store, shop);
      const cookie = cookieOf(await login({ customerId: shop, email: user.email, password: user.password }, '192.0.2.88'));
      const summary = (headers: Record<string, string>) => suite.app.inject({ url: `/api/v1/customers/${shop}/summary`, headers });
      expect((await summary({ cookie })).statusCode).toBe(200);
      const set = await api('PUT', `/users/${user.email}/password`, {});
      expect(set.statusCode).toBe(200);
      const { password } = set.json();
      expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect((await summary({ cookie })).statusCode).toBe(401);
      expect((await summary(bearer(user.token))).statusCode).toBe(401);
      expect((await login({ customerId: shop, email: user.email, password }, '192.0.2.88')).statusCode).toBe(200);
      expect((await api('PUT', `/users/${user.email}/password`, { password: 'chosen by the admin' })).json()).toEqual({});
    });
  });
});
