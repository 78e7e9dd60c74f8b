import { afterEach, describe, expect, it, vi } from 'vitest';
import { FINAL, backoff, retryAfter } from '../../src/retry-queue.js';

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

describe('retryAfter()', () => {
  it('reads seconds and HTTP dates, up to 5 minutes', () => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z'), toFake: ['Date'] });
    try {
      expect(retryAfter('30')).toBe(30_000);
      expect(retryAfter('Thu, 01 Jan 2026 00:01:00 GMT')).toBe(60_000);
      expect(retryAfter('86400')).toBe(300_000);
      expect(retryAfter('Fri, 01 Jan 2027 00:00:00 GMT')).toBe(300_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('asks for no wait without a usable header', () => {
    for (const v of [null, '', 'soon', '0']) expect(retryAfter(v)).toBeLessThanOrEqual(0);
    expect(retryAfter('Wed, 01 Jan 2020 00:00:00 GMT')).toBeLessThan(0);
  });
});
