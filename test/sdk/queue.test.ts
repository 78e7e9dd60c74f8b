import { afterEach, describe, expect, it, vi } from 'vitest';
import { FINAL, backoff } from '../../src/queue.js';

afterEach(() => vi.restoreAllMocks());

describe('backoff()', () => {
  it('doubles from 2 s and stops at 5 minutes', () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    expect([1, 2, 3, 4, 8, 9, 20].map(backoff)).toEqual([2000, 4000, 8000, 16000, 256000, 300000, 300000]);
  });

  it('jitters between half and all of the step', () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    expect(backoff(3)).toBe(4000);
    random.mockReturnValue(0.5);
    expect(backoff(3)).toBe(6000);
    random.mockRestore();
    const seen = new Set(Array.from({ length: 50 }, () => backoff(3)));
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(4000), expect(d).toBeLessThanOrEqual(8000);
    expect(seen.size).toBeGreaterThan(10);
  });
});

it('knows the answers a retry cannot fix, and only those', () => {
  const final = Array.from({ length: 600 }, (_, s) => s).filter((s) => FINAL.test('' + s));
  expect(final).toEqual([400, 401, 403, 404, 410, 413, 422]);
});
