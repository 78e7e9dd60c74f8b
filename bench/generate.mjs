// Generates report-scale data straight into the collector's schema (SQLite or PostgreSQL):
// orders with items, carts (ordered, recovered, abandoned) over many campaigns and a year,
// the campaign and contact directory, refunds and cancellations, and the aggregates the
// collector keeps beside them (daily_stats, buyer_days, campaign_buyers, campaign_totals,
// attribution_days, click_days), exactly as its write path (collector/src/store/events.ts,
// stats.ts, refunds.ts) would have left them. Clicks are generated as their per-day counts
// only (click_days: what the summary reads for whole days), not as click rows.
//
// Fast: rows are made in chunks and loaded with prepared statements in one transaction
// (SQLite) or COPY (PostgreSQL), with the secondary indexes dropped during the load and
// rebuilt after. The result is cached under os.tmpdir(), keyed by the schema (the
// collector's migrations), this file and the dataset size, so re-runs skip generation.
// seen_events (de-duplication of event IDs) is not filled: no report reads it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import pg from 'pg';
import { prepareDb, removeSqlite } from './lib/collector.mjs';
import { CUSTOMER_ID } from './lib/events.mjs';
import { copyFrom, copyLines } from './lib/pg-copy.mjs';
import { COLLECTOR_DIST, cacheDir, log, rng } from './lib/util.mjs';

export const DAY = 86_400_000;
const SCALE = 10_000; // money is stored as integers scaled by 10^4 (collector/src/store/types.ts)

export const FULL = { orders: 1_000_000, carts: 300_000, campaigns: 100, days: 365, contacts: 200_000 };
export const QUICK = { orders: 20_000, carts: 6_000, campaigns: 100, days: 365, contacts: 5_000 };

const CATEGORIES = ['Shoes', 'Shirts', 'Jackets', 'Bags', 'Accessories', 'Kitchen', 'Garden', 'Books', 'Toys', 'Beauty'];
const ADJ = ['Classic', 'Slim', 'Organic', 'Vintage', 'Premium', 'Everyday', 'Travel', 'Outdoor', 'Soft', 'Bold'];
const NOUN = ['Sneaker', 'Oxford Shirt', 'Rain Jacket', 'Tote Bag', 'Wallet', 'Chef Knife', 'Watering Can', 'Notebook', 'Puzzle', 'Face Cream'];
const CITIES = [['Budapest', 'HU'], ['Vienna', 'AT'], ['Berlin', 'DE'], ['Munich', 'DE'], ['Paris', 'FR'], ['Madrid', 'ES'], ['Milan', 'IT'], ['Warsaw', 'PL']];
const LINES = [0.35, 0.65, 0.83, 0.93, 1]; // cumulative: 1 to 5 item lines per order

const ORDER_COLS = ['customer_id', 'order_id', 'time', 'received_at', 'campaign_id', 'contact_uid', 'email', 'buyer', 'total', 'currency', 'tax', 'shipping', 'city', 'country', 'item_count', 'source', 'visitor', 'session_id', 'cart_id', 'event_id'];
const ITEM_COLS = ['customer_id', 'order_id', 'line', 'time', 'campaign_id', 'sku', 'name', 'category', 'price', 'quantity'];
const CART_COLS = ['customer_id', 'cart_id', 'state', 'time', 'received_at', 'campaign_id', 'contact_uid', 'email', 'total', 'currency', 'tax', 'shipping', 'city', 'country', 'item_count', 'items', 'visitor', 'session_id', 'source', 'event_id', 'abandoned_at', 'closed_at', 'order_id'];
const DAILY_COLS = ['customer_id', 'campaign_id', 'day', 'currency', 'orders', 'revenue', 'item_lines', 'carts', 'converted', 'abandoned', 'abandoned_value', 'recovered', 'refunded_orders', 'refunded'];
/** How each order was attributed and what it had refunded (migrations 8 and 9), after contact_key. */
const ORDER_OUTCOME_COLS = ['attribution', 'click_at', 'refunded', 'cancelled_at'];
const REFUND_COLS = ['customer_id', 'order_id', 'refund_id', 'amount', 'currency', 'items', 'reason', 'cancel', 'created_at'];
const BULK_TABLES = ['orders', 'order_items', 'carts'];
const AGG_TABLES = ['daily_stats', 'buyer_days', 'campaign_buyers', 'campaign_totals', 'attribution_days', 'click_days', 'refunds'];
/** Filled when the schema has it (migration 2): u:<contactUid>, else e:<lower-cased email>, else ''. */
const CONTACT_KEY = 'contact_key';
const contactKey = (uid, email) => (uid ? `u:${uid}` : email ? `e:${email.toLowerCase()}` : '');

