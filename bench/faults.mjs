// The delivery fault matrix (BENCHMARKS.md), counted: for each fault, orders sent from a real
// Chromium through the real SDK to a real collector, and orders stored. No event may be
// lost, and none counted twice. After the fault clears the bench waits for the SDK's own
// retries; if some are still missing it opens one more shop page (the SDK retries queued
// events "on the next page too", docs/sdk.md) and waits again. Both counts are reported.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from './lib/browser.mjs';
import { startShop } from './lib/static.mjs';
import { startFaultProxy } from './lib/fault-proxy.mjs';
import pg from 'pg';
import { apiAll, prepareDb, removeSqlite } from './lib/collector.mjs';
import { CUSTOMER_ID, WARM_CUSTOMER_ID, batchFactory } from './lib/events.mjs';
import { collectorBuilt, startCollector, stop } from './lib/proc.mjs';
import { ROOT, cacheDir, freePort, log, sleep } from './lib/util.mjs';

const ORDER_TOTAL = 59.9;

function orderPayload(orderId) {
  return {
    orderId,
    total: '59.90',
    tax: '9.98',
    shipping: '4.90',
    currency: 'EUR',
    email: 'fault@example.com',
    items: [
      { sku: 'SKU-7', name: 'Travel Mug', category: 'Kitchen', price: '12.50', quantity: 2 },
      { sku: 'SKU-9', name: 'Notebook', category: 'Books', price: '30.00', quantity: 1 },
    ],
  };
}

async function openShop(ctx, shop, endpoint, title) {
  const page = await ctx.newPage();
  const q = new URLSearchParams({ customer: CUSTOMER_ID, endpoint, title, emst: '1001.cfault' });
  await page.goto(`${shop.origin}/shop.html?${q}`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__sdkLoaded === true, null, { timeout: 10_000 });
  return page;
}

/** Calls order() in the page; resolves with how its Promise settled (bounded in time). */
function callOrder(page, orderId, { wait = true } = {}) {
  return page.evaluate(
    ({ o, wait }) => {
      const p = window.emarsysTrack.order(o).then(() => 'settled', (e) => `rejected: ${e && e.message}`);
      if (!wait) return 'not awaited';
      return Promise.race([p, new Promise((r) => setTimeout(() => r('pending after 10 s'), 10_000))]);
    },
    { o: orderPayload(orderId), wait },
  );
}

/**
 * Load on `ports` in the background, as many shoppers' browsers would send it: each request
 * sent again, unchanged, after a 503 or a failed connection (the SDK's retry) until answered
 * or `stop()`'s grace ends. `stop()` answers the events acknowledged.
 */
