// Versioned schema migrations, the same SQL on both engines, applied at start in one
// transaction (PostgreSQL: under an advisory lock, so collectors starting together are safe).
//
// Tenant-first (docs/scale.md): every table carries customer_id and every primary key, unique key
// and index leads with it. The one exception is schema_migrations, which describes the
// database itself.
import { backfillContacts } from './backfill.js';
import type { Database, Sql } from './database.js';
import { reshapeRejected } from './rejected.js';

export interface Migration {
  version: number;
  name: string;
  /** `{{without_rowid}}` becomes `WITHOUT ROWID` on SQLite and nothing on PostgreSQL. */
  sql: string;
  /** data to move after the SQL, in the same transaction */
  after?: (tx: Sql, dialect: Database['dialect']) => Promise<void>;
  /** only for this engine (elsewhere the version is recorded and nothing runs) */
  engine?: Database['engine'];
  /** more SQL for one engine only, run after `sql` and before `after` */
  engineSql?: Partial<Record<Database['engine'], string>>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE customers (
  customer_id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  abandon_after_seconds INTEGER,
  created_at BIGINT NOT NULL
);

CREATE TABLE users (
  customer_id TEXT NOT NULL,
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, email)
);

CREATE TABLE api_tokens (
  customer_id TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  email TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, token_hash)
);
CREATE INDEX api_tokens_user ON api_tokens (customer_id, email);

CREATE TABLE sessions (
  customer_id TEXT NOT NULL,
  session_hash TEXT NOT NULL,
  email TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, session_hash)
);
CREATE INDEX sessions_expiry ON sessions (customer_id, expires_at);

CREATE TABLE campaigns (
  customer_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  name TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, campaign_id)
);

CREATE TABLE contacts (
  customer_id TEXT NOT NULL,
  contact_uid TEXT NOT NULL,
  email TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, contact_uid)
);

CREATE TABLE seen_events (
  customer_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, event_id)
) {{without_rowid}};

CREATE TABLE orders (
  customer_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  time BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  campaign_id TEXT NOT NULL,
  contact_uid TEXT NOT NULL,
  email TEXT,
  buyer TEXT NOT NULL,
  total BIGINT NOT NULL,
  currency TEXT NOT NULL,
  tax BIGINT,
  shipping BIGINT,
  city TEXT,
  country TEXT,
  item_count INTEGER NOT NULL,
  source TEXT NOT NULL,
  visitor TEXT NOT NULL,
  session_id TEXT,
  cart_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (customer_id, order_id)
);
CREATE INDEX orders_time ON orders (customer_id, time, order_id);
CREATE INDEX orders_attributed ON orders (customer_id, time, order_id) WHERE campaign_id <> '';
CREATE INDEX orders_campaign ON orders (customer_id, campaign_id, time, order_id);
CREATE INDEX orders_cart ON orders (customer_id, cart_id) WHERE cart_id <> '';
CREATE INDEX orders_visitor ON orders (customer_id, visitor, time);

CREATE TABLE order_items (
  customer_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  time BIGINT NOT NULL,
  campaign_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  name TEXT,
  category TEXT,
  price BIGINT NOT NULL,
  quantity INTEGER NOT NULL,
  PRIMARY KEY (customer_id, order_id, line)
) {{without_rowid}};
CREATE INDEX order_items_time ON order_items (customer_id, time, order_id, line);
CREATE INDEX order_items_attributed ON order_items (customer_id, time, order_id, line) WHERE campaign_id <> '';
CREATE INDEX order_items_campaign ON order_items (customer_id, campaign_id, time, order_id, line);

