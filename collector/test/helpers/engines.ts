// The two storage engines every store test runs against: SQLite in a temporary file, and
// a fresh database on the run's embedded PostgreSQL (global-setup.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';

export const ENGINES = ['sqlite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'emarsys-collector-'));
    return { url: join(dir, 'test.db'), drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const admin = inject('pgAdminUrl');
  const name = `t_${randomBytes(8).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A migrated store on a fresh database; `close` also drops the database. */
export async function openTestStore(engine: Engine): Promise<{ store: Store; url: string; close(): Promise<void> }> {
  const db = await createTestDatabase(engine);
  const store = await openStore(db.url);
  return {
    store,
    url: db.url,
    async close() {
      await store.close();
      await db.drop();
    },
  };
}
