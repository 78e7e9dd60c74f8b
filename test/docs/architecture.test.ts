// @vitest-environment node
// ARCHITECTURE.md stays true: every file its journey names exists, and every folder of its
// code map does.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');

describe('ARCHITECTURE.md', () => {
  it('names only files that exist in its journey of an order', () => {
    const files = [...text.matchAll(/\*\*`([^`]+\.(?:ts|js))`\*\*/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
  });

  it('maps only folders that exist', () => {
    const folders = [...text.matchAll(/^\| `([^`]+\/)`/gm)].map((m) => m[1]);
    expect(folders.length).toBeGreaterThan(10);
    expect(folders.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
  });
});
