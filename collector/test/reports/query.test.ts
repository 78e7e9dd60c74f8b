import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/reports/query.js';
import { T0 } from '../helpers/fixtures.js';

describe('report query parameters', () => {
  it('reads dates as whole UTC days and timestamps as instants (to inclusive)', () => {
    expect(parseInstant('2025-01-15', 'from', false)).toBe(Date.UTC(2025, 0, 15));
    expect(parseInstant('2025-01-15', 'to', true)).toBe(Date.UTC(2025, 0, 16));
    expect(parseInstant('2025-01-15T10:00:00Z', 'to', true)).toBe(T0 + 1);
    expect(parseInstant('2025-01-15T12:00:00+02:00', 'from', false)).toBe(T0);
    expect(() => parseInstant('2025-02-30', 'from', false)).toThrow('from: "2025-02-30" is not a real date');
    expect(() => parseInstant('15/01/2025', 'to', false)).toThrow('to: must be a date (YYYY-MM-DD) or an ISO timestamp');
    expect(() => parseInstant('2025-01-15T10:00:00', 'to', false)).toThrow('with a time zone');
  });
});