function backgroundLoad(ports, { workers = 6, perRequest = 2 } = {}) {
  const factory = batchFactory({ perRequest, prefix: `load-${Date.now().toString(36)}`, customerId: WARM_CUSTOMER_ID });
  let stopping = false;
  let deadline = Infinity;
  let acknowledged = 0;
  let refused = 0;
  const worker = async (w) => {
    for (let n = 0; !stopping; n++) {
      const body = factory.next();
      while (Date.now() < deadline) {
        try {
          const res = await fetch(`http://127.0.0.1:${ports[(w + n) % ports.length]}/v1/events`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
          const r = await res.json();
          if (res.status === 200) {
            acknowledged += r.accepted + r.duplicates;
            break;
          }
          if (res.status !== 503) throw new Error(`load answered ${res.status}: ${JSON.stringify(r).slice(0, 200)}`);
        } catch (e) {
          if (String(e.message).startsWith('load answered')) throw e;
        }
        refused++;
        await sleep(200);
      }
    }
  };
  const running = Array.from({ length: workers }, (_, w) => worker(w));
  return {
    async stop(graceMs = 30_000) {
      stopping = true;
      deadline = Date.now() + graceMs;
      await Promise.all(running);
      return { acknowledged, refused };
    },
  };
}

export async function runFaults(ctx, { quick = false } = {}) {
  const ordersPerFault = quick ? 2 : 5;
  const retryWaitMs = 20_000;
  const nextPageWaitMs = 10_000;
  if (!existsSync(join(ROOT, 'dist', 'emarsys-track.min.js'))) return { skipped: 'dist/emarsys-track.min.js is not built' };
  if (!collectorBuilt()) return { skipped: 'the collector is not built' };
  const db = join(cacheDir('faults'), 'faults.db');
  removeSqlite(db);
  const token = await prepareDb(db);
  const cport = await freePort();
  let collector = await startCollector({ port: cport, db });
  const proxy = await startFaultProxy(cport);
  const shop = await startShop();
  const browser = await launchBrowser();
  const viaProxy = `http://127.0.0.1:${proxy.port}`;
  const direct = `http://127.0.0.1:${cport}`;
  const run = Date.now().toString(36);

  const stored = async (prefix, api = { port: cport, token }) => {
    const rows = await apiAll(api.port, api.token, '/orders?attributed=all');
    const mine = rows.filter((r) => r.orderId.startsWith(prefix));
    return {
      distinct: new Set(mine.map((r) => r.orderId)).size,
      rows: mine.length,
      wrongValue: mine.filter((r) => Math.abs(Number(r.total) - ORDER_TOTAL) > 0.001).length,
    };
  };
  const waitStored = async (prefix, n, ms, api) => {
    const t0 = Date.now();
    let s = await stored(prefix, api);
    while (s.distinct < n && Date.now() - t0 < ms) {
      await sleep(250);
      s = await stored(prefix, api);
    }
    return { ...s, ms: Date.now() - t0 };
  };

  const faults = [
    {
      id: 'page-closed',
      label: 'page closed right after order()',
      endpoint: viaProxy,
      async inject({ bctx, ids, settle }) {
        for (const id of ids) {
          const page = await openShop(bctx, shop, viaProxy, 'Thank you');
          settle.push(await callOrder(page, id, { wait: false }));
          await page.close({ runBeforeUnload: true }); // as a shopper closing the tab: pagehide runs
        }
      },
    },
    {
      id: 'offline',
      label: 'network offline, then back',
      endpoint: viaProxy,
      async inject({ bctx, ids, settle }) {
        const page = await openShop(bctx, shop, viaProxy, 'Thank you');
        await bctx.setOffline(true);
        for (const id of ids) settle.push(await callOrder(page, id));
        await sleep(1000);
        await bctx.setOffline(false);
        return page;
      },
    },
    {
      id: 'http-500',
      label: 'collector answering 500, then recovering',
      endpoint: viaProxy,
      async inject({ bctx, ids, settle }) {
        const page = await openShop(bctx, shop, viaProxy, 'Thank you');
        proxy.setMode('500');
        for (const id of ids) settle.push(await callOrder(page, id));
        await sleep(3000); // a few retries hit the failing collector too
        proxy.setMode('pass');
        return page;
      },
    },
    {
      id: 'restart',
      label: 'collector restarted (down while orders are made)',
      endpoint: direct,
      async inject({ bctx, ids, settle }) {
        const page = await openShop(bctx, shop, direct, 'Thank you');
        await stop(collector);
        for (const id of ids) settle.push(await callOrder(page, id));
        await sleep(1000);
        collector = await startCollector({ port: cport, db });
        return page;
      },
    },
    {
      id: 'pg-restart',
      label: 'PostgreSQL restarted under load (two collectors on one database)',
      endpoint: null, // set once its collectors run
      api: null,
      procs: [],
      async inject({ bctx, ids, settle }) {
        const server = await ctx.postgres();
        const url = await server.createDatabase('bench_faults_restart');
        this.api = { port: await freePort(), token: await prepareDb(url) };
        const ports = [this.api.port, await freePort()];
        for (const port of ports) this.procs.push(await startCollector({ port, db: url }));
        this.endpoint = `http://127.0.0.1:${ports[0]}`;
        const page = await openShop(bctx, shop, this.endpoint, 'Thank you');
        const load = backgroundLoad(ports);
        await sleep(1500);
        await server.stop(); // SIGINT: PostgreSQL's fast shutdown
        for (const id of ids) settle.push(await callOrder(page, id));
        await sleep(1000);
        await server.start();
        await sleep(2000);
        const { acknowledged, refused } = await load.stop();
        // the load's events, counted in the database once its reports hold them all
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        let stored = 0;
        try {
          for (const t0 = Date.now(); Date.now() - t0 < 10_000; await sleep(200)) {
            const q = await client.query('SELECT (SELECT COUNT(*) FROM orders WHERE customer_id = $1) + (SELECT COUNT(*) FROM carts WHERE customer_id = $1) AS n', [WARM_CUSTOMER_ID]);
            stored = Number(q.rows[0].n);
            if (stored >= acknowledged) break;
          }
        } finally {
          await client.end();
        }
        this.load = { acknowledged, stored, refused, collectorsRunning: this.procs.every((p) => p.child.exitCode === null && p.child.signalCode === null) };
        return page;
      },
      async cleanup() {
        for (const proc of this.procs) await stop(proc);
      },
    },
  ];

  const rows = [];
  try {
    for (const f of faults) {
      const prefix = `F-${run}-${f.id}-`;
      const ids = Array.from({ length: ordersPerFault }, (_, i) => `${prefix}${i + 1}`);
      const bctx = await browser.newContext();
      const settle = [];
      const proxyBefore = { ...proxy.state };
      const row = { id: f.id, label: f.label, sent: ids.length };
      try {
        await f.inject({ bctx, ids, settle });
        const first = await waitStored(prefix, ids.length, retryWaitMs, f.api ?? undefined);
        row.storedByRetry = first.distinct;
        row.retryMs = first.ms;
        let final = first;
        if (first.distinct < ids.length) {
          const p = await openShop(bctx, shop, f.endpoint, 'Next page');
          final = await waitStored(prefix, ids.length, nextPageWaitMs, f.api ?? undefined);
          await p.close();
          row.nextPageUsed = true;
        }
        row.stored = final.distinct;
        row.storedRows = final.rows;
        row.wrongValue = final.wrongValue;
      } catch (e) {
        row.error = String(e.message ?? e).slice(0, 500);
        row.stored = (await stored(prefix, f.api ?? undefined).catch(() => ({ distinct: 0 }))).distinct;
      } finally {
        await bctx.close();
        await f.cleanup?.();
      }
      if (f.load) row.load = f.load;
      row.direct = f.endpoint !== viaProxy;
      row.settled = settle.reduce((m, s) => ((m[s] = (m[s] ?? 0) + 1), m), {});
      row.attemptsSeen = proxy.state.requests - proxyBefore.requests;
      row.failedAnswers = proxy.state.failed - proxyBefore.failed;
      row.met = !row.error && row.stored === row.sent && row.storedRows === row.sent && !row.wrongValue && (!row.load || (row.load.stored === row.load.acknowledged && row.load.collectorsRunning));
      log(`fault ${f.id}: sent ${row.sent}, stored ${row.stored}${row.nextPageUsed ? ' (after a next page)' : ''}${row.error ? `, error ${row.error}` : ''}`);
      rows.push(row);
    }
  } finally {
    await browser.close();
    await shop.close();
    await proxy.close();
    await stop(collector);
  }
  return { ordersPerFault, retryWaitMs, nextPageWaitMs, rows };
}
