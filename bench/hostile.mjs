// Hostile mix: good SDK traffic (batches of 10 events) alone, then with one request in ten
// hostile, against the same collector in the same run (SQLite, then PostgreSQL). Hostile
// requests rotate through out-of-range amounts, malformed JSON, unknown customers and
// 500 KiB bodies, each a different body (as an attacker varies them, so none is counted as a
// repeat). Reported: the good events' rate in the mix over the clean rate (bar ≥ 0.8), stored
// = acknowledged for the good traffic (counted on a restarted collector), and the
// rejected-events table's growth in bytes per hostile request. Clean and mixed traffic
// alternate within one run, a second at a time (ABBA), so a busy moment of a shared
// machine, or the tables growing, weighs on both alike.
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

/** Phases of one run, in turn (ABBA, repeated): drift in the run weighs on both kinds alike. */
const PHASES = ['clean', 'mixed', 'mixed', 'clean'];
const PHASE_MS = 1000;
/** The start of a phase, where requests of the one before are still being answered, is not counted. */
const SETTLE_MS = 200;
/** Phases counted: the run is sized (from the warm-up's rate) to outlast them. */
const PHASE_COUNT = 8;

/**
 * Clean and mixed bodies by the time they are sent, PHASE_MS of each in turn from the first
 * request. What a request has acknowledged counts for the phase it was sent in, from
 * SETTLE_MS into it; `count` phases after a clean lead-in count, in whole rounds of PHASES
 * that the run went on past.
 */
function phasedFactory(clean, mixed, count) {
  let t0 = null;
  let last = 0;
  let repeat = null;
  const accepted = [];
  const phase = (t) => Math.floor((t - t0) / PHASE_MS);
  // phase 0, clean, is not counted: the run's connections are new (a transient neither kind should carry)
  const kind = (k) => (k === 0 ? 'lead-in' : PHASES[(k - 1) % PHASES.length]);
  return {
    eventsPerRequest: PER_REQUEST,
    next(sentAt) {
      t0 ??= sentAt;
      last = sentAt;
      const k = phase(sentAt);
      // Past the counted phases the run only has to end: a repeat of the last clean body is
      // answered as a duplicate and leaves nothing to apply, where new events would only
      // lengthen the wait until the reports hold everything acknowledged.
      if (k > count) return (repeat ??= clean.next());
      return (kind(k) === 'mixed' ? mixed : clean).next();
    },
    answered(sentAt, events) {
      const k = phase(sentAt);
      if (sentAt - t0 - k * PHASE_MS >= SETTLE_MS) accepted[k] = (accepted[k] ?? 0) + events;
    },
    /** good events per second of each complete phase, by kind */
    rates() {
      const out = { clean: [], mixed: [] };
      // whole ABBA rounds only: a round cut short would leave the drift to weigh on one kind
      const rounds = Math.floor(Math.min(phase(last) - 1, count) / PHASES.length);
      for (let k = 1; k <= rounds * PHASES.length; k++) out[kind(k)].push(((accepted[k] ?? 0) * 1000) / (PHASE_MS - SETTLE_MS));
      return out;
    },
  };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function engineRun(engine, ctx, { seconds, phases, connections }) {
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
  const mix = mixFactory(batchFactory({ perRequest: PER_REQUEST, prefix: `m${tag}` }), `m${tag}`);
  const phased = phasedFactory(batchFactory({ perRequest: PER_REQUEST, prefix: `c${tag}` }), mix, phases);
  let run;
  let before;
  let after;
  let proc = await startCollector({ port, db });
  try {
    before = await rejectedSize(engine, db);
    // the warm-up is clean (another customer)
    const warmFactory = batchFactory({ perRequest: PER_REQUEST, prefix: `w${tag}`, customerId: WARM_CUSTOMER_ID });
    const label = `${engine}, clean and one in ${HOSTILE_EVERY} hostile in turn`;
    run = await measureLoad({ port, factory: phased, warmFactory, connections, seconds, warmSeconds: 1, label, pid: proc.child.pid });
    await waitStored(port, token, run.total.accepted, 600_000);
    after = await rejectedSize(engine, db);
  } finally {
    await stop(proc);
  }

  // durable: count on a fresh collector; hostile requests acknowledge no event
  proc = await startCollector({ port, db });
  let stored;
  try {
    stored = await waitStored(port, token, run.total.accepted, 120_000);
  } finally {
    await stop(proc);
  }
  if (engine === 'postgres') await (await ctx.postgres()).dropDatabase('bench_hostile');
  else removeSqlite(db);
  const acknowledged = run.total.accepted;
  const storedEvents = stored.orders + stored.carts;
  const rates = phased.rates();
  if (rates.clean.length === 0) throw new Error(`the run ended before a whole round of ${PHASES.length} phases (${acknowledged} events acknowledged): size it longer`);
  const out = {
    clean: { eventsPerSec: mean(rates.clean), phases: rates.clean },
    mixed: { eventsPerSec: mean(rates.mixed), phases: rates.mixed, statuses: run.statuses },
    ratio: mean(rates.mixed) / mean(rates.clean),
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
  const phases = quick ? PHASE_COUNT / 2 : PHASE_COUNT;
  // the warm-up's rate, which sizes the run, is well below the run's once the collector is warm
  // (SQLite: up to half): the run is sized for twice its phases, so it outlasts them
  const seconds = Math.ceil(((phases + 1) * PHASE_MS * 2) / 1000);
  const connections = 50;
  const out = { seconds, phaseCount: phases, phaseMs: PHASE_MS, settleMs: SETTLE_MS, phases: PHASES, connections, perRequest: PER_REQUEST, hostileEvery: HOSTILE_EVERY, kinds: KINDS, engines: {} };
  if (!collectorBuilt()) return { ...out, skipped: 'the collector is not built (collector/dist/collector/src/cli.js missing)' };
  for (const engine of ['sqlite', 'postgres']) {
    try {
      out.engines[engine] = await engineRun(engine, ctx, { seconds, phases, connections });
    } catch (e) {
      log(`hostile ${engine} failed: ${e.message}`);
      out.engines[engine] = { error: String(e.message ?? e).slice(0, 1500) };
    }
  }
  return out;
}
