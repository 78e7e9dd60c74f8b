// Preparing a collector database through the CLI (customers, an ecommerce-admin user and
// its API token) and reading it back through the HTTP API.
import { rmSync } from 'node:fs';
import { runCli } from './proc.mjs';
import { CUSTOMER_ID, WARM_CUSTOMER_ID } from './events.mjs';

/** Removes a SQLite database with its WAL and shared-memory files, and its ingest queue's. */
export function removeSqlite(path) {
  for (const file of [path, `${path}-queue`]) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

/** Registers the bench customers and an ecommerce-admin; returns the user's API token. */
export async function prepareDb(db, { customers = [CUSTOMER_ID, WARM_CUSTOMER_ID] } = {}) {
  for (const c of customers) await runCli(['customers', 'add', c, '--name', `Bench ${c}`, '--currency', 'EUR', '--db', db]);
  const out = await runCli(['users', 'add', 'bench@example.com', '--customer', customers[0], '--role', 'ecommerce-admin', '--db', db]);
  const m = /^token:\s*(\S+)\s*$/m.exec(out);
  if (!m) throw new Error(`users add printed no "token: …" line:\n${out}`);
  return m[1];
}

export async function apiGet(port, token, path, { timeoutMs = 60_000 } = {}) {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/customers/${CUSTOMER_ID}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
  return { body: JSON.parse(text), ms, bytes: text.length };
}

/** Every row of a paged JSON report. */
export async function apiAll(port, token, path) {
  const rows = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const { body } = await apiGet(port, token, `${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    rows.push(...body.rows);
    cursor = body.next;
    if (!cursor) break;
  }
  return rows;
}

/** Orders and carts stored for the bench customer, read back through the reports. */
export async function countStored(port, token) {
  const summary = await apiAll(port, token, '/summary?attributed=all');
  const orders = await apiGet(port, token, '/orders?attributed=all&limit=1');
  return {
    orders: orders.body.total,
    carts: summary.reduce((s, r) => s + (r.carts ?? 0), 0),
    ordersInSummary: summary.reduce((s, r) => s + (r.orders ?? 0), 0),
  };
}
