// Hostile mix: good SDK traffic (batches of 10 events) alone, then with one request in ten
// hostile, against the same collector in the same run (SQLite, then PostgreSQL). Hostile
// requests rotate through out-of-range amounts, malformed JSON, unknown customers and
// 500 KiB bodies, each a different body (as an attacker varies them, so none is counted as a
// repeat). Reported: the good events' rate in the mix over the clean rate (bar ≥ 0.8), stored
// = acknowledged for the good traffic (counted on a restarted collector), and the
// rejected-events table's growth in bytes per hostile request. Clean and mixed runs
// alternate (two rounds each, ABBA, means).
import { join } from 'node:path';
import { measureLoad } from './lib/load.mjs';
import { batchFactory, CUSTOMER_ID, WARM_CUSTOMER_ID } from './lib/events.mjs';
import { collectorBuilt, startCollector, stop } from './lib/proc.mjs';
import { waitStored } from './ingest.mjs';
import { prepareDb, removeSqlite } from './lib/collector.mjs';
import { cacheDir, freePort, log } from './lib/util.mjs';

const PER_REQUEST = 10;
const HOSTILE_EVERY = 10;
const KINDS = ['out-of-range amounts', 'malformed JSON', 'unknown customer', '500 KiB body'];
const PAD = 'x'.repeat(500 * 1024);

/** Good batches from `good`, every tenth request hostile (kinds in turn); counts what it made. */
function mixFactory(good, prefix) {
  let n = 0;
  let h = 0;
  const made = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const hostile = (i) => {
    const kind = KINDS[h++ % KINDS.length];
    made[kind]++;
    const id = `${prefix}-h${i}`;
    switch (kind) {
      case 'out-of-range amounts':
        // a well-formed batch whose every event is over the maximum order value
        return good.next().replace(/"total":[0-9.]+/g, '"total":"9999999999999"');
      case 'malformed JSON':
        return `{"v":1,"customerId":"${CUSTOMER_ID}","events":[{"type":"order","id":"${id}",`;
      case 'unknown customer':
        return good.next().replace(`"customerId":"${CUSTOMER_ID}"`, `"customerId":"ghost-${i}"`);
      default:
        return `{"v":1,"customerId":"${CUSTOMER_ID}","events":[{"type":"cart","id":"${id}","pad":"${PAD}"}]}`;
    }
  };
  return {
    eventsPerRequest: PER_REQUEST,
    next() {
      const i = n++;
      return i % HOSTILE_EVERY === HOSTILE_EVERY - 1 ? hostile(i) : good.next();
    },
    made,
    get hostile() {
      return Object.values(made).reduce((a, b) => a + b, 0);
    },
  };
}

/** Bytes of rejected_events with its indexes, and its rows, read live (on SQLite read-only, beside the collector). */
async function rejectedSize(engine, db) {
  if (engine === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(db, { readonly: true });
    try {
      const { bytes } = conn.prepare("SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name = 'rejected_events')").get();
      const { rows } = conn.prepare('SELECT COUNT(*) AS rows FROM rejected_events').get();
      return { bytes, rows };
    } finally {
      conn.close();
    }
  }
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  try {
    const { rows } = await c.query("SELECT pg_total_relation_size('rejected_events') AS bytes, (SELECT COUNT(*) FROM rejected_events) AS rows");
    return { bytes: Number(rows[0].bytes), rows: Number(rows[0].rows) };
  } finally {
    await c.end();
  }
}

/**
 * Returns once the reports hold every event acknowledged so far: each run starts with the
 * previous one applied (a read waits for projection at most 10 s; a backlog may take longer).
 */
