// Ingest throughput: autocannon against the real collector on SQLite with realistic order
// and cart events, single events and batches of 10, next to a bare node:http server
// answering 204 in the same run (PostgreSQL, with one and two collectors: scale.mjs). After each collector run the collector
// is restarted on the same database and the stored events are counted: they must equal the
// events it acknowledged. Then one more SQLite run under `node --cpu-prof` shows where the
// time goes.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { measureLoad } from './lib/load.mjs';
import { batchFactory, WARM_CUSTOMER_ID } from './lib/events.mjs';
import { collectorBuilt, startBareServer, startCollector, stop } from './lib/proc.mjs';
import { countStored, prepareDb, removeSqlite } from './lib/collector.mjs';
import { summarizeProfile } from './lib/profile.mjs';
import { cacheDir, freePort, log, sleep } from './lib/util.mjs';

export const SHAPES = [
  { id: 'single', perRequest: 1, label: '1 event per request' },
  { id: 'batch10', perRequest: 10, label: 'batches of 10 events' },
];

function factories(shape, tag) {
  return {
    factory: batchFactory({ perRequest: shape.perRequest, prefix: `${tag}-${Date.now().toString(36)}` }),
    warmFactory: batchFactory({ perRequest: shape.perRequest, prefix: `w${tag}-${Date.now().toString(36)}`, customerId: WARM_CUSTOMER_ID }),
  };
}

export async function freshDb(engine, name, ctx) {
  if (engine === 'sqlite') {
    const path = join(cacheDir('ingest'), `${name}.db`);
    removeSqlite(path);
    return path;
  }
  const pg = await ctx.postgres();
  return pg.createDatabase(`bench_ingest_${name}`);
}

/**
 * Removes what freshDb made: a run's tables, still to be vacuumed and analyzed, would
 * otherwise load the database server during the next run's measurement.
 */
async function dropDb(engine, name, ctx, db) {
  if (engine === 'sqlite') removeSqlite(db);
  else await (await ctx.postgres()).dropDatabase(`bench_ingest_${name}`);
}

/** Polls the reports until they hold `events` orders and carts (or `timeoutMs` passed); answers the last count. */
export async function waitStored(port, token, events, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const stored = await countStored(port, token);
    if (stored.orders + stored.carts >= events || performance.now() > deadline) return stored;
    await sleep(100);
  }
}

/**
 * Load on `collectors` collector processes sharing one fresh database (as behind a load
 * balancer), at the rate `offered` picks from the warm-up's (see measureLoad); then how long until the
 * reports hold every acknowledged event, and whether a freshly started collector finds
 * exactly those (durable, none doubled).
 */
export async function collectorRun(engine, shape, ctx, { seconds, connections, collectors = 1, offered, name = `${engine}_${shape.id}${collectors > 1 ? `_x${collectors}` : ''}` }) {
  const db = await freshDb(engine, name, ctx);
  const token = await prepareDb(db);
  const ports = await Promise.all(Array.from({ length: collectors }, () => freePort()));
  const procs = [];
  let run;
  try {
    for (const port of ports) procs.push(await startCollector({ port, db }));
    const { factory, warmFactory } = factories(shape, `${name}`);
    const label = `${engine}${collectors > 1 ? ` ×${collectors} collectors` : ''}, ${shape.label}${offered ? ', at a fixed rate' : ''}`;
    const dbPid = engine === 'postgres' ? (await ctx.postgres()).pid() : undefined;
    run = await measureLoad({ ports, factory, warmFactory, connections, seconds, offered, label, pid: procs.map((p) => p.child.pid), dbPid });
    // The answered events may be applied behind the answers (SQLite's ingest queue; reports
    // wait for it): the time until a report holds them all is the lag after the load.
    const t0 = performance.now();
    const seen = await waitStored(ports[0], token, run.total.accepted, 60_000);
    run.caughtUpMs = seen.orders + seen.carts >= run.total.accepted ? performance.now() - t0 : null;
  } finally {
    for (const proc of procs) await stop(proc);
  }
  // Durable means it survives the process: count on a freshly started collector.
  const proc = await startCollector({ port: ports[0], db });
  try {
    const stored = await countStored(ports[0], token);
    const storedEvents = stored.orders + stored.carts;
    run.durability = {
      acknowledged: run.total.accepted,
      duplicates: run.total.duplicates,
      stored: storedEvents,
      storedOrders: stored.orders,
      storedCarts: stored.carts,
      sentEvents: run.total.sent * shape.perRequest,
      unacknowledgedRequests: run.total.sent - run.total.ok,
      equal: storedEvents === run.total.accepted,
      noneLost: storedEvents >= run.total.accepted,
    };
    log(`${name}: acknowledged ${run.total.accepted}, stored ${storedEvents}`);
  } finally {
    await stop(proc);
    await dropDb(engine, name, ctx, db);
  }
  return run;
}

