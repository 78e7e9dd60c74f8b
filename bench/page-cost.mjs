// SDK cost on the page: main-thread time of a Thank You page that loads the SDK and sends
// an order, against the same page without it, the legacy emstrack.js drop-in, and other
// trackers each sending one purchase-like event (Plausible, Snowplow, PostHog: their npm
// builds, bench/pages/<id>.html), in one headless Chromium, interleaved. Main-thread time
// comes from the DevTools protocol (Performance.getMetrics, timed in thread CPU ticks so
// other load on the machine does not inflate it); every page runs in a fresh browser context
// (empty cache and storage). Then a CPU profile of our page says where its time goes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { measure } from '../scripts/size.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { PEERS, startShop } from './lib/static.mjs';
import { CUSTOMER_ID } from './lib/events.mjs';
import { ROOT, log, median, quantile, sleep } from './lib/util.mjs';

const METRICS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'JSHeapUsedSize'];

/** Resolves once the stub endpoint got a request after `before` of them. */
async function reached(shop, before, variant) {
  const deadline = Date.now() + 10_000;
  while (shop.received.requests === before) {
    if (Date.now() > deadline) throw new Error(`${variant}: the order never reached the endpoint`);
    await sleep(10);
  }
}

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
    // Every variant is read the same way: 250 ms after its event reached the endpoint. Nothing
    // is evaluated in the page before the metrics are read (Playwright's waitForFunction polls
    // on every animation frame, and its injected script would count as the page's time).
    if (variant !== 'empty') await reached(shop, before, variant);
    await sleep(250); // let any work after the send (the answer, queue bookkeeping, storage) finish
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.filter((x) => METRICS.includes(x.name)).map((x) => [x.name, x.value]));
    if (variant === 'sdk') {
      await page.waitForFunction(() => window.__settled, null, { timeout: 10_000 });
      const settled = await page.evaluate(() => window.__settled);
      if (settled !== 'ok') throw new Error(`order() did not settle: ${settled}`);
    }
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
  // The bar compares the SDK with Plausible over the empty page, a difference of a millisecond
  // or less where one page's time varies by several: those three get many more loads than the
  // others (informative only, and far apart).
  const iterations = quick ? 3 : 30;
  const otherIterations = quick ? 2 : 4;
  const warmup = quick ? 1 : 2;
  const variants = [
    { id: 'empty', label: 'empty page (baseline)', file: null },
    { id: 'sdk', label: 'SDK: load + order()', file: 'dist/emarsys-track.min.js' },
    { id: 'legacy', label: 'legacy emstrack.js: load + emsSubmitOrder()', file: 'dist/emstrack.js', loads: otherIterations },
    { id: 'plausible', label: 'Plausible (`@plausible-analytics/tracker`): load + one revenue event', file: `node_modules/${PEERS['/peers/plausible.js']}` },
    { id: 'snowplow', label: 'Snowplow (`@snowplow/browser-tracker`): load + one structured event', file: `node_modules/${PEERS['/peers/snowplow.js']}`, loads: otherIterations },
    { id: 'posthog', label: 'PostHog (`posthog-js`): load + one event', file: `node_modules/${PEERS['/peers/posthog.js']}`, loads: otherIterations },
  ].filter((v) => !v.file || existsSync(join(ROOT, v.file)));
  if (variants.length === 1) return { skipped: 'dist/emarsys-track.min.js and dist/emstrack.js are not built' };
  const shop = await startShop({ stubCollector: true });
  const browser = await launchBrowser();
  const version = browser.version();
  const samples = Object.fromEntries(variants.map((v) => [v.id, []]));
  const errors = {};
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      // every other round in the reverse order, so that no variant always follows another
      for (const v of i % 2 ? [...variants].reverse() : variants) {
        if (i >= warmup + (v.loads ?? iterations)) continue;
        try {
          const s = await onePage(browser, shop, v.id, i);
          if (i >= warmup) samples[v.id].push({ ...s, round: i });
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
      // the script as served, gzipped at level 9 (as `npm run size`)
      gzipBytes: v.file ? measure(readFileSync(join(ROOT, v.file))).gzip : null,
      error: errors[v.id],
    };
    r.extraTaskMs = r.taskMs - base.taskMs;
    r.extraScriptMs = r.scriptMs - base.scriptMs;
    r.ratio = r.taskMs / base.taskMs;
    return r;
  });
  // Ours against Plausible's: what each adds to the empty page.
  const plausible = rows.find((r) => r.id === 'plausible');
  for (const r of rows) if (plausible && r.id !== 'empty') r.vsPlausible = r.extraTaskMs / plausible.extraTaskMs;
  // Ours against Plausible's load by load: the two pages of one round ran back to back.
  const theirs = new Map(samples.plausible?.map((s) => [s.round, s.taskMs]));
  const diffs = (samples.sdk ?? []).filter((s) => theirs.has(s.round)).map((s) => s.taskMs - theirs.get(s.round));
  const paired = diffs.length
    ? { n: diffs.length, median: median(diffs), q1: quantile(diffs, 0.25), q3: quantile(diffs, 0.75), lighter: diffs.filter((d) => d < 0).length }
    : null;
  for (const r of rows) log(`page cost ${r.id}: main thread ${r.taskMs.toFixed(1)} ms (+${r.extraTaskMs.toFixed(1)}), script ${r.scriptMs.toFixed(1)} ms${r.gzipBytes ? `, ${r.gzipBytes} B gzip` : ''}`);
  const profile = variants.some((v) => v.id === 'sdk') ? await profileSdk(quick ? 3 : 5) : null;
  return { browser: `Chromium ${version}`, iterations, otherIterations, warmup, rows, paired, profile };
}

