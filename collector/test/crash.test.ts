// Durability (docs/collector.md, "Ingest"): a collector under concurrent load is killed with
// SIGKILL, on both engines, wherever it was: appending, between the append and the
// projection, or projecting. After a restart every event it had acknowledged is there once,
// and the aggregates agree with the rows.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/store.js';
import { BIN, requireBuilt } from './helpers/build.js';
import { ENGINES, createTestDatabase, type TestDatabase } from './helpers/engines.js';
import { batch, item } from './helpers/fixtures.js';

const CUSTOMER = '555';

describe.each(ENGINES)('kill -9 under load on %s', (engine) => {
  let dir: string;
  let db: string;
  let test: TestDatabase;

  function serve(): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], { cwd: dir, env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve({ child, url: m[1] });
      });
      child.on('exit', (code, signal) => reject(new Error(`collector exited (${code ?? signal}) before listening: ${out}`)));
    });
  }

  beforeAll(async () => {
    requireBuilt();
    dir = await mkdtemp(join(tmpdir(), 'emarsys-crash-'));
    test = await createTestDatabase(engine);
    db = test.url;
    const store = await openStore(db);
    await store.customers.add({ customerId: CUSTOMER, name: 'Crash Shop', currency: 'EUR', abandonAfterSeconds: null }, Date.now());
    await store.close();
  }, 120_000);
  afterAll(async () => {
    await test.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged event', async () => {
    const { child, url } = await serve();
    const acknowledged = new Set<string>();
    let sent = 0;
    let stop = false;
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const ids = Array.from({ length: 5 }, (_, k) => `W${w}-${n}-${k}`);
        const events = ids.map((orderId) => ({
          type: 'order',
          id: `ev-${orderId}`,
          orderId,
          time: Date.now(),
          visitor: `v-${w}`,
          total: '12.34',
          items: [item('A', '6.17', 2)],
          attribution: { emst: `C${w % 3}.u${w}`, at: Date.now() },
        }));
        sent += ids.length;
        try {
          const res = await fetch(`${url}/v1/events`, { method: 'POST', body: batch(CUSTOMER, events), headers: { 'content-type': 'text/plain' } });
          const body = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
          if (res.status === 200 && body.accepted + body.duplicates === ids.length) ids.forEach((id) => acknowledged.add(id));
        } catch {
          return; // the collector is gone
        }
      }
    };
    const workers = Array.from({ length: 12 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 1500));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    stop = true;
    await exited;
    await Promise.all(workers);
    expect(acknowledged.size).toBeGreaterThan(100);
    expect(sent).toBeGreaterThanOrEqual(acknowledged.size);

    // restarted: everything acknowledged is there, and the aggregates match the rows
    const again = await serve();
    try {
      const store = await openStore(db);
      try {
        // what was answered and not yet projected when the collector died is projected now
        while ((await store.events.pendingSince?.(CUSTOMER)) != null) await new Promise((r) => setTimeout(r, 50));
        const rows = await store.db.all<{ order_id: string }>('SELECT order_id FROM orders WHERE customer_id = $1', [CUSTOMER]);
        const stored = new Set(rows.map((r) => r.order_id));
        const missing = [...acknowledged].filter((id) => !stored.has(id));
        expect(missing).toEqual([]);
        const items = await store.db.get<{ n: bigint }>('SELECT COUNT(*) AS n FROM order_items WHERE customer_id = $1', [CUSTOMER]);
        expect(Number(items?.n)).toBe(stored.size);
        const stats = await store.db.get<{ orders: bigint; revenue: bigint }>(
          'SELECT SUM(orders) AS orders, SUM(revenue) AS revenue FROM daily_stats WHERE customer_id = $1',
          [CUSTOMER],
        );
        expect(Number(stats?.orders)).toBe(stored.size);
        expect(BigInt(String(stats?.revenue))).toBe(BigInt(stored.size) * 123_400n);
      } finally {
        await store.close();
      }
      const res = await fetch(`${again.url}/v1/events`, {
        method: 'POST',
        body: batch(CUSTOMER, [{ type: 'order', id: 'ev-after', orderId: 'AFTER', time: Date.now(), visitor: 'v', total: 1, items: [] }]),
      });
      expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    } finally {
      again.child.kill('SIGKILL');
    }
  });
});
