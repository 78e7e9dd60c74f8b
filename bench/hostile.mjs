// Hostile mix: good SDK traffic (batches of 10 events) alone, then with one request in ten
// hostile, against the same collector in the same run (SQLite, then PostgreSQL). Hostile
// requests rotate through out-of-range amounts, malformed JSON, unknown customers and
// 500 KiB bodies, each a different body (as an attacker varies them, so none is counted as a
// repeat). Reported: the good events' rate in the mix over the clean rate (bar ≥ 0.8), stored
// = acknowledged for the good traffic (counted on a restarted collector), and the
// rejected-events table's growth in bytes per hostile request.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureLoad } from './lib/load.mjs';
import { batchFactory, CUSTOMER_ID, WARM_CUSTOMER_ID } from './lib/events.mjs';
import { collectorBuilt, startCollector, stop } from './lib/proc.mjs';
import { countStored, prepareDb, removeSqlite } from './lib/collector.mjs';
import { COLLECTOR_DIST, cacheDir, freePort, log } from './lib/util.mjs';

const PER_REQUEST = 10;
const HOSTILE_EVERY = 10;
const KINDS = ['out-of-range amounts', 'malformed JSON', 'unknown customer', '500 KiB body'];
const PAD = 'x'.repeat(500 * 1024);

/** Good batches from `good`, every tenth request hostile (kinds in turn); counts what it made. */
function mixFactory(good, prefix) {
  let n = 0;
  const made = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const hostile = (i) => {
    const kind = KINDS[i % KINDS.length];
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

/** Bytes of rejected_events and its indexes, read through the built collector's store (the collector stopped). */
async function rejectedBytes(db) {
  const { openStore } = await import(pathToFileURL(join(COLLECTOR_DIST, 'store', 'store.js')).href);
  const store = await openStore(db);
  try {
    return { bytes: await store.rejected.tableBytes(), rows: (await store.rejected.list(undefined, 1_000_000)).length };
  } finally {
    await store.close();
  }
}

async function engineRun(engine, ctx, { seconds, connections }) {
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
  const warmFactory = () => batchFactory({ perRequest: PER_REQUEST, prefix: `w${tag}-${Math.random().toString(36).slice(2, 8)}`, customerId: WARM_CUSTOMER_ID });

  let proc = await startCollector({ port, db });
  let clean;
  try {
    clean = await measureLoad({ port, factory: batchFactory({ perRequest: PER_REQUEST, prefix: `c${tag}` }), warmFactory: warmFactory(), connections, seconds, label: `${engine}, clean`, pid: proc.child.pid });
  } finally {
    await stop(proc);
  }
  const before = await rejectedBytes(db);

  proc = await startCollector({ port, db });
  const mix = mixFactory(batchFactory({ perRequest: PER_REQUEST, prefix: `m${tag}` }), `m${tag}`);
  let mixed;
  let hostileBefore;
  try {
    // the warm-up is clean (another customer), so only the measured run's hostile requests count
    hostileBefore = mix.hostile;
    mixed = await measureLoad({ port, factory: mix, warmFactory: warmFactory(), connections, seconds, label: `${engine}, one in ${HOSTILE_EVERY} hostile`, pid: proc.child.pid });
  } finally {
    await stop(proc);
  }
  const after = await rejectedBytes(db);
  const hostileRequests = mix.hostile - hostileBefore;

  // durable: count on a fresh collector; hostile requests acknowledge no event
  proc = await startCollector({ port, db });
  let stored;
  try {
    stored = await countStored(port, token);
  } finally {
    await stop(proc);
  }
  if (engine === 'postgres') await (await ctx.postgres()).dropDatabase('bench_hostile');
  else removeSqlite(db);
  const acknowledged = clean.total.accepted + mixed.total.accepted;
  const storedEvents = stored.orders + stored.carts;
  const out = {
    clean: { rps: clean.rps, eventsPerSec: clean.eventsPerSec, p99: clean.latency.p99, statuses: clean.statuses },
    mixed: { rps: mixed.rps, eventsPerSec: mixed.eventsPerSec, p99: mixed.latency.p99, statuses: mixed.statuses, requests: mixed.requests },
    ratio: mixed.eventsPerSec / clean.eventsPerSec,
    hostileRequests,
    hostileKinds: mix.made,
    acknowledged,
    stored: storedEvents,
    equal: storedEvents === acknowledged,
    rejected: { bytesBefore: before.bytes, bytesAfter: after.bytes, rowsBefore: before.rows, rowsAfter: after.rows, bytesPerHostile: hostileRequests ? (after.bytes - before.bytes) / hostileRequests : null },
  };
  log(`${engine} hostile mix: ratio ${out.ratio.toFixed(2)}, acknowledged ${acknowledged}, stored ${storedEvents}, rejected +${after.bytes - before.bytes} B for ${hostileRequests} hostile requests`);
  return out;
}

export async function runHostile(ctx, { quick = false } = {}) {
  const seconds = quick ? 2 : 5;
  const connections = 50;
  const out = { seconds, connections, perRequest: PER_REQUEST, hostileEvery: HOSTILE_EVERY, kinds: KINDS, engines: {} };
  if (!collectorBuilt()) return { ...out, skipped: 'the collector is not built (collector/dist/collector/src/cli.js missing)' };
  for (const engine of ['sqlite', 'postgres']) {
    try {
      out.engines[engine] = await engineRun(engine, ctx, { seconds, connections });
    } catch (e) {
      log(`hostile ${engine} failed: ${e.message}`);
      out.engines[engine] = { error: String(e.message ?? e).slice(0, 1500) };
    }
  }
  return out;
}