/** The campaign IDs of a dataset; the first has the most orders (the worst case for a filter). */
export function campaignIds(n) {
  return Array.from({ length: n }, (_, i) => String(5001 + i));
}

/** Bump when the generated data changes (rows, distributions, aggregates). */
const GENERATOR_VERSION = 5;

/** The schema (the collector's migrations) + the generator's version + the dataset: the cache key. */
export async function datasetKey(ds, kind) {
  const { MIGRATIONS } = await import(pathToFileURL(join(COLLECTOR_DIST, 'store', 'migrations.js')).href);
  const h = createHash('sha1');
  h.update(JSON.stringify(MIGRATIONS.map((m) => [m.version, m.sql])));
  h.update(JSON.stringify({ GENERATOR_VERSION, ds, kind }));
  return `v${MIGRATIONS[MIGRATIONS.length - 1].version}-${h.digest('hex').slice(0, 10)}`;
}

// ------------------------------------------------------------------ rows

function makeItems(r, lines) {
  const items = [];
  for (let l = 0; l < lines; l++) {
    const n = Math.floor(r() * NOUN.length);
    items.push({
      sku: `SKU-${n}${Math.floor(r() * 400).toString().padStart(3, '0')}`,
      name: `${ADJ[Math.floor(r() * ADJ.length)]} ${NOUN[n]}`,
      category: CATEGORIES[n],
      price: (500 + Math.floor(r() * 19500)) * (SCALE / 100), // 5.00 to 199.99, in whole cents
      quantity: 1 + Math.floor(r() * r() * 4),
    });
  }
  return items;
}

/** The value of the first [upTo, value] pair whose upTo exceeds `x` (cumulative shares). */
const pick = (x, shares) => shares.find(([upTo]) => x < upTo)[1];

function linesFor(r) {
  const x = r();
  return LINES.findIndex((c) => x < c) + 1;
}

/** Who the order or cart is from: campaign (10 % direct traffic, skewed over campaigns), contact, email. */
function person(r, ds, campaigns) {
  const direct = r() < 0.1;
  const k = Math.floor(r() * ds.contacts);
  const campaignId = direct ? '' : campaigns[Math.floor(ds.campaigns * r() * r())];
  const contactUid = direct ? '' : `u${k}`;
  // most events carry the email; the rest are resolved through the contact directory
  const email = r() < 0.85 ? `contact${k}@mail.example` : null;
  const visitor = `v${Math.floor(r() * 4e9).toString(36)}`;
  const [city, country] = CITIES[Math.floor(r() * CITIES.length)];
  return { campaignId, contactUid, email, visitor, city, country };
}

/**
 * The aggregates the collector keeps beside the rows, accumulated as its write path does
 * (collector/src/store/events.ts and stats.ts): daily_stats, and per order buyer_days,
 * campaign_buyers and campaign_totals.
 */
