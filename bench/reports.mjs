// Reports at scale: 1,000,000 orders with items and 300,000 carts over 100 campaigns
// (bench/generate.mjs), in SQLite and in PostgreSQL. The first page of each report, with and
// without filters, cold and warm, over HTTP from the real collector (the bar: < 100 ms);
// then the same requests in-process (buildApp + inject over a store whose SQL calls are
// timed) for the query time, and the query plan of the slowest statement of any report
// that misses the bar.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reportDataset, reportDatasetInWorker, DAY } from './generate.mjs';
import { apiGet } from './lib/collector.mjs';
import { CUSTOMER_ID } from './lib/events.mjs';
import { collectorBuilt, startCollector, stop } from './lib/proc.mjs';
import { COLLECTOR_DIST, freePort, log, median, quantile } from './lib/util.mjs';

const BAR_MS = 100;
const REPORTS = [
  { report: 'orders', path: '/orders' },
  { report: 'abandoned carts', path: '/abandoned-carts' },
  { report: 'items', path: '/items' },
  { report: 'summary', path: '/summary' },
  { report: 'attribution', path: '/attribution' },
];

const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);

function filters(meta) {
  const from = ymd(meta.anchor - 30 * DAY);
  const to = ymd(meta.anchor - DAY);
  const campaign = meta.campaigns[0]; // the campaign with the most orders
  return [
    { filterLabel: 'none', qs: '' },
    { filterLabel: `campaign ${campaign}`, qs: `campaign=${campaign}` },
    { filterLabel: `${from} to ${to}`, qs: `from=${from}&to=${to}` },
    { filterLabel: `campaign ${campaign}, ${from} to ${to}`, qs: `campaign=${campaign}&from=${from}&to=${to}` },
  ];
}

async function imp(rel) {
  return import(pathToFileURL(join(COLLECTOR_DIST, rel)).href);
}

