// Ingest throughput: autocannon against the real collector (SQLite, then PostgreSQL) with
// realistic order and cart events, single events and batches of 10, next to a bare
// node:http server answering 204 in the same run. After each collector run the collector
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
import { cacheDir, freePort, log } from './lib/util.mjs';

const SHAPES = [
  { id: 'single', perRequest: 1, label: '1 event per request' },
  { id: 'batch10', perRequest: 10, label: 'batches of 10 events' },
];

function factories(shape, tag) {
  return {
    factory: batchFactory({ perRequest: shape.perRequest, prefix: `${tag}-${Date.now().toString(36)}` }),
    warmFactory: batchFactory({ perRequest: shape.perRequest, prefix: `w${tag}-${Date.now().toString(36)}`, customerId: WARM_CUSTOMER_ID }),
  };
}

async function freshDb(engine, name, ctx) {
  if (engine === 'sqlite') {
    const path = join(cacheDir('ingest'), `${name}.db`);
    removeSqlite(path);
    return path;
  }
  const pg = await ctx.postgres();
  return pg.createDatabase(`bench_ingest_${name}`);
}

async function collectorRun(engine, shape, ctx, opts) {
  const db = await freshDb(engine, `${engine}_${shape.id}`, ctx);
  const token = await prepareDb(db);
  const port = await freePort();
  let proc = await startCollector({ port, db });
  let run;
  try {
    const { factory, warmFactory } = factories(shape, `${engine}${shape.id}`);
    run = await measureLoad({ port, factory, warmFactory, connections: opts.connections, seconds: opts.seconds, label: `${engine}, ${shape.label}` });
  } finally {
    await stop(proc);
  }
  // Durable means it survives the process: count on a freshly started collector.
  proc = await startCollector({ port, db });
  try {
    const stored = await countStored(port, token);
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
    log(`${engine} ${shape.id}: acknowledged ${run.total.accepted}, stored ${storedEvents}`);
  } finally {
    await stop(proc);
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
  const summary = summarizeProfile(file, { top: 20 });
  // keep only the latest profile directory around
  for (const old of readdirSync(cacheDir('profiles'))) if (join(cacheDir('profiles'), old) !== dir) rmSync(join(cacheDir('profiles'), old), { recursive: true, force: true });
  return { file, rps: run.rps, ...summary };
}

export async function runIngest(ctx, { quick = false } = {}) {
  const seconds = quick ? 2 : 8;
  const profileSeconds = quick ? 2 : 6;
  const connections = 10;
  const engines = ['sqlite', 'postgres'];
  const baseline = {};
  const port = await freePort();
  const bare = await startBareServer(port);
  try {
    for (const shape of SHAPES) {
      const { factory, warmFactory } = factories(shape, `bare${shape.id}`);
      baseline[shape.id] = await measureLoad({ port, factory, warmFactory, connections, seconds, label: `bare node:http 204, ${shape.label}` });
    }
  } finally {
    await stop(bare);
  }
  const out = { connections, seconds, shapes: SHAPES, baseline, engines: {} };
  if (!collectorBuilt()) return { ...out, skipped: 'the collector is not built (collector/dist/collector/src/cli.js missing)' };
  for (const engine of engines) {
    out.engines[engine] = {};
    for (const shape of SHAPES) {
      try {
        const r = await collectorRun(engine, shape, ctx, { seconds, connections });
        r.ratio = r.rps / baseline[shape.id].rps;
        out.engines[engine][shape.id] = r;
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
  return out;
}
