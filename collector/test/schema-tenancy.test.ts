// The schema is tenant-first, so it distributes by customer on Citus
// (`create_distributed_table(…, 'customer_id')`) or shards by customer without a rewrite
// (docs/scale.md): every table carries `customer_id`, and every primary key, unique
// constraint, index and foreign key leads with it. Checked on the migrated PostgreSQL schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../src/store/database.js';
import type { Store } from '../src/store/store.js';
import { openTestStore } from './helpers/engines.js';

/**
 * Tables outside the rule, each with the reason it holds. On Citus they stay local to the
 * coordinator or become reference tables (copied to every node).
 */
const REFERENCE_TABLES: Record<string, string> = {
  schema_migrations: 'the versions applied to the database itself, read and written only by migrations',
};

/** Every way the tables of `schema` break the rule, in words; empty when it holds. */
async function tenancyViolations(db: Sql, schema: string, reference: readonly string[]): Promise<string[]> {
  const tables = await db.all<{ name: string; tenant: boolean }>(
    `SELECT c.relname AS name,
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'customer_id' AND NOT a.attisdropped) AS tenant
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
      ORDER BY 1`,
    [schema],
  );
  // indexes cover primary keys and unique constraints too; indkey[0] = 0 is an expression
  const indexes = await db.all<{ table: string; index: string; kind: string; first: string | null }>(
    `SELECT t.relname AS table, i.relname AS index,
            CASE WHEN x.indisprimary THEN 'primary key' WHEN x.indisunique THEN 'unique index' ELSE 'index' END AS kind,
            a.attname AS first
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
      WHERE n.nspname = $1
      ORDER BY 1, 2`,
    [schema],
  );
  const foreignKeys = await db.all<{ table: string; name: string; first: string; target_first: string; target: string }>(
    `SELECT t.relname AS table, k.conname AS name, a.attname AS first, r.relname AS target, ra.attname AS target_first
       FROM pg_constraint k
       JOIN pg_class t ON t.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_class r ON r.oid = k.confrelid
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
       JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[1]
      WHERE n.nspname = $1 AND k.contype = 'f'
      ORDER BY 1, 2`,
    [schema],
  );
  const exempt = new Set(reference);
  const found: string[] = [];
  for (const t of tables) if (!t.tenant && !exempt.has(t.name)) found.push(`table ${t.name}: has no customer_id column`);
  for (const x of indexes) {
    if (!exempt.has(x.table) && x.first !== 'customer_id') found.push(`${x.kind} ${x.index} on ${x.table}: leads with ${x.first ?? 'an expression'}, not customer_id`);
  }
  for (const k of foreignKeys) {
    if (!exempt.has(k.target) && (k.first !== 'customer_id' || k.target_first !== 'customer_id'))
      found.push(`foreign key ${k.name} on ${k.table}: ${k.first} → ${k.target}.${k.target_first}, not customer_id → customer_id`);
  }
  return found;
}

describe('the PostgreSQL schema is tenant-first', () => {
  let t: { store: Store; close(): Promise<void> };
  beforeAll(async () => {
    t = await openTestStore('postgres');
  });
  afterAll(async () => {
    await t?.store.db.exec('DROP SCHEMA IF EXISTS tenancy_scratch CASCADE');
    await t?.close();
  });

  it('leads every table, key and index of the migrated schema with customer_id', async () => {
    expect(await tenancyViolations(t.store.db, 'public', Object.keys(REFERENCE_TABLES))).toEqual([]);
    // the exceptions are real tables, not names left behind by a rename
    const tables = await t.store.db.all<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    const names = new Set(tables.map((r) => r.table_name));
    for (const name of Object.keys(REFERENCE_TABLES)) expect(names, name).toContain(name);
    expect(names.size).toBeGreaterThan(10);
  });

  it('finds each kind of violation', async () => {
    const db = t.store.db;
    await db.exec(`
      CREATE SCHEMA tenancy_scratch;
      CREATE TABLE tenancy_scratch.shared (id TEXT PRIMARY KEY);
      CREATE TABLE tenancy_scratch.owners (customer_id TEXT NOT NULL, owner_id TEXT NOT NULL, PRIMARY KEY (customer_id, owner_id));
      CREATE TABLE tenancy_scratch.things (
        customer_id TEXT NOT NULL, thing_id TEXT NOT NULL, owner_id TEXT NOT NULL, email TEXT NOT NULL,
        PRIMARY KEY (thing_id, customer_id),
        UNIQUE (customer_id, email),
        UNIQUE (email, thing_id),
        FOREIGN KEY (owner_id, customer_id) REFERENCES tenancy_scratch.owners (owner_id, customer_id)
      );
      CREATE INDEX things_email ON tenancy_scratch.things (email, customer_id);
      CREATE INDEX things_lower ON tenancy_scratch.things (lower(email));
      CREATE INDEX things_good ON tenancy_scratch.things (customer_id, owner_id);
    `);
    expect(await tenancyViolations(db, 'tenancy_scratch', [])).toEqual([
      'table shared: has no customer_id column',
      'primary key shared_pkey on shared: leads with id, not customer_id',
      'index things_email on things: leads with email, not customer_id',
      'unique index things_email_thing_id_key on things: leads with email, not customer_id',
      'index things_lower on things: leads with an expression, not customer_id',
      'primary key things_pkey on things: leads with thing_id, not customer_id',
      'foreign key things_owner_id_customer_id_fkey on things: owner_id → owners.owner_id, not customer_id → customer_id',
    ]);
    // a listed reference table is exempt, and so are keys pointing at it
    expect(await tenancyViolations(db, 'tenancy_scratch', ['shared', 'things', 'owners'])).toEqual([]);
  });
});
