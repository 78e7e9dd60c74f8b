import { describe, expect, it } from 'vitest';
import { clampTime } from '../../src/ingest/normalize.js';
import { DAY, T0 } from '../helpers/fixtures.js';

describe('normalizing events', () => {
  it('clamps the browser time into [received - 7 days, received]', () => {
    expect(clampTime(T0 - DAY, T0)).toBe(T0 - DAY);
    expect(clampTime(T0 + 5 * DAY, T0)).toBe(T0);
    expect(clampTime(0, T0)).toBe(T0 - 7 * DAY);
  });
});
