import { describe, expect, it } from 'vitest';
import { parseDatabaseTarget, parseDuration } from '../src/config.js';

describe('configuration: durations and --db', () => {
  it('reads 90s, 30m and 2h', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
  });

  it('names the value and the accepted forms when it cannot', () => {
    expect(() => parseDuration('30', '--abandon-after')).toThrow('--abandon-after: "30" is not a duration; use a whole number and a unit, e.g. 90s, 30m, 2h or 30d');
    expect(() => parseDuration('1.5h')).toThrow('is not a duration');
    expect(() => parseDuration('0m')).toThrow('must be longer than 0');
  });

  it('tells SQLite paths from PostgreSQL URLs', () => {
    expect(parseDatabaseTarget('postgres://u@h/db')).toEqual({ engine: 'postgres', url: 'postgres://u@h/db' });
    expect(parseDatabaseTarget('postgresql://u@h/db').engine).toBe('postgres');
    expect(parseDatabaseTarget('./x.db')).toMatchObject({ engine: 'sqlite' });
    expect(() => parseDatabaseTarget('mysql://h/db')).toThrow('unsupported URL');
  });
});
