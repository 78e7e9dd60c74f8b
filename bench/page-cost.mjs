// SDK cost on the page: main-thread time of a Thank You page that loads the SDK and sends
// an order, against the same page without it (and the legacy emstrack.js drop-in), in a
// real headless Chromium. Main-thread time comes from the DevTools protocol
// (Performance.getMetrics, timed in thread CPU ticks so other load on the machine does not
// inflate it); every page runs in a fresh browser context (empty cache and storage).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from './lib/browser.mjs';
import { startShop } from './lib/static.mjs';
import { CUSTOMER_ID } from './lib/events.mjs';
import { ROOT, log, median, sleep } from './lib/util.mjs';

const METRICS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'JSHeapUsedSize'];

export async function onePage(browser, shop, variant, n) {
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const before = shop.received.requests;
    const order = `PC-${variant}-${n}-${Date.now()}`;
    const q = new URLSearchParams({ order, customer: CUSTOMER_ID, endpoint: shop.origin, emst: '1001.c42' });
    await page.goto(`${shop.origin}/${variant}.html?${q}`, { waitUntil: 'load' });
    const deadline = Date.now() + 10_000;
    if (variant === 'sdk') {
      await page.waitForFunction(() => window.__settled, null, { timeout: 10_000 });
      const settled = await page.evaluate(() => window.__settled);
      if (settled !== 'ok') throw new Error(`order() did not settle: ${settled}`);
    }
    if (variant !== 'empty') {
      while (shop.received.requests === before) {
        if (Date.now() > deadline) throw new Error(`${variant}: the order never reached the endpoint`);
        await sleep(10);
      }
    }
    await sleep(250); // let any work after the send (queue bookkeeping, storage) finish
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.filter((x) => METRICS.includes(x.name)).map((x) => [x.name, x.value]));
    const wall = await page.evaluate(() => {
      const a = performance.getEntriesByName('order-call')[0];
      const b = performance.getEntriesByName('order-settled')[0];
      return a && b ? b.startTime - a.startTime : null;
    });
    return {
      taskMs: m.TaskDuration * 1000,
      scriptMs: m.ScriptDuration * 1000,
      layoutMs: (m.LayoutDuration + m.RecalcStyleDuration) * 1000,
      heapKB: m.JSHeapUsedSize / 1024,
      orderToSettledMs: wall,
    };
  } finally {
    await ctx.close();
  }
}

export async function runPageCost(_ctx, { quick = false } = {}) {
  const iterations = quick ? 3 : 10;
  const warmup = quick ? 1 : 2;
  const variants = [
    { id: 'empty', label: 'empty page (baseline)', file: null },
    { id: 'sdk', label: 'SDK: load + order()', file: 'dist/emarsys-track.min.js' },
    { id: 'legacy', label: 'legacy emstrack.js: load + emsSubmitOrder()', file: 'dist/emstrack.js' },
  ].filter((v) => !v.file || existsSync(join(ROOT, v.file)));
  if (variants.length === 1) return { skipped: 'dist/emarsys-track.min.js and dist/emstrack.js are not built' };
  const shop = await startShop({ stubCollector: true });
  const browser = await launchBrowser();
  const version = browser.version();
  const samples = Object.fromEntries(variants.map((v) => [v.id, []]));
  const errors = {};
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      for (const v of variants) {
        try {
          const s = await onePage(browser, shop, v.id, i);
          if (i >= warmup) samples[v.id].push(s);
        } catch (e) {
          errors[v.id] = String(e.message ?? e).slice(0, 300);
        }
      }
    }
  } finally {
    await browser.close();
    await shop.close();
  }
  const med = (id, k) => median(samples[id].map((s) => s[k]).filter((x) => x != null));
  const base = { taskMs: med('empty', 'taskMs'), scriptMs: med('empty', 'scriptMs') };
  const rows = variants.map((v) => {
    const r = {
      id: v.id,
      label: v.label,
      n: samples[v.id].length,
      taskMs: med(v.id, 'taskMs'),
      scriptMs: med(v.id, 'scriptMs'),
      layoutMs: med(v.id, 'layoutMs'),
      heapKB: med(v.id, 'heapKB'),
      orderToSettledMs: med(v.id, 'orderToSettledMs'),
      error: errors[v.id],
    };
    r.extraTaskMs = r.taskMs - base.taskMs;
    r.extraScriptMs = r.scriptMs - base.scriptMs;
    r.ratio = r.taskMs / base.taskMs;
    return r;
  });
  for (const r of rows) log(`page cost ${r.id}: main thread ${r.taskMs.toFixed(1)} ms (+${r.extraTaskMs.toFixed(1)}), script ${r.scriptMs.toFixed(1)} ms`);
  return { browser: `Chromium ${version}`, iterations, warmup, rows };
}