export class Aggregates {
  daily = new Map();
  attributions = new Map();
  clicks = new Map();
  refunds = [];
  buyerDays = new Set();
  campaignBuyers = new Set();
  totals = new Map();
  at(campaignId, time, currency) {
    const key = `${campaignId}\u0000${Math.floor(time / DAY)}\u0000${currency}`;
    let d = this.daily.get(key);
    if (!d) this.daily.set(key, (d = { orders: 0, revenue: 0, itemLines: 0, carts: 0, converted: 0, abandoned: 0, abandonedValue: 0, recovered: 0, refundedOrders: 0, refunded: 0 }));
    return d;
  }
  attributed(o) {
    const key = `${o.campaign_id}\u0000${String(Math.floor(o.time / DAY)).padStart(8, '0')}\u0000${o.currency}\u0000${o.attribution ?? 'none'}`;
    let a = this.attributions.get(key);
    if (!a) this.attributions.set(key, (a = { orders: 0, revenue: 0, refunded: 0 }));
    return a;
  }
  order(o, lines, buyer) {
    const d = this.at(o.campaign_id, o.time, o.currency);
    d.orders++;
    d.revenue += o.total;
    d.itemLines += lines;
    const a = this.attributed(o);
    a.orders++;
    a.revenue += o.total;
    this.buyerDays.add(`${o.campaign_id}\u0000${o.currency}\u0000${Math.floor(o.time / DAY)}\u0000${buyer}`);
    const cb = `${o.campaign_id}\u0000${o.currency}\u0000${buyer}`;
    const fresh = !this.campaignBuyers.has(cb);
    if (fresh) this.campaignBuyers.add(cb);
    const tk = `${o.campaign_id}\u0000${o.currency}`;
    const t = this.totals.get(tk);
    if (!t) this.totals.set(tk, { buyers: fresh ? 1 : 0, first: o.time, last: o.time });
    else {
      if (fresh) t.buyers++;
      t.first = Math.min(t.first, o.time);
      t.last = Math.max(t.last, o.time);
    }
  }
  /** `n` clicks on the campaign's links on the day of `time` */
  click(campaignId, time, n) {
    const key = `${campaignId}\u0000${String(Math.floor(time / DAY)).padStart(8, '0')}`;
    this.clicks.set(key, (this.clicks.get(key) ?? 0) + n);
  }
  /** A refund of `amount` (the whole rest when `cancelledAt`), booked to the order's own campaign and day. */
  refund(o, orderId, amount, createdAt, cancelledAt) {
    const d = this.at(o.campaign_id, o.time, o.currency);
    d.refundedOrders++;
    d.refunded += amount;
    this.attributed(o).refunded += amount;
    const reason = cancelledAt === null ? 'returned' : null;
    this.refunds.push([CUSTOMER_ID, orderId, `gen-r-${orderId}`, amount, o.currency, null, reason, cancelledAt === null ? 0 : 1, createdAt]);
  }
  cart(c) {
    if (c.item_count <= 0) return;
    const d = this.at(c.campaign_id, c.time, c.currency);
    d.carts++;
    if (c.state === 'ordered' || c.state === 'recovered') d.converted++;
    if (c.state === 'abandoned') {
      d.abandoned++;
      d.abandonedValue += c.total;
    }
    if (c.state === 'recovered') d.recovered++;
  }
  /** Rows per table, in primary-key order (so SQLite appends to its B-trees). */
  tables() {
    const split = (set) => [...set].sort().map((k) => [CUSTOMER_ID, ...k.split('\u0000')]);
    return {
      daily_stats: {
        cols: DAILY_COLS,
        rows: [...this.daily.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, d]) => {
          const [campaignId, day, currency] = k.split('\u0000');
          return [CUSTOMER_ID, campaignId, Number(day), currency, d.orders, d.revenue, d.itemLines, d.carts, d.converted, d.abandoned, d.abandonedValue, d.recovered, d.refundedOrders, d.refunded];
        }),
      },
      attribution_days: {
        cols: ['customer_id', 'campaign_id', 'day', 'currency', 'attribution', 'orders', 'revenue', 'refunded'],
        rows: [...this.attributions.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, a]) => {
          const [campaignId, day, currency, attribution] = k.split('\u0000');
          return [CUSTOMER_ID, campaignId, Number(day), currency, attribution, a.orders, a.revenue, a.refunded];
        }),
      },
      click_days: {
        cols: ['customer_id', 'campaign_id', 'day', 'clicks'],
        rows: [...this.clicks.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, n]) => [CUSTOMER_ID, ...k.split('\u0000').map((v, i) => (i === 1 ? Number(v) : v)), n]),
      },
      refunds: { cols: REFUND_COLS, rows: [...this.refunds].sort((a, b) => (a[1] < b[1] ? -1 : 1)) },
      buyer_days: { cols: ['customer_id', 'campaign_id', 'currency', 'day', 'buyer'], rows: split(this.buyerDays).map((r) => [r[0], r[1], r[2], Number(r[3]), r[4]]) },
      campaign_buyers: { cols: ['customer_id', 'campaign_id', 'currency', 'buyer'], rows: split(this.campaignBuyers) },
      campaign_totals: {
        cols: ['customer_id', 'campaign_id', 'currency', 'buyers', 'first_time', 'last_time'],
        rows: [...this.totals.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, t]) => [CUSTOMER_ID, ...k.split('\u0000'), t.buyers, t.first, t.last]),
      },
    };
  }
}