async function profileRun(ctx, opts) {
  const dir = cacheDir('profiles', String(Date.now()));
  const shape = SHAPES[0];
  const db = await freshDb('sqlite', 'profile', ctx);
  await prepareDb(db);
  const port = await freePort();
  const proc = await startCollector({ port, db, cpuProfDir: dir });
  let run;
  try {
    const { factory, warmFactory } = factories(shape, 'prof');
    run = await measureLoad({ port, factory, warmFactory, connections: opts.connections, seconds: opts.profileSeconds, warmSeconds: 1, label: 'sqlite under --cpu-prof' });
  } finally {
    await stop(proc);
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) return { error: `no .cpuprofile written in ${dir} (the collector did not exit normally?)` };
  const file = join(dir, files.sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0]);
  // only the measured load: start-up, warm-up and shutdown left out
  const summary = summarizeProfile(file, { top: 20, ...run.window });
  // keep only the latest profile directory around
  for (const old of readdirSync(cacheDir('profiles'))) if (join(cacheDir('profiles'), old) !== dir) rmSync(join(cacheDir('profiles'), old), { recursive: true, force: true });
  return { file, rps: run.rps, ...summary };
}

/** The bare server, every shape; `when` labels the run (before / after the collector runs). */
export async function bareRuns(when, { connections, seconds, shapes = SHAPES }) {
  const port = await freePort();
  const bare = await startBareServer(port);
  const out = {};
  try {
    for (const shape of shapes) {
      const { factory, warmFactory } = factories(shape, `bare${when}${shape.id}`);
      out[shape.id] = await measureLoad({ port, factory, warmFactory, connections, seconds, label: `bare node:http 204 (${when}), ${shape.label}`, pid: bare.child.pid });
    }
  } finally {
    await stop(bare);
  }
  return out;
}

/**
 * What one durable commit costs on this machine: the floor under any durable ingest.
 * SQLite in WAL mode with synchronous = FULL (as the collector opens it), and PostgreSQL
 * with its defaults, each committing one small row per transaction.
 */
async function commitFloor(ctx, engines, n = 200) {
  const out = {};
  const Database = (await import('better-sqlite3')).default;
  const path = join(cacheDir('ingest'), 'commit-floor.db');
  removeSqlite(path);
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      db.exec('BEGIN IMMEDIATE');
      ins.run('x'.repeat(600));
      db.exec('COMMIT');
    }
    out.sqlite = (performance.now() - t0) / n;
  } finally {
    db.close();
    removeSqlite(path);
  }
  if (engines.includes('postgres')) {
    const pgServer = await ctx.postgres().catch(() => null);
    if (!pgServer) return out;
    const url = await pgServer.createDatabase('bench_commit_floor');
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query('CREATE TABLE t (id SERIAL PRIMARY KEY, v TEXT)');
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        await c.query('BEGIN');
        await c.query('INSERT INTO t (v) VALUES ($1)', ['x'.repeat(600)]);
        await c.query('COMMIT');
      }
      out.postgres = (performance.now() - t0) / n;
    } finally {
      await c.end();
      await pgServer.dropDatabase('bench_commit_floor');
    }
  }
  log(`one durable commit: ${Object.entries(out).map(([k, v]) => `${k} ${v.toFixed(2)} ms`).join(', ')}`);
  return out;
}

export async function runIngest(ctx, { quick = false } = {}) {
  const seconds = quick ? 2 : 6;
  const profileSeconds = quick ? 2 : 3;
  // Enough requests in flight to keep a group-committing server busy, as many shoppers at
  // once would (with 10, the collector sits idle waiting between commits).
  const connections = 50;
  // PostgreSQL has its own part (`pg-ingest`), which keeps the whole bench within its 10 minutes
  const engines = ['sqlite'];
  // The baseline is measured before and after the collector runs; the higher figure counts,
  // so a quieter moment on a shared machine never flatters the collector.
  const before = await bareRuns('before', { connections, seconds });
  const out = { connections, seconds, shapes: SHAPES, baseline: {}, bare: { before }, engines: {} };
  const pickBaseline = () => {
    for (const shape of SHAPES) {
      const runs = [out.bare.before?.[shape.id], out.bare.after?.[shape.id]].filter(Boolean);
      out.baseline[shape.id] = runs.reduce((a, b) => (b.rps > a.rps ? b : a));
    }
  };
  pickBaseline();
  if (!collectorBuilt()) return { ...out, skipped: 'the collector is not built (collector/dist/collector/src/cli.js missing)' };
  try {
    out.commitFloorMs = await commitFloor(ctx, ['sqlite', 'postgres']);
  } catch (e) {
    out.commitFloorMs = { error: String(e.message ?? e) };
  }
  for (const engine of engines) {
    out.engines[engine] = {};
    for (const shape of SHAPES) {
      try {
        out.engines[engine][shape.id] = await collectorRun(engine, shape, ctx, { seconds, connections });
      } catch (e) {
        log(`ingest ${engine} ${shape.id} failed: ${e.message}`);
        out.engines[engine][shape.id] = { error: String(e.message ?? e).slice(0, 1500) };
      }
    }
  }
  try {
    out.profile = await profileRun(ctx, { connections, profileSeconds });
  } catch (e) {
    out.profile = { error: String(e.message ?? e).slice(0, 1500) };
  }
  out.bare.after = await bareRuns('after', { connections, seconds });
  pickBaseline();
  for (const byShape of Object.values(out.engines)) {
    for (const shape of SHAPES) if (byShape[shape.id] && !byShape[shape.id].error) byShape[shape.id].ratio = byShape[shape.id].rps / out.baseline[shape.id].rps;
  }
  return out;
}