CREATE TABLE carts (
  customer_id TEXT NOT NULL,
  cart_id TEXT NOT NULL,
  state TEXT NOT NULL,
  time BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  campaign_id TEXT NOT NULL,
  contact_uid TEXT NOT NULL,
  email TEXT,
  total BIGINT NOT NULL,
  currency TEXT NOT NULL,
  tax BIGINT,
  shipping BIGINT,
  city TEXT,
  country TEXT,
  item_count INTEGER NOT NULL,
  items TEXT NOT NULL,
  visitor TEXT NOT NULL,
  session_id TEXT,
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  abandoned_at BIGINT,
  closed_at BIGINT,
  order_id TEXT,
  PRIMARY KEY (customer_id, cart_id)
);
CREATE INDEX carts_due ON carts (customer_id, state, received_at);
CREATE INDEX carts_state_time ON carts (customer_id, state, time, cart_id);
CREATE INDEX carts_campaign ON carts (customer_id, campaign_id, state, time, cart_id);
CREATE INDEX carts_visitor ON carts (customer_id, visitor, time);
CREATE INDEX carts_time ON carts (customer_id, time);

CREATE TABLE daily_stats (
  customer_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  currency TEXT NOT NULL,
  orders BIGINT NOT NULL,
  revenue BIGINT NOT NULL,
  item_lines BIGINT NOT NULL,
  carts BIGINT NOT NULL,
  converted BIGINT NOT NULL,
  abandoned BIGINT NOT NULL,
  abandoned_value BIGINT NOT NULL,
  recovered BIGINT NOT NULL,
  PRIMARY KEY (customer_id, campaign_id, day, currency)
) {{without_rowid}};
CREATE INDEX daily_stats_day ON daily_stats (customer_id, day);

CREATE TABLE buyer_days (
  customer_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  day INTEGER NOT NULL,
  buyer TEXT NOT NULL,
  PRIMARY KEY (customer_id, campaign_id, currency, day, buyer)
) {{without_rowid}};
CREATE INDEX buyer_days_day ON buyer_days (customer_id, day);

CREATE TABLE campaign_buyers (
  customer_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  buyer TEXT NOT NULL,
  PRIMARY KEY (customer_id, campaign_id, currency, buyer)
) {{without_rowid}};

CREATE TABLE campaign_totals (
  customer_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  buyers BIGINT NOT NULL,
  first_time BIGINT NOT NULL,
  last_time BIGINT NOT NULL,
  PRIMARY KEY (customer_id, campaign_id, currency)
) {{without_rowid}};

CREATE TABLE rejected_events (
  customer_id TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  id TEXT NOT NULL,
  source TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL,
  PRIMARY KEY (customer_id, received_at, id)
);
`,
  },
  {
    version: 2,
    name: 'contact profiles, webhooks and their outbox',
    sql: `
-- the contact an order or cart belongs to: u:<contactUid>, else e:<lower-cased email>, else ''
ALTER TABLE orders ADD COLUMN contact_key TEXT NOT NULL DEFAULT '';
ALTER TABLE carts ADD COLUMN contact_key TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_contact ON orders (customer_id, contact_key) WHERE contact_key <> '';
CREATE INDEX carts_contact ON carts (customer_id, contact_key) WHERE contact_key <> '';
-- an email links to its contact UID through the directory
CREATE INDEX contacts_email ON contacts (customer_id, lower(email));

CREATE TABLE contact_profiles (
  customer_id TEXT NOT NULL,
  contact_key TEXT NOT NULL,
  contact_uid TEXT NOT NULL,
  email TEXT,
  orders BIGINT NOT NULL,
  last_order_at BIGINT,
  last_order_value BIGINT,
  last_order_currency TEXT,
  abandoned_carts BIGINT NOT NULL,
  last_abandoned_at BIGINT,
  first_campaign_id TEXT,
  first_campaign_at BIGINT,
  last_campaign_id TEXT,
  last_campaign_at BIGINT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, contact_key)
);
CREATE INDEX contact_profiles_abandoned ON contact_profiles (customer_id, last_abandoned_at);
CREATE INDEX contact_profiles_ordered ON contact_profiles (customer_id, last_order_at);
CREATE INDEX contact_profiles_email ON contact_profiles (customer_id, lower(email));

