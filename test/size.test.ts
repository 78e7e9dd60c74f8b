// @vitest-environment node
// The byte budgets of scripts/size.mjs over the built bundles (`npm test` builds them first, in pretest).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUDGETS, measure, pathOf } from '../scripts/size.mjs';

describe.each(Object.entries(BUDGETS))('%s', (file, budget) => {
  it(`is at most ${budget} bytes gzipped`, () => {
    expect(existsSync(pathOf(file)), `${file} is not built: run npm run build:sdk`).toBe(true);
    expect(measure(readFileSync(pathOf(file))).gzip).toBeLessThanOrEqual(budget);
  });
});
