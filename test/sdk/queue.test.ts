import { describe, expect, it } from 'vitest';
import { backoff } from '../../src/queue.js';

describe('backoff()', () => {
  it('doubles from 2 s and stops at 5 minutes', () => {
    const top = (n: number) => backoff(n, () => 1);
    expect([1, 2, 3, 4, 8, 9, 20].map(top)).toEqual([2000, 4000, 8000, 16000, 256000, 300000, 300000]);
  });

  it('jitters between half and all of the step', () => {
    expect(backoff(3, () => 0)).toBe(4000);
    expect(backoff(3, () => 0.5)).toBe(6000);
    const seen = new Set(Array.from({ length: 50 }, () => backoff(3, Math.random)));
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(4000), expect(d).toBeLessThanOrEqual(8000);
    expect(seen.size).toBeGreaterThan(10);
  });
});
