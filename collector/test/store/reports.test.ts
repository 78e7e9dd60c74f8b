import { describe, expect, it } from 'vitest';
import { splitRange } from '../../src/store/reports/index.js';
import { DAY } from '../helpers/fixtures.js';

describe('report ranges', () => {
  it('splits a range into whole days and partial edges', () => {
    const d = Date.UTC(2025, 0, 10);
    expect(splitRange()).toEqual({ days: { first: undefined, end: undefined }, edges: [] });
    expect(splitRange(d, d + 3 * DAY)).toEqual({ days: { first: d / DAY, end: d / DAY + 3 }, edges: [] });
    expect(splitRange(d + 3_600_000, d + 2 * DAY + 60_000)).toEqual({
      days: { first: d / DAY + 1, end: d / DAY + 2 },
      edges: [
        { from: d + 3_600_000, to: d + DAY },
        { from: d + 2 * DAY, to: d + 2 * DAY + 60_000 },
      ],
    });
    expect(splitRange(d + 1000, d + 5000)).toEqual({ days: null, edges: [{ from: d + 1000, to: d + 5000 }] });
    // across one midnight without a whole day: an edge on each side, each in its own day
    expect(splitRange(d - 4 * 3_600_000, d + 12 * 3_600_000)).toEqual({
      days: null,
      edges: [
        { from: d - 4 * 3_600_000, to: d },
        { from: d, to: d + 12 * 3_600_000 },
      ],
    });
    expect(splitRange(d + 5000, d + 1000)).toEqual({ days: null, edges: [] });
  });
});
