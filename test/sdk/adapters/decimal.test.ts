// Web Extend line totals into unit prices: exact, in decimal, never through float division.
import { describe, expect, it } from 'vitest';
import { sum, unitPrices } from '../../../src/adapters/decimal.js';

describe('unitPrices', () => {
  it('divides a line total that divides exactly into one unit price', () => {
    expect(unitPrices('59.97', 3)).toEqual([['19.99', 3]]);
    expect(unitPrices(59.97, '3')).toEqual([['19.99', 3]]);
    expect(unitPrices('19.9', undefined)).toEqual([['19.9', 1]]);
    expect(unitPrices('0.10', 4)).toEqual([['0.025', 4]]);
    expect(unitPrices(5, 4)).toEqual([['1.25', 4]]);
    expect(unitPrices('-6.00', 3)).toEqual([['-2.00', 3]]);
  });

  it('rounds a number to 4 decimals first, as the collector rounds one: float noise in a line total is no reason to drop it', () => {
    expect(unitPrices(1.1 * 3, 3)).toEqual([['1.1', 3]]);
    expect(unitPrices(0.1 + 0.2, 1)).toEqual([['0.3', 1]]);
    expect(unitPrices(19.99 * 3, 3)).toEqual([['19.99', 3]]);
    // a string is the shop's own decimal: more than 4 decimals there are refused, not rounded
    expect(unitPrices('3.30000000000000003', 3)).toBeUndefined();
  });

  it('splits a total that does not divide within 4 decimals into two lines whose sum is exact', () => {
    expect(unitPrices('10.00', 3)).toEqual([['3.33', 2], ['3.34', 1]]);
    expect(unitPrices('1', 3)).toEqual([['0.33', 2], ['0.34', 1]]);
    expect(unitPrices('-10.00', 3)).toEqual([['-3.33', 2], ['-3.34', 1]]);
    expect(unitPrices('100.001', 7)).toEqual([['14.285', 1], ['14.286', 6]]);
  });

  it('keeps every line total exact over many amounts and quantities', () => {
    for (let cents = 1; cents < 3000; cents += 7) {
      for (const q of [1, 2, 3, 6, 7, 9, 11, 12, 97]) {
        const total = (cents / 100).toFixed(2);
        const lines = unitPrices(total, q)!;
        expect(lines.reduce((n, [, k]) => n + k, 0)).toBe(q);
        expect(Number(sum(lines.flatMap(([price, k]) => Array(k).fill(price))))).toBe(Number(total));
      }
    }
  });

  it('refuses what is not an amount or not a whole quantity', () => {
    for (const [total, q] of [['2,999.00', 1], ['1.23456', 1], [1e21, 1], [Number.NaN, 1], ['abc', 1], [null, 1], ['5', 0], ['5', 1.5], ['5', 'two'], ['5', 1e7]])
      expect(unitPrices(total, q), `${total} for ${q}`).toBeUndefined();
  });
});

describe('sum', () => {
  it('adds amounts of different scales exactly', () => {
    expect(sum(['19.99', '0.01', 5])).toBe('25.00');
    expect(sum([0.1, 0.2])).toBe('0.3');
    expect(sum([])).toBe('0');
    expect(sum(['1', 'x'])).toBeUndefined();
  });
});
