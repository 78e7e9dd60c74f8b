import Database from 'better-sqlite3';
import { reportChunks, Aggregates } from '../generate.mjs';
const rows = []; const items = [];
for (const c of reportChunks({ orders: 100000, carts: 30000, campaigns: 100, days: 365, contacts: 40000 }, Date.now(), new Aggregates())) { rows.push(...c.orders); items.push(...c.items); }
const cols = ['customer_id', 'order_id', 'time', 'received_at', 'campaign_id', 'contact_uid', 'email', 'buyer', 'total', 'currency', 'tax', 'shipping', 'city', 'country', 'item_count', 'source', 'visitor', 'session_id', 'cart_id', 'event_id'];
for (const per of [1, 10, 100]) {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE orders (customer_id TEXT NOT NULL, order_id TEXT NOT NULL, time BIGINT, received_at BIGINT, campaign_id TEXT, contact_uid TEXT, email TEXT, buyer TEXT, total BIGINT, currency TEXT, tax BIGINT, shipping BIGINT, city TEXT, country TEXT, item_count INTEGER, source TEXT, visitor TEXT, session_id TEXT, cart_id TEXT, event_id TEXT, PRIMARY KEY (customer_id, order_id))`);
  const one = `(${cols.map(() => '?').join(',')})`;
  const st = db.prepare(`INSERT INTO orders VALUES ${Array(per).fill(one).join(',')}`);
  const c0 = process.cpuUsage(); const t = performance.now();
  db.exec('BEGIN');
  for (let i = 0; i + per <= rows.length; i += per) per === 1 ? st.run(rows[i]) : st.run(rows.slice(i, i + per).flat());
  db.exec('COMMIT');
  const cpu = process.cpuUsage(c0);
  console.log(per, 'wall', (performance.now() - t).toFixed(0), 'cpu', ((cpu.user + cpu.system) / 1000).toFixed(0));
  db.close();
}
