import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, retryDelay } from '../../src/webhooks/backoff.js';

describe('webhook retries', () => {
  it('doubles the wait from 30 s up to 2 h, with ±20 % jitter', () => {
    const at = (attempt: number, r: number) => retryDelay(attempt, DEFAULT_RETRY, () => r);
    expect([at(1, 0.5), at(2, 0.5), at(3, 0.5), at(9, 0.5), at(10, 0.5), at(19, 0.5)]).toEqual([30_000, 60_000, 120_000, 7_200_000, 7_200_000, 7_200_000]);
    expect([at(1, 0), at(1, 1)]).toEqual([24_000, 36_000]);
    expect(at(500, 0.99)).toBeLessThanOrEqual(7_200_000 * 1.2);
  });

  it('spreads the 20 attempts over about 24 hours', () => {
    const waits = (r: number) => Array.from({ length: DEFAULT_RETRY.maxAttempts - 1 }, (_, i) => retryDelay(i + 1, DEFAULT_RETRY, () => r)).reduce((a, b) => a + b, 0);
    expect(waits(0.5) / 3_600_000).toBeCloseTo(24.1, 1);
    expect(waits(0) / 3_600_000).toBeGreaterThan(19);
    expect(waits(1) / 3_600_000).toBeLessThan(29);
  });
});