const cartItemsJson = (items) => JSON.stringify(items.map((i) => ({ sku: i.sku, name: i.name, category: i.category, price: String(i.price), quantity: i.quantity })));

/**
 * Yields chunks { orders, items, carts } of row arrays (columns as in ORDER_COLS, …) for the
 * report dataset, oldest first. Carts: 63 % closed by an order (5 % of those recovered after
 * being abandoned), the rest abandoned; none left open (the sweep would change cached data).
 */
export function* reportChunks(ds, anchor, daily, chunk = 25_000) {
  const r = rng(20240601);
  const campaigns = campaignIds(ds.campaigns);
  const start = anchor - ds.days * DAY;
  const span = ds.days * DAY - 2 * 3_600_000;
  const linkedCarts = Math.round(ds.carts * 0.63);
  const linkEvery = Math.max(1, Math.floor(ds.orders / linkedCarts));
  const abandonedCarts = ds.carts - linkedCarts;
  let linked = 0;
  let orders = [];
  let items = [];
  let carts = [];
  const emit = () => {
    const out = { orders, items, carts };
    orders = [];
    items = [];
    carts = [];
    return out;
  };
  // abandoned carts are spread evenly between the orders' chunks
  let abandonedMade = 0;
  const abandonedPerOrder = abandonedCarts / ds.orders;
  for (let i = 0; i < ds.orders; i++) {
    const p = person(r, ds, campaigns);
    const time = Math.floor(start + ((i + r()) * span) / ds.orders);
    const receivedAt = time + 500 + Math.floor(r() * 3000);
    const lines = linesFor(r);
    const its = makeItems(r, lines);
    const subtotal = its.reduce((s, x) => s + x.price * x.quantity, 0);
    const shipping = subtotal > 100 * SCALE ? 0 : 49_000;
    const total = subtotal + shipping;
    const itemCount = its.reduce((s, x) => s + x.quantity, 0);
    const orderId = `O${String(i).padStart(8, '0')}`;
    const buyer = p.contactUid ? `u:${p.contactUid}` : p.email ? `e:${p.email}` : `v:${p.visitor}`;
    let cartId = '';
    if (linked < linkedCarts && i % linkEvery === 0) {
      linked++;
      cartId = `K${String(i).padStart(8, '0')}`;
      const recovered = r() < 0.05;
      const cartTime = time - (recovered ? 45 + Math.floor(r() * 180) : 3 + Math.floor(r() * 25)) * 60_000;
      const cartReceived = cartTime + 800;
      const c = {
        cart_id: cartId,
        state: recovered ? 'recovered' : 'ordered',
        time: cartTime,
        campaign_id: p.campaignId,
        currency: 'EUR',
        total,
        item_count: itemCount,
      };
      daily.cart(c);
      carts.push([CUSTOMER_ID, cartId, c.state, cartTime, cartReceived, p.campaignId, p.contactUid, p.email, total, 'EUR', Math.round(subtotal * 0.2), shipping, p.city, p.country, itemCount, cartItemsJson(its), p.visitor, `s${i.toString(36)}`, 'sdk', `gen-c-${cartId}`, recovered ? cartReceived + 30 * 60_000 : null, receivedAt, orderId, contactKey(p.contactUid, p.email)]);
    }
    // attributed orders: mostly by the cookie, the rest recovered from the visitor's or contact's
    // click; about 12 clicks per attributed order; 4 % of orders partly refunded, 1 % cancelled
    const how = p.campaignId === '' ? null : pick(r(), [[0.85, 'cookie'], [0.93, 'visitor'], [1, 'contact']]);
    const clickAt = how === null ? null : time - Math.floor(r() * 3 * DAY);
    const o = { campaign_id: p.campaignId, time, currency: 'EUR', total, attribution: how };
    daily.order(o, lines, buyer);
    if (clickAt !== null) daily.click(p.campaignId, clickAt, 6 + Math.floor(r() * 12));
    const fate = r();
    const cancelledAt = fate < 0.01 ? receivedAt + 2 * DAY : null;
    const refunded = cancelledAt !== null ? total : fate < 0.05 ? Math.floor(total / 300) * 100 : 0;
    if (refunded > 0) daily.refund(o, orderId, refunded, receivedAt + 3 * DAY, cancelledAt);
    orders.push([CUSTOMER_ID, orderId, time, receivedAt, p.campaignId, p.contactUid, p.email, buyer, total, 'EUR', Math.round(subtotal * 0.2), shipping, p.city, p.country, itemCount, 'sdk', p.visitor, `s${i.toString(36)}`, cartId, `gen-o-${orderId}`, contactKey(p.contactUid, p.email), how, clickAt, refunded, cancelledAt]);
    its.forEach((it, l) => items.push([CUSTOMER_ID, orderId, l + 1, time, p.campaignId, it.sku, it.name, it.category, it.price, it.quantity]));

    while (abandonedMade < Math.floor((i + 1) * abandonedPerOrder)) {
      const a = person(r, ds, campaigns);
      const t = Math.floor(start + r() * span);
      const aits = makeItems(r, 1 + Math.floor(r() * 4));
      const sub = aits.reduce((s, x) => s + x.price * x.quantity, 0);
      const ship = sub > 100 * SCALE ? 0 : 49_000;
      const id = `A${String(abandonedMade).padStart(8, '0')}`;
      const c = { cart_id: id, state: 'abandoned', time: t, campaign_id: a.campaignId, currency: 'EUR', total: sub + ship, item_count: aits.reduce((s, x) => s + x.quantity, 0) };
      daily.cart(c);
      carts.push([CUSTOMER_ID, id, 'abandoned', t, t + 700, a.campaignId, a.contactUid, a.email, c.total, 'EUR', Math.round(sub * 0.2), ship, a.city, a.country, c.item_count, cartItemsJson(aits), a.visitor, `sa${abandonedMade.toString(36)}`, 'sdk', `gen-a-${id}`, t + 700 + 30 * 60_000, null, null, contactKey(a.contactUid, a.email)]);
      abandonedMade++;
    }
    if (orders.length >= chunk) yield emit();
  }
  if (orders.length || carts.length) yield emit();
}

