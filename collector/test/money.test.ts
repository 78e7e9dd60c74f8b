import { describe, expect, it } from 'vitest';
import { divRound, formatMoney, moneyToNumber, parseMoney } from '../src/money.js';

describe('money: exact amounts from the wire to the reports', () => {
  it('parses dot-decimal strings exactly and rounds numbers to 4 places', () => {
    expect(parseMoney('2999.00')).toBe(29_990_000n);
    expect(parseMoney('-0.0001')).toBe(-1n);
    expect(parseMoney('9999999999999.9999')).toBe(99_999_999_999_999_999n);
    expect(parseMoney(2999.5)).toBe(29_995_000n);
    expect(parseMoney(0.1 + 0.2)).toBe(3000n);
    expect(parseMoney(19.99999)).toBe(200_000n);
    expect(() => parseMoney('2,999.00')).toThrow();
    // zeros after the 4th decimal, as Magento prints amounts
    expect(parseMoney('19.990000')).toBe(199_900n);
    expect(parseMoney('-0.00010000')).toBe(-1n);
  });

  it('formats and sums without float drift', () => {
    let sum = 0n;
    for (let i = 0; i < 1000; i++) sum += parseMoney('0.10');
    expect(formatMoney(sum)).toBe('100');
    expect(formatMoney(29_995_000n)).toBe('2999.5');
    expect(formatMoney(-15n)).toBe('-0.0015');
    expect(moneyToNumber(123_4500n)).toBe(123.45);
    expect(divRound(100_000n, 3n)).toBe(33_333n);
    expect(divRound(-5n, 2n)).toBe(-3n);
  });
});