const caughtUp = (port, token, runs) => waitStored(port, token, acknowledgedIn(runs), 600_000);
const acknowledgedIn = (runs) => [...runs.clean, ...runs.mixed].reduce((n, x) => n + x.total.accepted, 0);

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function engineRun(engine, ctx, { seconds, connections, rounds }) {
  let db;
  if (engine === 'sqlite') {
    db = join(cacheDir('hostile'), 'hostile.db');
    removeSqlite(db);
  } else {
    db = await (await ctx.postgres()).createDatabase('bench_hostile');
  }
  const token = await prepareDb(db);
  const port = await freePort();
  const tag = `${engine}-${Date.now().toString(36)}`;
  const clean = batchFactory({ perRequest: PER_REQUEST, prefix: `c${tag}` });
  const mix = mixFactory(batchFactory({ perRequest: PER_REQUEST, prefix: `m${tag}` }), `m${tag}`);
  const runs = { clean: [], mixed: [] };
  let before;
  let after;
  let proc = await startCollector({ port, db });
  try {
    before = await rejectedSize(engine, db);
    // clean and mixed runs alternate on the same collector, clean first in odd rounds and
    // mixed first in even ones (ABBA), so a busy moment of a shared machine, and the tables
    // growing run by run, weigh on both alike; each starts with the previous one applied;
    // the warm-ups are clean (another customer)
    for (let r = 0; r < rounds; r++) {
      const order = [['clean', clean], ['mixed', mix]];
      for (const [kind, factory] of r % 2 ? order.reverse() : order) {
        await caughtUp(port, token, runs);
        const warmFactory = batchFactory({ perRequest: PER_REQUEST, prefix: `w${tag}-${kind}${r}`, customerId: WARM_CUSTOMER_ID });
        const label = `${engine}, ${kind === 'clean' ? 'clean' : `one in ${HOSTILE_EVERY} hostile`}, round ${r + 1}`;
        runs[kind].push(await measureLoad({ port, factory, warmFactory, connections, seconds, warmSeconds: 1, label, pid: proc.child.pid }));
      }
    }
    await caughtUp(port, token, runs);
    after = await rejectedSize(engine, db);
  } finally {
    await stop(proc);
  }

  // durable: count on a fresh collector; hostile requests acknowledge no event
  proc = await startCollector({ port, db });
  let stored;
  try {
    stored = await waitStored(port, token, acknowledgedIn(runs), 120_000);
  } finally {
    await stop(proc);
  }
  if (engine === 'postgres') await (await ctx.postgres()).dropDatabase('bench_hostile');
  else removeSqlite(db);
  const acknowledged = acknowledgedIn(runs);
  const storedEvents = stored.orders + stored.carts;
  const rate = (xs) => mean(xs.map((x) => x.eventsPerSec));
  const out = {
    clean: { eventsPerSec: rate(runs.clean), runs: runs.clean.map((x) => x.eventsPerSec) },
    mixed: { eventsPerSec: rate(runs.mixed), runs: runs.mixed.map((x) => x.eventsPerSec), statuses: runs.mixed.map((x) => x.statuses) },
    ratio: rate(runs.mixed) / rate(runs.clean),
    hostileRequests: mix.hostile,
    hostileKinds: mix.made,
    acknowledged,
    stored: storedEvents,
    equal: storedEvents === acknowledged,
    rejected: { bytesBefore: before.bytes, bytesAfter: after.bytes, rowsBefore: before.rows, rowsAfter: after.rows, bytesPerHostile: mix.hostile ? (after.bytes - before.bytes) / mix.hostile : null },
  };
  log(`${engine} hostile mix: ratio ${out.ratio.toFixed(2)}, acknowledged ${acknowledged}, stored ${storedEvents}, rejected +${after.bytes - before.bytes} B for ${mix.hostile} hostile requests`);
  return out;
}

export async function runHostile(ctx, { quick = false } = {}) {
  const seconds = quick ? 2 : 3;
  const rounds = quick ? 1 : 2;
  const connections = 50;
  const out = { seconds, rounds, connections, perRequest: PER_REQUEST, hostileEvery: HOSTILE_EVERY, kinds: KINDS, engines: {} };
  if (!collectorBuilt()) return { ...out, skipped: 'the collector is not built (collector/dist/collector/src/cli.js missing)' };
  for (const engine of ['sqlite', 'postgres']) {
    try {
      out.engines[engine] = await engineRun(engine, ctx, { seconds, connections, rounds });
    } catch (e) {
      log(`hostile ${engine} failed: ${e.message}`);
      out.engines[engine] = { error: String(e.message ?? e).slice(0, 1500) };
    }
  }
  return out;
}