/** A store whose SQL calls are timed, for the in-process query times. */
async function timedApp(db) {
  const { parseDatabaseTarget } = await imp('config.js');
  const { createStore } = await imp('store/store.js');
  const { migrate } = await imp('store/migrations.js');
  const { buildApp } = await imp('app.js');
  const t = parseDatabaseTarget(db);
  const raw = t.engine === 'sqlite' ? new (await imp('store/sqlite.js')).SqliteDatabase(t.path) : new (await imp('store/postgres.js')).PostgresDatabase(t.url);
  const trace = { ms: 0, statements: 0, slowest: null };
  for (const m of ['all', 'get', 'run']) {
    const orig = raw[m].bind(raw);
    raw[m] = async (sql, params = []) => {
      const t0 = performance.now();
      try {
        return await orig(sql, params);
      } finally {
        const ms = performance.now() - t0;
        trace.ms += ms;
        trace.statements++;
        if (!trace.slowest || ms > trace.slowest.ms) trace.slowest = { ms, sql, params };
      }
    };
  }
  await migrate(raw);
  const store = createStore(raw);
  const app = await buildApp({ store, sweepIntervalMs: 0 });
  await app.ready();
  return {
    trace,
    raw,
    app,
    reset() {
      trace.ms = 0;
      trace.statements = 0;
      trace.slowest = null;
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}

async function explain(raw, engine, { sql, params }) {
  const bigParams = params.map((p) => (typeof p === 'bigint' ? Number(p) : p));
  try {
    if (engine === 'sqlite') {
      const rows = await raw.all(`EXPLAIN QUERY PLAN ${sql}`, bigParams);
      return rows.map((r) => r.detail).join('\n');
    }
    const rows = await raw.all(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, bigParams);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } catch (e) {
    return `(no plan: ${e.message})`;
  }
}

async function engineRun(engine, ctx, { quick, warmRuns, coldRuns, ds }) {
  const pgServer = engine === 'postgres' ? await ctx.postgres() : null;
  const generation = { engine, cached: ds.cached, seconds: ds.seconds };
  const queries = [];
  for (const r of REPORTS) for (const f of filters(ds.meta)) queries.push({ ...r, ...f, url: `${r.path}${f.qs ? `?${f.qs}` : ''}` });

  // 1. over HTTP, against the collector as it runs in production
  const port = await freePort();
  const rows = [];
  for (const q of queries) {
    // cold is noisy on a shared machine (one sample moved 78 → 106 ms between runs): each
    // row is measured on `coldRuns` fresh starts; the median counts, the worst is shown
    const colds = [];
    let row;
    try {
      for (let run = 0; run < coldRuns; run++) {
        if (pgServer) await pgServer.restart(); // cold: empty shared buffers
        const proc = await startCollector({ port, db: ds.db });
        try {
          // warm the process (auth, routing, JSON errors) and open its database connections
          // without touching the report's data: concurrent requests for an order ID that does
          // not exist (each one primary-key probe)
          await Promise.all(Array.from({ length: 4 }, (_, i) => apiGet(port, ds.token, `/orders/bench-warm-up-no-such-order-${i}`).catch(() => undefined)));
          const cold = await apiGet(port, ds.token, q.url);
          colds.push(cold.ms);
          if (run < coldRuns - 1) continue;
          const warm = [];
          for (let i = 0; i < warmRuns; i++) warm.push((await apiGet(port, ds.token, q.url)).ms);
          row = {
            report: q.report,
            filterLabel: q.filterLabel,
            url: q.url,
            total: cold.body.total,
            rowsReturned: cold.body.rows?.length,
            coldMs: median(colds),
            coldMaxMs: Math.max(...colds),
            coldRuns,
            warmMs: median(warm),
            warmP95Ms: quantile(warm, 0.95),
          };
        } finally {
          await stop(proc);
        }
      }
      row.met = row.coldMs < BAR_MS && row.warmMs < BAR_MS && row.warmP95Ms < BAR_MS;
      rows.push(row);
      log(`${engine} ${q.report} [${q.filterLabel}]: cold ${row.coldMs.toFixed(1)} ms (worst ${row.coldMaxMs.toFixed(1)}), warm ${row.warmMs.toFixed(1)} ms, total ${row.total}`);
    } catch (e) {
      rows.push({ report: q.report, filterLabel: q.filterLabel, url: q.url, error: String(e.message ?? e), met: false });
    }
  }

  // 2. the same requests in-process: SQL time, and plans for what misses the bar
  const plans = [];
  const check = {};
  let timed;
  try {
    timed = await timedApp(ds.db);
    const auth = { authorization: `Bearer ${ds.token}` };
    const base = `/api/v1/customers/${CUSTOMER_ID}`;
    for (const row of rows) {
      if (row.error) continue;
      const sql = [];
      const inproc = [];
      let slowest = null;
      for (let i = 0; i < Math.max(3, Math.ceil(warmRuns / 2)) + 1; i++) {
        timed.reset();
        const t0 = performance.now();
        const res = await timed.app.inject({ method: 'GET', url: base + row.url, headers: auth });
        const ms = performance.now() - t0;
        if (res.statusCode !== 200) throw new Error(`in-process ${row.url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (i === 0) continue; // the first one warms this process
        inproc.push(ms);
        sql.push(timed.trace.ms);
        if (!slowest || timed.trace.slowest?.ms > slowest.ms) slowest = { ...timed.trace.slowest, statements: timed.trace.statements };
      }
      row.inProcessMs = median(inproc);
      row.sqlMs = median(sql);
      row.statements = slowest?.statements;
      if (!row.met && slowest && row.sqlMs >= 20) {
        const plan = await explain(timed.raw, engine, slowest);
        plans.push(`\`${row.report}\` (${row.filterLabel}): slowest statement ${slowest.ms.toFixed(1)} ms:\n\n\`\`\`sql\n${slowest.sql.replace(/\s+/g, ' ').trim()}\n\`\`\`\n\nplan:\n\n\`\`\`\n${plan}\n\`\`\``);
      }
    }
    // The dataset agrees with itself: report totals (read from the aggregates) = rows generated.
    const all = async (path) => {
      const res = await timed.app.inject({ method: 'GET', url: `${base}${path}`, headers: auth });
      return JSON.parse(res.body).total;
    };
    check.orders = { report: await all('/orders?attributed=all&limit=1'), generated: ds.meta.expected.orders };
    check.abandoned = { report: await all('/abandoned-carts?attributed=all&limit=1'), generated: ds.meta.expected.abandoned };
    check.ok = check.orders.report === check.orders.generated && check.abandoned.report === check.abandoned.generated;
  } catch (e) {
    check.error = String(e.message ?? e).slice(0, 500);
  } finally {
    await timed?.close().catch(() => undefined);
  }
  return { generation, dataset: { ...ds.meta.counts, ...ds.meta.expected, campaigns: ds.meta.dataset.campaigns, days: ds.meta.dataset.days }, rows, plans, check };
}

export async function runReports(ctx, { quick = false } = {}) {
  if (!collectorBuilt()) return { skipped: 'the collector is not built' };
  const warmRuns = quick ? 3 : 10;
  const coldRuns = quick ? 1 : 2;
  const out = { barMs: BAR_MS, warmRuns, coldRuns, engines: {}, generation: [] };
  // Both datasets at once when they must be generated: SQLite in a worker thread, PostgreSQL
  // from here (its server does most of that work), one core each.
  const [sqliteDs, pgDs] = await Promise.allSettled([
    reportDatasetInWorker({ quick }),
    ctx.postgres().then((pgServer) => reportDataset('postgres', { quick, pg: pgServer })),
  ]);
  const datasets = { sqlite: sqliteDs, postgres: pgDs };
  for (const engine of ['sqlite', 'postgres']) {
    try {
      if (datasets[engine].status === 'rejected') throw datasets[engine].reason;
      const r = await engineRun(engine, ctx, { quick, warmRuns, coldRuns, ds: datasets[engine].value });
      out.generation.push(r.generation);
      out.dataset ??= r.dataset;
      out.engines[engine] = { rows: r.rows, plans: r.plans, check: r.check };
    } catch (e) {
      log(`reports on ${engine} failed: ${e.stack ?? e}`);
      out.engines[engine] = { error: String(e.message ?? e).slice(0, 1500) };
    }
  }
  out.queryNote =
    '**SQL** is the time spent in the store\'s SQL calls for the same request made in-process (`buildApp` + `inject`, warm, median; on PostgreSQL the list and count statements run in parallel, so their sum can exceed the request); **in-process** is that request\'s whole handling without the network.';
  return out;
}