-- order value per contact and currency: amounts are never added across currencies
CREATE TABLE contact_totals (
  customer_id TEXT NOT NULL,
  contact_key TEXT NOT NULL,
  currency TEXT NOT NULL,
  orders BIGINT NOT NULL,
  total_value BIGINT NOT NULL,
  PRIMARY KEY (customer_id, contact_key, currency)
) {{without_rowid}};

CREATE TABLE webhooks (
  customer_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_success_at BIGINT,
  last_error TEXT,
  last_error_at BIGINT,
  failing_since BIGINT,
  PRIMARY KEY (customer_id, webhook_id)
);

CREATE TABLE webhook_deliveries (
  customer_id TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  contact_key TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_attempt_at BIGINT,
  last_error TEXT,
  delivered_at BIGINT,
  PRIMARY KEY (customer_id, delivery_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (customer_id, state, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (customer_id, webhook_id, state, created_at, delivery_id);
CREATE INDEX webhook_deliveries_contact ON webhook_deliveries (customer_id, contact_key) WHERE contact_key <> '';
`,
    after: backfillContacts,
  },
  {
    version: 3,
    name: 'ingest queue position (SQLite)',
    engine: 'sqlite',
    // How far the ingest queue (store/queue/, a file of its own) is applied: moved in the
    // same transaction as the rows it applies; and the queue's identity, written into the
    // queue file too, so a queue file is never applied to another database. One row,
    // describing the database itself.
    sql: `
CREATE TABLE ingest_applied (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  queue_id TEXT NOT NULL
);
INSERT INTO ingest_applied (id, seq, queue_id) VALUES (1, 0, lower(hex(randomblob(16))));
`,
  },
  {
    version: 4,
    name: 'hostile ingest: order value cap, attribution window, bounded rejected events, exact money sums',
    // Rejected events become one row per distinct rejection (customer, fingerprint of reason
    // and raw hash) counting its repeats; `after` moves the old rows, hashing them in JS.
    sql: `
ALTER TABLE customers ADD COLUMN max_order_value BIGINT NOT NULL DEFAULT 1000000;
ALTER TABLE customers ADD COLUMN attribution_days INTEGER NOT NULL DEFAULT 30;

CREATE TABLE rejected_events_v4 (
  customer_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  claimed_customer_id TEXT NOT NULL,
  source TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL,
  raw_bytes BIGINT NOT NULL,
  raw_sha256 TEXT NOT NULL,
  hits BIGINT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  PRIMARY KEY (customer_id, fingerprint)
);
CREATE INDEX rejected_events_last_seen ON rejected_events_v4 (customer_id, last_seen);
`,
    // sums of money never overflow on PostgreSQL (SQLite: see docs/collector.md, "Hostile traffic")
    engineSql: {
      postgres: `
ALTER TABLE daily_stats ALTER COLUMN revenue TYPE NUMERIC, ALTER COLUMN abandoned_value TYPE NUMERIC;
ALTER TABLE contact_totals ALTER COLUMN total_value TYPE NUMERIC;
`,
    },
    after: reshapeRejected,
  },
  {
    version: 5,
    name: 'webhook secret rotation, errors without network details',
    // the secret a rotation replaced, still signing (beside the new one) until it expires; and
    // the errors recorded before, which named errnos, in the words a receiver's operator gets now
    sql: `
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
ALTER TABLE webhooks ADD COLUMN previous_secret_expires_at BIGINT;
UPDATE webhooks SET last_error = CASE WHEN last_error LIKE 'timeout:%' THEN 'timed out' ELSE 'unreachable' END WHERE last_error LIKE 'network:%' OR last_error LIKE 'timeout:%';
UPDATE webhook_deliveries SET last_error = CASE WHEN last_error LIKE 'timeout:%' THEN 'timed out' ELSE 'unreachable' END WHERE last_error LIKE 'network:%' OR last_error LIKE 'timeout:%';
`,
  },
  {
    version: 6,
    name: 'API token IDs, expiry and last use',
    // A token's ID is the first 16 hex digits of its hash (tokens.ts), so existing tokens get
    // theirs here by the same rule; revoking a token deletes its row.
    sql: `
ALTER TABLE api_tokens ADD COLUMN token_id TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
UPDATE api_tokens SET token_id = substr(token_hash, 1, 16);
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (customer_id, token_id);
`,
  },
  {
    version: 7,
    name: 'ingest log and order IDs (PostgreSQL)',
    engine: 'postgres',
    // The durable log ingest appends to and projection workers apply and remove
    // (store/log/postgres-log.ts); and every order ID ever answered, so a repeat is told at the
    // append (SQLite's queue keeps those keys itself).
    sql: `
CREATE TABLE ingest_log (
  customer_id TEXT NOT NULL,
  seq BIGSERIAL NOT NULL,
  received_at BIGINT NOT NULL,
  entry TEXT NOT NULL,
  PRIMARY KEY (customer_id, seq)
);
CREATE TABLE order_ids (
  customer_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  PRIMARY KEY (customer_id, order_id)
);
INSERT INTO order_ids (customer_id, order_id) SELECT customer_id, order_id FROM orders;
`,
  },
  {
    version: 8,
    name: 'clicks and how each order was attributed',
    // Each click on a campaign link the SDK saw (one per click, by event ID), found again by
    // visitor or by contact when an order or cart comes without its campaign; clicks per
    // campaign and UTC day for the summary. An order says how it was attributed and when its
    // click was (null for direct traffic).
    sql: `
CREATE TABLE clicks (
  customer_id TEXT NOT NULL,
  click_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  contact_uid TEXT NOT NULL,
  contact_key TEXT NOT NULL,
  visitor TEXT NOT NULL,
  clicked_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  path TEXT,
  PRIMARY KEY (customer_id, click_id)
);
CREATE INDEX clicks_visitor ON clicks (customer_id, visitor, clicked_at);
CREATE INDEX clicks_contact ON clicks (customer_id, contact_key, clicked_at) WHERE contact_key <> '';
CREATE TABLE click_days (
  customer_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  clicks BIGINT NOT NULL,
  PRIMARY KEY (customer_id, campaign_id, day)
) {{without_rowid}};
CREATE INDEX click_days_day ON click_days (customer_id, day);
ALTER TABLE orders ADD COLUMN attribution TEXT;
ALTER TABLE orders ADD COLUMN click_at BIGINT;
UPDATE orders SET attribution = CASE WHEN campaign_id = '' THEN NULL WHEN source = 'api' THEN 'api' WHEN source IN ('emstrack', 'ti.php') THEN 'emst' ELSE 'cookie' END;
`,
  },
  {
    version: 9,
    name: 'refunds and cancellations, revenue per attribution method',
    // Each refund of an order (by the shop's refund ID, so a retry changes nothing); what the
    // order has had refunded and when it was cancelled; refunds booked to the order's own
    // campaign and day beside its revenue; and orders and revenue per attribution method
    // ('none' for direct traffic), campaign and day for the attribution report, filled here
    // from the orders already stored; clicks by time for the summary's partial days.
    sql: `
CREATE TABLE refunds (
  customer_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  refund_id TEXT NOT NULL,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  items TEXT,
  reason TEXT,
  cancel INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, order_id, refund_id)
);
ALTER TABLE orders ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN cancelled_at BIGINT;
ALTER TABLE daily_stats ADD COLUMN refunded_orders BIGINT NOT NULL DEFAULT 0;
CREATE TABLE attribution_days (
  customer_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  currency TEXT NOT NULL,
  attribution TEXT NOT NULL,
  orders BIGINT NOT NULL,
  revenue BIGINT NOT NULL,
  refunded BIGINT NOT NULL,
  PRIMARY KEY (customer_id, campaign_id, day, currency, attribution)
) {{without_rowid}};
CREATE INDEX attribution_days_day ON attribution_days (customer_id, day);
-- clicks in the partial days at a report range's edges
CREATE INDEX clicks_time ON clicks (customer_id, clicked_at);
INSERT INTO attribution_days (customer_id, campaign_id, day, currency, attribution, orders, revenue, refunded)
  SELECT customer_id, campaign_id, time / 86400000, currency, COALESCE(attribution, 'none'), COUNT(*), SUM(total), 0
  FROM orders GROUP BY customer_id, campaign_id, time / 86400000, currency, COALESCE(attribution, 'none');
`,
    // money sums are NUMERIC on PostgreSQL, like daily_stats.revenue
    engineSql: {
      sqlite: 'ALTER TABLE daily_stats ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0;',
      postgres: `
ALTER TABLE daily_stats ADD COLUMN refunded NUMERIC NOT NULL DEFAULT 0;
ALTER TABLE attribution_days ALTER COLUMN revenue TYPE NUMERIC, ALTER COLUMN refunded TYPE NUMERIC;
`,
    },
  },
  {
    version: 10,
    name: "the contact a cart's abandonment was counted for",
    // A cart abandoned, re-sent and abandoned again counts once in its contact's profile; an
    // anonymous cart that a known shopper re-sends and leaves again counts for that shopper.
    // Carts abandoned before this migration counted for the contact they name.
    sql: `
ALTER TABLE carts ADD COLUMN abandoned_for TEXT;
UPDATE carts SET abandoned_for = contact_key WHERE abandoned_at IS NOT NULL AND contact_key <> '';
`,
  },
  {
    version: 11,
    name: 'email indexes that fold ASCII letters only (PostgreSQL)',
    engine: 'postgres',
    // Under a UTF-8 ctype lower() folds Ö too, while keys fold A-Z only (asciiLower): email
    // lookups use the dialect's lowerAscii(), and these indexes its expression. SQLite's lower()
    // is that already.
    sql: `
DROP INDEX contacts_email;
CREATE INDEX contacts_email ON contacts (customer_id, lower((email) COLLATE "C"));
DROP INDEX contact_profiles_email;
CREATE INDEX contact_profiles_email ON contact_profiles (customer_id, lower((email) COLLATE "C"));
`,
  },
  {
    version: 12,
    name: "when each contact's last order arrived",
    // An abandonment is timed by the collector's clock, an order by the shopper's: "no purchase
    // since the abandonment" compares when the last order arrived, on the collector's clock.
    sql: `
ALTER TABLE contact_profiles ADD COLUMN last_order_received_at BIGINT;
UPDATE contact_profiles SET last_order_received_at =
  (SELECT max(o.received_at) FROM orders o WHERE o.customer_id = contact_profiles.customer_id AND o.contact_key = contact_profiles.contact_key AND o.contact_key <> '')
WHERE orders > 0;
`,
  },
];

const ADVISORY_LOCK = 74_301_771;

function render(sql: string, engine: Database['engine']): string {
  return sql.replaceAll('{{without_rowid}}', engine === 'sqlite' ? 'WITHOUT ROWID' : '');
}

/** Applies the migrations this database lacks (up to `upTo`, for tests); answers the versions applied now. */
export async function migrate(db: Database, now: number = Date.now(), upTo = Number.POSITIVE_INFINITY): Promise<number[]> {
  return db.transaction(async (tx) => {
    if (db.engine === 'postgres') await tx.all(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK})`);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const rows = await tx.all<{ version: unknown }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...applied);
    const known = MIGRATIONS[MIGRATIONS.length - 1].version;
    if (newest > known) {
      throw new Error(`the database schema is version ${newest}, newer than this collector knows (${known}); upgrade the collector`);
    }
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version) || m.version > upTo) continue;
      if (!m.engine || m.engine === db.engine) {
        await tx.exec(render(m.sql, db.engine));
        const more = m.engineSql?.[db.engine];
        if (more) await tx.exec(render(more, db.engine));
        await m.after?.(tx, db.dialect);
      }
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
      done.push(m.version);
    }
    return done;
  });
}
