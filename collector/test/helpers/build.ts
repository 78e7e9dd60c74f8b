// The CLI and crash tests run the real bin, which runs the compiled collector. The global
// setup builds it when the sources are newer than the build; the tests only check.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const COLLECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(COLLECTOR_DIR, 'bin', 'emarsys-collector.js');
const BUILT = join(COLLECTOR_DIR, 'dist', 'collector', 'src', 'cli.js');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Throws when the build is missing (the global setup makes it). */
export function requireBuilt(): void {
  try {
    statSync(BUILT);
  } catch {
    throw new Error(`${BUILT} is missing: run "npm run build:collector"`);
  }
}

/** When the newest source the collector build compiles was changed (epoch ms). */
export function newestSource(): number {
  // the collector compiles src/protocol and, for `links decorate`, src/server of the SDK
  return Math.max(newest(join(COLLECTOR_DIR, 'src')), ...['protocol', 'server'].map((d) => newest(join(COLLECTOR_DIR, '..', 'src', d))));
}

export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(BUILT).mtimeMs;
  } catch {
    // not built yet
  }
  if (built < newestSource()) {
    const tsc = spawnSync(process.execPath, [join(COLLECTOR_DIR, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(COLLECTOR_DIR, 'tsconfig.json')], {
      encoding: 'utf8',
    });
    // tsc still writes the JavaScript when it reports type errors; those belong to `npm run typecheck`
    if (tsc.status !== 0) process.stderr.write(`collector build reported:\n${tsc.stdout.split('\n').slice(0, 20).join('\n')}\n`);
    requireBuilt();
  }
}
