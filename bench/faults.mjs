// The delivery fault matrix of SPEC 6, counted: for each fault, orders sent from a real
// Chromium through the real SDK to a real collector, and orders stored. No event may be
// lost, and none counted twice. After the fault clears the bench waits for the SDK's own
// retries; if some are still missing it opens one more shop page (the SDK retries queued
// events "on the next page too", SPEC 3.4) and waits again. Both counts are reported.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from './lib/browser.mjs';
import { startShop } from './lib/static.mjs';
import { startFaultProxy } from './lib/fault-proxy.mjs';
import { apiAll, prepareDb, removeSqlite } from './lib/collector.mjs';
import { CUSTOMER_ID } from './lib/events.mjs';
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

export async function runFaults(_ctx, { quick = false } = {}) {
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

  const stored = async (prefix) => {
    const rows = await apiAll(cport, token, '/orders?attributed=all');
    const mine = rows.filter((r) => r.orderId.startsWith(prefix));
    return {
      distinct: new Set(mine.map((r) => r.orderId)).size,
      rows: mine.length,
      wrongValue: mine.filter((r) => Math.abs(Number(r.total) - ORDER_TOTAL) > 0.001).length,
    };
  };
  const waitStored = async (prefix, n, ms) => {
    const t0 = Date.now();
    let s = await stored(prefix);
    while (s.distinct < n && Date.now() - t0 < ms) {
      await sleep(250);
      s = await stored(prefix);
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
        const first = await waitStored(prefix, ids.length, retryWaitMs);
        row.storedByRetry = first.distinct;
        row.retryMs = first.ms;
        let final = first;
        if (first.distinct < ids.length) {
          const p = await openShop(bctx, shop, f.endpoint, 'Next page');
          final = await waitStored(prefix, ids.length, nextPageWaitMs);
          await p.close();
          row.nextPageUsed = true;
        }
        row.stored = final.distinct;
        row.storedRows = final.rows;
        row.wrongValue = final.wrongValue;
      } catch (e) {
        row.error = String(e.message ?? e).slice(0, 500);
        row.stored = (await stored(prefix).catch(() => ({ distinct: 0 }))).distinct;
      } finally {
        await bctx.close();
      }
      row.settled = settle.reduce((m, s) => ((m[s] = (m[s] ?? 0) + 1), m), {});
      row.attemptsSeen = proxy.state.requests - proxyBefore.requests;
      row.failedAnswers = proxy.state.failed - proxyBefore.failed;
      row.met = !row.error && row.stored === row.sent && row.storedRows === row.sent && !row.wrongValue;
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
