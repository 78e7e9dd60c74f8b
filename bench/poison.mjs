// Applying with poison: the same events applied through the real log and projector, clean
// and with one entry in every 200 that the tables refuse (a trigger refuses its SKU), on both
// engines, in four runs (clean, poisoned, poisoned, clean). The failing entry is found inside
// its batch and set aside; the bar is the poisoned runs' apply rate at least half the clean
// ones' (docs/collector.md, "Ingest: log, then project").
import { join } from 'node:path';
import { COLLECTOR_DIST, cacheDir, log, now } from './lib/util.mjs';
import { removeSqlite } from './lib/collector.mjs';

const { openStore } = await import(join(COLLECTOR_DIST, 'store', 'store.js'));
const { toRecord } = await import(join(COLLECTOR_DIST, 'ingest', 'normalize.js'));
const { checkEvent } = await import(join(COLLECTOR_DIST, 'validation', 'events.js'));

const EVERY = 200;
const TRIGGER = {
  sqlite: "CREATE TRIGGER poison BEFORE INSERT ON order_items WHEN NEW.sku = 'POISON' BEGIN SELECT RAISE(ABORT, 'poisoned item'); END",
  postgres: `CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF NEW.sku = 'POISON' THEN RAISE EXCEPTION 'poisoned item'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER poison BEFORE INSERT ON order_items FOR EACH ROW EXECUTE FUNCTION poison()`,
};

function events(customer, n, poisoned, tag) {
  const t = Date.now() - 60_000;
  return Array.from({ length: n }, (_, i) => {
    const raw = {
      type: 'order',
      id: `${tag}-e${i}`,
      orderId: `${tag}-o${i}`,
      time: t,
      visitor: `v${i % 300}`,
      total: '29.90',
      items: [{ sku: poisoned && i % EVERY === 137 ? 'POISON' : 'A', price: '9.95', quantity: 2 }, { sku: 'B', price: '10.00', quantity: 1 }],
      attribution: { emst: `C${i % 5}.u${i % 400}`, at: t },
    };
    const c = checkEvent(raw, 'event');
    if (!c.ok) throw new Error(JSON.stringify(c.error));
    return toRecord(c.value, customer, t, 'sdk');
  });
}

/** Seconds from the first append until every event is applied. */
async function applyRun(engine, ctx, poisoned, n, tag) {
  const pgName = `bench_poison_${tag}`;
  const db = engine === 'sqlite' ? join(cacheDir('poison'), `${tag}.db`) : await (await ctx.postgres()).createDatabase(pgName);
  if (engine === 'sqlite') removeSqlite(db);
  const store = await openStore(db);
  try {
    await store.customers.add({ customerId: 'p1', name: 'Poison', currency: 'EUR', abandonAfterSeconds: null }, Date.now());
    const customer = await store.customers.get('p1');
    if (poisoned) await store.db.immediate.exec(TRIGGER[engine]);
    const all = events(customer, n, poisoned, tag);
    const t0 = now();
    const writes = [];
    for (let i = 0; i < all.length; i += 50) writes.push(store.events.writeGroup([{ customerId: 'p1', events: all.slice(i, i + 50), rejects: [] }]));
    await Promise.all(writes);
    // a read waits until every answered event is applied
    const row = await store.db.get('SELECT COUNT(*) AS n FROM orders WHERE customer_id = $1', ['p1']);
    const seconds = (now() - t0) / 1000;
    const setAside = (await store.rejected.list('p1', 1000)).filter((r) => r.reason.includes('poisoned item')).length;
    return { events: n, seconds, stored: Number(row.n), setAside };
  } finally {
    await store.close();
    if (engine === 'sqlite') removeSqlite(db);
    else await (await ctx.postgres()).dropDatabase(pgName);
  }
}

/** Runs of each kind, in turn (ABBA): a slow moment of the shared machine weighs on both alike. */
const ORDER = [false, true, true, false];

export async function runPoison(ctx, opts = {}) {
  const n = opts.quick ? 2000 : 6000;
  // each run applies its share of the events to a database of its own
  const perRun = (n * 2) / ORDER.length;
  const out = { events: n, every: EVERY, runs: ORDER.length, engines: {} };
  const sum = (xs, f) => xs.reduce((a, x) => a + f(x), 0);
  const kind = (xs) => ({ seconds: sum(xs, (x) => x.seconds), eventsPerSec: sum(xs, (x) => x.events) / sum(xs, (x) => x.seconds), stored: sum(xs, (x) => x.stored), setAside: sum(xs, (x) => x.setAside) });
  for (const engine of ['sqlite', 'postgres']) {
    const runs = { clean: [], poisoned: [] };
    for (const [k, poisoned] of ORDER.entries()) runs[poisoned ? 'poisoned' : 'clean'].push(await applyRun(engine, ctx, poisoned, perRun, `${engine}_${k}_${Date.now()}`));
    const clean = kind(runs.clean);
    const poisoned = kind(runs.poisoned);
    const ratio = poisoned.eventsPerSec / clean.eventsPerSec;
    log(`poison ${engine}: clean ${clean.eventsPerSec.toFixed(0)} events/s, poisoned ${poisoned.eventsPerSec.toFixed(0)} events/s (${ratio.toFixed(2)}), set aside ${poisoned.setAside}, stored ${poisoned.stored}`);
    out.engines[engine] = { clean, poisoned, ratio, expectedAside: runs.poisoned.length * Math.ceil((perRun - 137) / EVERY) };
  }
  return out;
}