/** `n` open carts with items, all past the abandon timeout, for the sweep bench. */
function* openCartChunks(n, anchor, daily, chunk = 25_000) {
  const r = rng(777);
  const campaigns = campaignIds(100);
  let carts = [];
  for (let i = 0; i < n; i++) {
    const p = person(r, { campaigns: 100, contacts: 100_000 }, campaigns);
    // received between 2 days and 1 hour before the anchor: all due for a 30 minute timeout
    const t = anchor - 2 * DAY + Math.floor((i * (2 * DAY - 3_600_000)) / n);
    const its = makeItems(r, 1 + Math.floor(r() * 4));
    const sub = its.reduce((s, x) => s + x.price * x.quantity, 0);
    const c = { cart_id: `S${String(i).padStart(8, '0')}`, state: 'open', time: t, campaign_id: p.campaignId, currency: 'EUR', total: sub, item_count: its.reduce((s, x) => s + x.quantity, 0) };
    daily.cart(c);
    carts.push([CUSTOMER_ID, c.cart_id, 'open', t, t + 600, p.campaignId, p.contactUid, p.email, sub, 'EUR', Math.round(sub * 0.2), 0, p.city, p.country, c.item_count, cartItemsJson(its), p.visitor, `so${i.toString(36)}`, 'sdk', `gen-s-${c.cart_id}`, null, null, null, contactKey(p.contactUid, p.email)]);
    if (carts.length >= chunk) {
      yield { orders: [], items: [], carts };
      carts = [];
    }
  }
  if (carts.length) yield { orders: [], items: [], carts };
}

// ------------------------------------------------------------------ loaders

function directoryRows(ds, anchor) {
  const campaigns = campaignIds(ds.campaigns).map((id, i) => [CUSTOMER_ID, id, `Newsletter ${2026 - Math.floor(i / 52)} week ${(i % 52) + 1}`, anchor]);
  const contacts = Array.from({ length: ds.contacts }, (_, k) => [CUSTOMER_ID, `u${k}`, `contact${k}@mail.example`, anchor]);
  return { campaigns, contacts };
}

/** Logs how long each phase of a load took. */
function phases(what) {
  let t = performance.now();
  return (name) => {
    const now = performance.now();
    log(`  ${what}: ${name} ${((now - t) / 1000).toFixed(1)} s`);
    t = now;
  };
}

