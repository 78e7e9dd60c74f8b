import pg from 'pg';
import { readFileSync } from 'node:fs';
import { startPostgres } from '../lib/pg.mjs';
import { copyFrom, copyLines } from '../lib/pg-copy.mjs';
import { reportChunks, Aggregates } from '../generate.mjs';
const cpu = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const p = await startPostgres();
await p.bulkMode(true);
const url = await p.createDatabase('bench_cpu');
const c = new pg.Client({ connectionString: url }); await c.connect();
await c.query(`CREATE TABLE orders (customer_id TEXT NOT NULL, order_id TEXT NOT NULL, time BIGINT, received_at BIGINT, campaign_id TEXT, contact_uid TEXT, email TEXT, buyer TEXT, total BIGINT, currency TEXT, tax BIGINT, shipping BIGINT, city TEXT, country TEXT, item_count INTEGER, source TEXT, visitor TEXT, session_id TEXT, cart_id TEXT, event_id TEXT, PRIMARY KEY (customer_id, order_id))`);
const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p;
const cols = ['customer_id', 'order_id', 'time', 'received_at', 'campaign_id', 'contact_uid', 'email', 'buyer', 'total', 'currency', 'tax', 'shipping', 'city', 'country', 'item_count', 'source', 'visitor', 'session_id', 'cart_id', 'event_id'];
const chunks = [...reportChunks({ orders: 200000, carts: 60000, campaigns: 100, days: 365, contacts: 40000 }, Date.now(), new Aggregates())].map(ch => copyLines(ch.orders));
for (const freeze of [false, true]) {
  await c.query('BEGIN'); await c.query('TRUNCATE orders');
  const c0 = cpu(pid); const n0 = process.cpuUsage(); const t = performance.now();
  for (const ch of chunks) await copyFrom(c, 'orders', cols, [ch], freeze);
  await c.query('COMMIT');
  const n = process.cpuUsage(n0);
  console.log('freeze', freeze, 'wall', (performance.now() - t).toFixed(0), 'backend cpu ms', cpu(pid) - c0, 'node cpu ms', ((n.user + n.system) / 1000).toFixed(0));
}
await c.end(); await p.dropDatabase('bench_cpu'); await p.bulkMode(false); await p.stop();