/**
 * Where our page's main-thread time goes: a sampling CPU profile (DevTools Profiler, 100 µs)
 * of the SDK page, `runs` fresh loads, from navigation until 250 ms after the order reached
 * the endpoint. Self time is summed by function (the SDK's by name and line in the minified
 * build) and by where it runs: our script, the page's inline script, the engine (parse,
 * compile, GC: "(program)", "(garbage collector)").
 */
export async function profileSdk(runs) {
  const shop = await startShop({ stubCollector: true });
  const browser = await launchBrowser();
  const byFn = new Map();
  const byPlace = {};
  try {
    for (let n = 0; n < runs; n++) {
      const ctx = await browser.newContext();
      try {
        const page = await ctx.newPage();
        const cdp = await ctx.newCDPSession(page);
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
        await cdp.send('Profiler.start');
        const q = new URLSearchParams({ order: `PROF-${n}-${Date.now()}`, customer: CUSTOMER_ID, endpoint: shop.origin, emst: '1001.c42' });
        const before = shop.received.requests;
        await page.goto(`${shop.origin}/sdk.html?${q}`, { waitUntil: 'load' });
        await reached(shop, before, 'sdk');
        await sleep(250);
        const { profile } = await cdp.send('Profiler.stop');
        const nodes = new Map(profile.nodes.map((x) => [x.id, x]));
        const deltas = profile.timeDeltas;
        profile.samples.forEach((id, i) => {
          const { callFrame: f } = nodes.get(id);
          if (f.functionName === '(idle)') return;
          const ms = (deltas[i + 1] ?? 0) / 1000;
          const place = f.url.includes('emarsys-track') ? 'SDK script' : f.url ? 'page (inline scripts)' : f.functionName;
          byPlace[place] = (byPlace[place] ?? 0) + ms;
          const key = `${place === 'SDK script' ? 'sdk' : place}: ${f.functionName || '(anonymous)'}${f.url ? ` :${f.lineNumber + 1}:${f.columnNumber + 1}` : ''}`;
          byFn.set(key, (byFn.get(key) ?? 0) + ms);
        });
      } finally {
        await ctx.close();
      }
    }
  } finally {
    await browser.close();
    await shop.close();
  }
  const per = (ms) => ms / runs;
  return {
    runs,
    byPlace: Object.fromEntries(Object.entries(byPlace).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, per(v)])),
    top: [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([fn, ms]) => ({ fn, ms: per(ms) })),
  };
}