/** The order columns the schema has: contact_key (migration 2) and then the outcome columns (9), when there. */
const orderColumns = (has) => (has(CONTACT_KEY) ? [...ORDER_COLS, CONTACT_KEY, ...(has('refunded') ? ORDER_OUTCOME_COLS : [])] : ORDER_COLS);

/** The generated rows carry contact_key and the outcome columns last; without them in the schema they are dropped. */
function fitRows(rows, cols) {
  for (const r of rows) r.length = cols.length;
  return rows;
}

const DIRECTORY_TABLES = ['campaigns', 'contacts'];

/** Inserts rows through multi-row INSERT statements (far fewer calls into SQLite). */
function sqliteInserter(db, table, cols, per = 100) {
  const one = `(${cols.map(() => '?').join(', ')})`;
  const many = db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${Array(per).fill(one).join(', ')}`);
  const single = db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${one}`);
  return (rows) => {
    let i = 0;
    for (; i + per <= rows.length; i += per) many.run(rows.slice(i, i + per).flat());
    for (; i < rows.length; i++) single.run(rows[i]);
  };
}

async function loadSqlite(path, chunks, { aggregates, directory }) {
  const phase = phases('sqlite');
  const db = new Database(path);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('cache_size = -1000000');
    db.pragma('temp_store = MEMORY');
    const filled = [...BULK_TABLES, ...AGG_TABLES, ...DIRECTORY_TABLES];
    const indexes = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${filled.map((t) => `'${t}'`).join(', ')})`)
      .all();
    const has = (table, col) => db.prepare(`SELECT 1 FROM pragma_table_info('${table}') WHERE name = ?`).get(col) !== undefined;
    const orderCols = orderColumns((col) => has('orders', col));
    const cartCols = has('carts', CONTACT_KEY) ? [...CART_COLS, CONTACT_KEY] : CART_COLS;
    const insOrders = sqliteInserter(db, 'orders', orderCols);
    const insCarts = sqliteInserter(db, 'carts', cartCols);
    const ins = { orders: (rows) => insOrders(fitRows(rows, orderCols)), order_items: sqliteInserter(db, 'order_items', ITEM_COLS), carts: (rows) => insCarts(fitRows(rows, cartCols)) };
    const counts = { orders: 0, items: 0, carts: 0 };
    db.exec('BEGIN');
    for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);
    for (const c of chunks) {
      ins.orders(c.orders);
      ins.order_items(c.items);
      ins.carts(c.carts);
      counts.orders += c.orders.length;
      counts.items += c.items.length;
      counts.carts += c.carts.length;
    }
    if (directory) {
      sqliteInserter(db, 'campaigns', ['customer_id', 'campaign_id', 'name', 'updated_at'])(directory.campaigns);
      sqliteInserter(db, 'contacts', ['customer_id', 'contact_uid', 'email', 'updated_at'])(directory.contacts);
    }
    phase('rows');
    for (const [table, { cols, rows }] of Object.entries(aggregates.tables())) sqliteInserter(db, table, cols)(rows);
    phase('aggregates');
    for (const ix of indexes) db.exec(ix.sql);
    db.exec('COMMIT');
    phase('indexes');
    db.pragma('locking_mode = NORMAL');
    db.pragma('journal_mode = WAL');
    return counts;
  } finally {
    db.close();
  }
}

async function loadPostgres(url, chunks, { aggregates, directory }) {
  const phase = phases('postgres');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("SET maintenance_work_mem = '512MB'");
    // One transaction that starts by truncating what it fills: under the bulk-load settings
    // (lib/pg.mjs) PostgreSQL then writes those tables without WAL.
    await c.query('BEGIN');
    const filled = [...BULK_TABLES, ...AGG_TABLES, ...(directory ? DIRECTORY_TABLES : [])];
    await c.query(`TRUNCATE ${filled.join(', ')}`);
    // secondary indexes and primary keys are rebuilt after the load (a sort instead of
    // millions of B-tree insertions)
    const { rows: indexes } = await c.query(
      `SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i
       WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
         AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`,
      [filled],
    );
    const { rows: keys } = await c.query(
      `SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE contype = 'p' AND connamespace = current_schema()::regnamespace AND conrelid::regclass::text = ANY($1)`,
      [filled],
    );
    for (const ix of indexes) await c.query(`DROP INDEX ${ix.name}`);
    for (const k of keys) await c.query(`ALTER TABLE ${k.tbl} DROP CONSTRAINT ${k.name}`);
    const { rows: keyCols } = await c.query(
      'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = ANY($1)',
      [[CONTACT_KEY, 'refunded']],
    );
    const withKey = new Set(keyCols.filter((r) => r.column_name === CONTACT_KEY).map((r) => r.table_name));
    const orderCols = orderColumns((col) => keyCols.some((r) => r.table_name === 'orders' && r.column_name === col));
    const cartCols = withKey.has('carts') ? [...CART_COLS, CONTACT_KEY] : CART_COLS;
    const counts = { orders: 0, items: 0, carts: 0 };
    for (const ch of chunks) {
      if (ch.orders.length) await copyFrom(c, 'orders', orderCols, [copyLines(fitRows(ch.orders, orderCols))], true);
      if (ch.items.length) await copyFrom(c, 'order_items', ITEM_COLS, [copyLines(ch.items)], true);
      if (ch.carts.length) await copyFrom(c, 'carts', cartCols, [copyLines(fitRows(ch.carts, cartCols))], true);
      counts.orders += ch.orders.length;
      counts.items += ch.items.length;
      counts.carts += ch.carts.length;
    }
    if (directory) {
      await copyFrom(c, 'campaigns', ['customer_id', 'campaign_id', 'name', 'updated_at'], [copyLines(directory.campaigns)], true);
      await copyFrom(c, 'contacts', ['customer_id', 'contact_uid', 'email', 'updated_at'], [copyLines(directory.contacts)], true);
    }
    phase('rows');
    for (const [table, { cols, rows }] of Object.entries(aggregates.tables())) {
      for (let i = 0; i < rows.length; i += 50_000) await copyFrom(c, table, cols, [copyLines(rows.slice(i, i + 50_000))], true);
    }
    phase('aggregates');
    for (const k of keys) await c.query(`ALTER TABLE ${k.tbl} ADD CONSTRAINT ${k.name} ${k.def}`);
    for (const ix of indexes) await c.query(ix.sql);
    await c.query('COMMIT');
    phase('indexes');
    // COPY FREEZE left the pages all-visible, as a VACUUM would; the statistics are what
    // autovacuum would gather soon after such a load
    await c.query('ANALYZE');
    phase('analyze');
    return counts;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await c.end();
  }
}

function load(engine, target, chunks, extra) {
  return engine === 'sqlite' ? loadSqlite(target, chunks, extra) : loadPostgres(target, chunks, extra);
}

// ------------------------------------------------------------------ entry points

/** Removes cached SQLite datasets of other keys (they are large). */
function dropOtherCaches(kind, key) {
  for (const d of readdirSync(cacheDir(kind), { withFileTypes: true })) {
    if (d.isDirectory() && d.name !== key && /^v\d+-/.test(d.name)) rmSync(join(cacheDir(kind), d.name), { recursive: true, force: true });
  }
}

/**
 * The report dataset on `engine`, generated unless cached. Answers { db, token, meta, cached, seconds }.
 * `pg` is the bench's PostgreSQL (lib/pg.mjs) for engine 'postgres'.
 */
export async function reportDataset(engine, { quick = false, dataset, pg: pgServer } = {}) {
  const ds = dataset ?? (quick ? QUICK : FULL);
  const key = await datasetKey(ds, 'reports');
  const dir = cacheDir('reports', key);
  const metaFile = join(dir, `${engine}.json`);
  const dbName = `bench_reports_${key.replace(/[^a-z0-9]/gi, '_')}`;
  const target = engine === 'sqlite' ? join(dir, 'reports.db') : pgServer.url(dbName);
  if (existsSync(metaFile) && (engine === 'sqlite' ? existsSync(target) : await pgServer.exists(dbName))) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    return { db: target, token: meta.token, meta, cached: true, seconds: meta.seconds };
  }
  // stale data of other schema versions or generator versions goes first
  if (engine === 'postgres') {
    for (const old of await pgServer.listDatabases('bench_reports_')) if (old !== dbName) await pgServer.dropDatabase(old);
  } else dropOtherCaches('reports', key);
  const t0 = performance.now();
  if (engine === 'sqlite') removeSqlite(target);
  else await pgServer.createDatabase(dbName);
  const token = await prepareDb(target, { customers: [CUSTOMER_ID] });
  const anchor = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const daily = new Aggregates();
  log(`generating ${ds.orders.toLocaleString('en-US')} orders and ${ds.carts.toLocaleString('en-US')} carts into ${engine}…`);
  if (engine === 'postgres') await pgServer.bulkMode(true);
  let counts;
  try {
    counts = await load(engine, target, reportChunks(ds, anchor, daily), { aggregates: daily, directory: directoryRows(ds, anchor) });
  } finally {
    if (engine === 'postgres') await pgServer.bulkMode(false);
  }
  const seconds = (performance.now() - t0) / 1000;
  const linkedCarts = Math.round(ds.carts * 0.63);
  const expected = { orders: ds.orders, carts: ds.carts, abandoned: ds.carts - linkedCarts };
  const meta = { key, engine, dataset: ds, anchor, token, seconds, counts, expected, campaigns: campaignIds(ds.campaigns) };
  writeFileSync(metaFile, JSON.stringify(meta, null, 2));
  log(`generated ${engine}: ${counts.orders} orders, ${counts.items} items, ${counts.carts} carts in ${seconds.toFixed(1)} s`);
  return { db: target, token, meta, cached: false, seconds };
}

/** reportDataset('sqlite', …) in a worker thread. */
export function reportDatasetInWorker(options) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./lib/dataset-worker.mjs', import.meta.url), { workerData: { engine: 'sqlite', options } });
    w.once('message', (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`dataset worker exited ${code}`)));
  });
}

/**
 * A fresh database holding `n` expired open carts (for the sweep). The generated original
 * is cached; each call answers a copy (SQLite: a file copy; PostgreSQL: CREATE DATABASE …
 * TEMPLATE), since the sweep changes it.
 */
export async function sweepDataset(engine, { n, pg: pgServer } = {}) {
  const ds = { openCarts: n };
  const key = await datasetKey(ds, 'sweep');
  const dir = cacheDir('sweep', key);
  const metaFile = join(dir, `${engine}.json`);
  const dbName = `bench_sweep_${key.replace(/[^a-z0-9]/gi, '_')}`;
  const original = engine === 'sqlite' ? join(dir, 'sweep.db') : pgServer.url(dbName);
  let meta;
  if (existsSync(metaFile) && (engine === 'sqlite' ? existsSync(original) : await pgServer.exists(dbName))) {
    meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  } else {
    if (engine === 'postgres') {
      for (const old of await pgServer.listDatabases('bench_sweep_')) if (old !== dbName) await pgServer.dropDatabase(old);
    } else dropOtherCaches('sweep', key);
    const t0 = performance.now();
    if (engine === 'sqlite') removeSqlite(original);
    else await pgServer.createDatabase(dbName);
    await prepareDb(original, { customers: [CUSTOMER_ID] });
    const anchor = Date.now();
    const daily = new Aggregates();
    log(`generating ${n.toLocaleString('en-US')} expired open carts into ${engine}…`);
    if (engine === 'postgres') await pgServer.bulkMode(true);
    let counts;
    try {
      counts = await load(engine, original, openCartChunks(n, anchor, daily), { aggregates: daily });
    } finally {
      if (engine === 'postgres') await pgServer.bulkMode(false);
    }
    meta = { key, engine, anchor, counts, seconds: (performance.now() - t0) / 1000 };
    writeFileSync(metaFile, JSON.stringify(meta, null, 2));
  }
  let db;
  if (engine === 'sqlite') {
    db = join(cacheDir('sweep'), 'sweep-run.db');
    removeSqlite(db);
    const src = new Database(original, { readonly: true });
    try {
      await src.backup(db);
    } finally {
      src.close();
    }
  } else {
    const copy = 'bench_sweep_run';
    await pgServer.dropDatabase(copy);
    const c = new pg.Client({ connectionString: pgServer.url('postgres') });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${copy} TEMPLATE ${dbName}`);
    } finally {
      await c.end();
    }
    db = pgServer.url(copy);
  }
  return { db, meta, cleanup: () => (engine === 'sqlite' ? removeSqlite(db) : pgServer.dropDatabase('bench_sweep_run')) };
}

