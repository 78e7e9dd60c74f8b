// What the collector serves besides its API (dashboard, demo shop, SDK, uPlot), and the
// demo setup behind `npm start`.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { AuthService } from '../src/auth/service.js';
import { assetPaths } from '../src/config.js';
import { DEMO_CUSTOMER, DEMO_EMAIL, demoLink, prepareDemo } from '../src/demo.js';
import { DASHBOARD_CSP } from '../src/routes/static.js';
import { openTestStore } from './helpers/engines.js';
import { testApp } from './helpers/fixtures.js';

describe('static files', () => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await openTestStore('sqlite');
    app = await testApp(t.store);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('serves the dashboard at / with a strict content security policy', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    if (existsSync(`${assetPaths().dashboard}/index.html`)) {
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.body).toContain('<html');
    } else {
      expect(res.body).toContain('The dashboard is not installed');
    }
  });

  it('serves the demo shop at /shop/, uPlot at /vendor/uplot/ and the SDK at /js/', async () => {
    expect((await app.inject({ url: '/shop' })).headers.location).toBe('/shop/');
    const shop = await app.inject({ url: '/shop/' });
    expect(shop.statusCode).toBe(existsSync(`${assetPaths().shop}/index.html`) ? 200 : 404);
    const uplot = await app.inject({ url: '/vendor/uplot/uPlot.iife.min.js' });
    expect(uplot.statusCode).toBe(200);
    expect(uplot.headers['content-type']).toContain('javascript');
    const sdk = await app.inject({ url: '/js/emarsys-track.min.js' });
    if (existsSync(`${assetPaths().sdk}/emarsys-track.min.js`)) {
      expect(sdk.statusCode).toBe(200);
      expect(sdk.headers['access-control-allow-origin']).toBe('*');
    } else {
      expect(sdk.statusCode).toBe(404);
    }
    expect((await app.inject({ url: '/js/../package.json' })).statusCode).not.toBe(200);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await app.inject({ url: '/api/v1/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', message: 'route: GET /api/v1/nothing-here does not exist' });
  });
});

describe('demo', () => {
  it('creates the demo account with sample data once, and a fresh login every run', async () => {
    const t = await openTestStore('sqlite');
    try {
      const now = Date.UTC(2025, 4, 20, 12);
      const first = await prepareDemo(t.store, now);
      expect(first).toMatchObject({ customerCreated: true, email: DEMO_EMAIL });
      expect(first.sampleOrders).toBeGreaterThan(50);
      const filter = { customerId: DEMO_CUSTOMER.customerId, attributed: 'all' as const };
      expect(await t.store.reports.countOrders(filter)).toBe(first.sampleOrders);
      const stats = await t.store.reports.stats(filter);
      expect(stats.reduce((n, s) => n + s.abandoned, 0)).toBeGreaterThan(0);
      expect(stats.reduce((n, s) => n + s.recovered, 0)).toBeGreaterThan(0);
      expect((await t.store.reports.campaigns(DEMO_CUSTOMER.customerId)).map((c) => c.name)).toContain('Spring Sale 2025');
      // every campaign's orders came from clicks, and more shoppers clicked than bought
      const clicks = await t.store.reports.clicks(filter);
      const ordersBy = new Map<string, number>();
      for (const s of stats) if (s.campaignId) ordersBy.set(s.campaignId, (ordersBy.get(s.campaignId) ?? 0) + s.orders);
      expect(ordersBy.size).toBeGreaterThan(0);
      for (const [campaign, n] of ordersBy) expect(clicks.get(campaign), campaign).toBeGreaterThan(n);

      const second = await prepareDemo(t.store, now + 60_000);
      expect(second).toMatchObject({ customerCreated: false, sampleOrders: 0 });
      expect(await t.store.reports.countOrders(filter)).toBe(first.sampleOrders);
      const auth = new AuthService(t.store, () => now);
      await expect(auth.login(DEMO_CUSTOMER.customerId, DEMO_EMAIL, second.password, '127.0.0.1')).resolves.toMatchObject({ user: { role: 'ecommerce-admin' } });
      await expect(auth.login(DEMO_CUSTOMER.customerId, DEMO_EMAIL, first.password, '127.0.0.1')).rejects.toThrow('wrong customer ID, email or password');
      expect(demoLink('http://localhost:8080')).toBe('http://localhost:8080/shop/?emst=5521.u1&sc_src=email_5521&sc_uid=u1');
    } finally {
      await t.close();
    }
  });
});
