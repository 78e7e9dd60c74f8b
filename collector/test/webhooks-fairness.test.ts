// The webhook outbox is fair (collector/src/webhooks/worker.ts): one customer's receiver that
// hangs costs that customer one timeout per pass, and never holds up another customer's
// deliveries.
import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createOutboxWorker } from '../src/webhooks/worker.js';
import { ENGINES, openTestStore } from './helpers/engines.js';
import { addUser, batch, order, T0, testApp, testClock } from './helpers/fixtures.js';
import { postEvents } from './helpers/http.js';

/** A receiver; `hang` true: it takes the request and never answers. Records when each request arrived. */
async function receiver(hang: boolean) {
  const got: { at: number; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ at: performance.now(), body });
      if (!hang) res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    got,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.each(ENGINES)('webhook outbox fairness on %s', (engine) => {
  it("does not make one customer's deliveries wait for another customer's hanging receiver", async () => {
    const clock = testClock(T0);
    const t = await openTestStore(engine);
    const hanging = await receiver(true);
    const healthy = await receiver(false);
    const app = await testApp(t.store, { clock: clock.clock, allowPrivateWebhooks: true });
    try {
      // customer "a-…" is visited first (customers are listed by ID), "b-…" second
      const ids = ['a-shop', 'b-shop'];
      for (const customerId of ids) await t.store.customers.add({ customerId, name: customerId, currency: 'EUR', abandonAfterSeconds: null }, T0);
      const register = async (customerId: string, url: string) => {
        const admin = (await addUser(t.store, customerId, 'admin')).token;
        const res = await app.inject({
          method: 'POST',
          url: `/api/v1/customers/${customerId}/webhooks`,
          payload: { url, events: ['order.placed'] },
          headers: { authorization: `Bearer ${admin}` },
        });
        expect(res.statusCode, res.body).toBe(201);
      };
      await register('a-shop', hanging.url);
      await register('b-shop', healthy.url);
      // customer a: 50 orders (two claim batches of 25) to a receiver that never answers
      await postEvents(app, batch('a-shop', Array.from({ length: 50 }, (_, i) => order({ orderId: `A-${i}`, visitor: `av-${i}` }))));
      // customer b: one order to a receiver that answers at once
      await postEvents(app, batch('b-shop', [order({ orderId: 'B-1' })]));
      await t.store.events.settled?.();

      const timeoutMs = 1_000;
      const worker = createOutboxWorker({ store: t.store, clock: clock.clock, destinations: app.webhookDestinations, intervalMs: 0, timeoutMs });
      const start = performance.now();
      const report = await worker.runOnce();
      // a's first batch is sent (its webhook was not known to fail) and times out; the rest of
      // its deliveries wait for that batch's retry, unsent
      expect(report).toEqual({ delivered: 1, failed: 25, dead: 0, postponed: 25 });
      const passTook = performance.now() - start;
      expect(passTook, 'one timeout for the hanging receiver, not one per batch').toBeLessThan(2 * timeoutMs);
      expect(healthy.got).toHaveLength(1);
      const waited = healthy.got[0].at - start;
      // b's receiver is healthy: its delivery does not sit behind a's timeout
      expect(waited, `customer b's delivery waited ${Math.round(waited)} ms for customer a's hanging receiver`).toBeLessThan(timeoutMs);
      // the next pass: a's webhook is failing, so one delivery is tried and the others wait for it
      clock.advance(3 * 3_600_000);
      expect(await worker.runOnce()).toEqual({ delivered: 0, failed: 1, dead: 0, postponed: 49 });
    } finally {
      await app.close();
      await hanging.close();
      await healthy.close();
      await t.close();
    }
  });

  it('ends the pass when a failing webhook\'s delivery dies, its other deliveries postponed to a later time', async () => {
    const clock = testClock(T0);
    const t = await openTestStore(engine);
    const refusing = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const app = await testApp(t.store, { clock: clock.clock, allowPrivateWebhooks: true });
    try {
      await t.store.customers.add({ customerId: 'd-shop', name: 'd-shop', currency: 'EUR', abandonAfterSeconds: null }, T0);
      const admin = (await addUser(t.store, 'd-shop', 'admin')).token;
      const url = `http://127.0.0.1:${(refusing.address() as { port: number }).port}/hook`;
      const made = await app.inject({ method: 'POST', url: '/api/v1/customers/d-shop/webhooks', payload: { url, events: ['order.placed'] }, headers: { authorization: `Bearer ${admin}` } });
      expect(made.statusCode, made.body).toBe(201);
      // more than two batches due, and every attempt the last one
      await postEvents(app, batch('d-shop', Array.from({ length: 60 }, (_, i) => order({ orderId: `D-${i}`, visitor: `dv-${i}` }))));
      await t.store.events.settled?.();
      const worker = createOutboxWorker({ store: t.store, clock: clock.clock, destinations: app.webhookDestinations, intervalMs: 0, retry: { baseDelayMs: 30_000, maxDelayMs: 3_600_000, maxAttempts: 1 } });
      // the first batch is sent and dies; the rest wait for a later pass (they were due again at once, for ever)
      expect(await worker.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 25, postponed: 35 });
      clock.advance(3_600_000);
      // the webhook is failing: one delivery is tried, it dies too, and the others wait again
      expect(await worker.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 1, postponed: 34 });
    } finally {
      await app.close();
      refusing.closeAllConnections();
      await new Promise((resolve) => refusing.close(resolve));
      await t.close();
    }
  });
});
