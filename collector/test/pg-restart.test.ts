// PostgreSQL restarted (fast shutdown, then start) while two collector processes take load:
// both keep running, answer 503 with Retry-After while the database is away, reconnect by
// themselves, and every acknowledged order is stored exactly once (docs/collector.md,
// "When the database restarts").
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/store.js';
import { BIN, requireBuilt } from './helpers/build.js';
import { startCluster, type Cluster } from './helpers/cluster.js';
import { addUser, batch, item } from './helpers/fixtures.js';

const CUSTOMER = 'restart1';
const ORDERS_PER_REQUEST = 3;
let cluster: Cluster;
let url: string;
let token: string;
const collectors: { child: ChildProcess; url: string; log: string[] }[] = [];

function serve(): Promise<{ child: ChildProcess; url: string; log: string[] }> {
  // the per-customer limit off: eight senders on a fast machine pass 6,000 events in a minute, and the limit is not what this tests
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--rate-limit-customer', '0', '--db', url], { env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], log });
    });
    child.on('exit', (code, signal) => reject(new Error(`collector exited (${code ?? signal}) before listening: ${out}${log.join('')}`)));
  });
}

beforeAll(async () => {
  requireBuilt();
  cluster = await startCluster();
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE restart');
  await admin.end();
  url = cluster.adminUrl.replace(/\/postgres$/, '/restart');
  const store = await openStore(url);
  await store.customers.add({ customerId: CUSTOMER, name: 'Restart Shop', currency: 'EUR', abandonAfterSeconds: null }, Date.now());
  token = (await addUser(store, CUSTOMER)).token;
  await store.close();
  collectors.push(await serve(), await serve());
}, 120_000);

afterAll(async () => {
  for (const c of collectors) c.child.kill('SIGKILL');
  await cluster?.destroy();
});

/** Answers seen, by kind: what the SDK would have done with each. */
const seen = { ok: 0, unavailable: 0, retryAfter: 0, refused: 0, other: [] as string[] };

/**
 * Sends one request's orders the way the SDK does: the same event IDs again after a 503 or a
 * failed connection, until acknowledged or the deadline passes. Answers whether acknowledged.
 */
async function deliver(base: string, orderIds: string[], deadline: number): Promise<boolean> {
  const events = orderIds.map((orderId) => ({ type: 'order', id: `ev-${orderId}`, orderId, time: Date.now(), visitor: 'v', total: '12.34', items: [item('A', '6.17', 2)] }));
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/v1/events`, { method: 'POST', body: batch(CUSTOMER, events), headers: { 'content-type': 'text/plain' } });
      const body = (await res.json()) as { accepted: number; duplicates: number };
      if (res.status === 200 && body.accepted + body.duplicates === orderIds.length) {
        seen.ok++;
        return true;
      }
      if (res.status !== 503) {
        seen.other.push(`${res.status} ${JSON.stringify(body)}`);
        return false;
      }
      seen.unavailable++;
      if (res.headers.get('retry-after')) seen.retryAfter++;
    } catch {
      seen.refused++; // the SDK retries a failed connection too
    }
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 100));
  }
  return false;
}

/** A report read (its API token is checked in the database first). */
async function readReport(base: string) {
  const res = await fetch(`${base}/api/v1/customers/${CUSTOMER}/orders?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), error: ((await res.json()) as { error?: string }).error };
}

describe('PostgreSQL restarted under load', () => {
  it('keeps both collectors running and every acknowledged order stored once', async () => {
    const acknowledged = new Set<string>();
    const unacknowledged: string[] = [];
    let stop = false;
    const deadline = Date.now() + 40_000;
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const ids = Array.from({ length: ORDERS_PER_REQUEST }, (_, k) => `W${w}-${n}-${k}`);
        const ok = await deliver(collectors[(w + n) % 2].url, ids, deadline);
        for (const id of ids) (ok ? acknowledged.add(id) : unacknowledged.push(id));
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 1500));
    const before = acknowledged.size;
    await cluster.server.stop(); // SIGINT: PostgreSQL's fast shutdown
    await new Promise((r) => setTimeout(r, 500));
    const reportsDown = await Promise.all(collectors.map((c) => readReport(c.url)));
    await new Promise((r) => setTimeout(r, 1000));
    await cluster.server.start();
    await new Promise((r) => setTimeout(r, 2500));
    stop = true;
    await Promise.all(workers);

    for (const c of collectors) expect(c.child.exitCode, c.log.join('').slice(-2000)).toBeNull();
    // every route, not only ingest: a report read checks its token in the database
    for (const r of reportsDown) expect(r).toEqual({ status: 503, retryAfter: '2', error: 'unavailable' });
    for (const c of collectors) expect(await readReport(c.url)).toEqual({ status: 200, retryAfter: null, error: undefined });
    expect(before).toBeGreaterThan(30);
    expect(seen.unavailable).toBeGreaterThan(0); // the outage was seen, and answered 503…
    expect(seen.retryAfter).toBe(seen.unavailable); // …always with Retry-After
    expect(seen.other).toEqual([]);
    expect(unacknowledged).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(before); // taken again after the restart
    for (const c of collectors) {
      // the outage's 503s are short warnings, never errors with a stack each; the ingest
      // threads' own lines are JSON like the rest
      const lines = c.log.join('').split('\n').filter((l) => l.includes('emarsys-collector: ') || l.startsWith('{'));
      const parsed = lines.map((l) => JSON.parse(l) as { level: number; msg: string; err?: unknown; reqId?: string });
      const answered503 = parsed.filter((l) => l.reqId !== undefined && /not reachable right now/.test(l.msg ?? ''));
      expect(answered503.length).toBeGreaterThan(0);
      expect(answered503.filter((l) => l.level >= 50 || l.err !== undefined)).toEqual([]);
    }

    // stored once each: ingest may project behind the answer, so wait until it has caught up
    const store = await openStore(url);
    try {
      let stored: string[] = [];
      for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
        stored = (await store.db.all<{ order_id: string }>('SELECT order_id FROM orders WHERE customer_id = $1', [CUSTOMER])).map((r) => r.order_id);
        if (stored.length >= acknowledged.size) break;
      }
      const storedSet = new Set(stored);
      expect([...acknowledged].filter((id) => !storedSet.has(id))).toEqual([]);
      expect(stored.length).toBe(acknowledged.size);
      const stats = await store.db.get<{ orders: string; revenue: string }>('SELECT SUM(orders) AS orders, SUM(revenue) AS revenue FROM daily_stats WHERE customer_id = $1', [CUSTOMER]);
      expect(Number(stats?.orders)).toBe(acknowledged.size);
      expect(BigInt(stats!.revenue)).toBe(BigInt(acknowledged.size) * 123_400n);
      const items = await store.db.get<{ n: string }>('SELECT COUNT(*) AS n FROM order_items WHERE customer_id = $1', [CUSTOMER]);
      expect(Number(items?.n)).toBe(acknowledged.size);
    } finally {
      await store.close();
    }
  }, 60_000);
});
