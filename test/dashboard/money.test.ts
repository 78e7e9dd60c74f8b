// The dashboard's money: amounts read back into exact 1/10000 units, line totals and sums
// without floats, every amount written with its currency's own fraction digits.
import { describe, expect, it } from 'vitest';
import { lineTotal, money, sumUnits, toUnits, unitsToDecimal } from '../../collector/public/app/money.js';

const intl = (currency: string, value: number) => new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value);

describe('dashboard money', () => {
  it('reads JSON numbers and decimal strings as exact units', () => {
    expect(toUnits(13.37)).toBe(133_700n);
    expect(toUnits(0.1)).toBe(1_000n);
    expect(toUnits('-2.5')).toBe(-25_000n);
    expect(toUnits('4.9995')).toBe(49_995n);
    expect(unitsToDecimal(29_995_000n)).toBe('2999.5');
    expect(unitsToDecimal(-5n)).toBe('-0.0005');
  });

  it('refuses what is not an amount, naming it', () => {
    expect(() => toUnits('1.23456')).toThrow('not an amount with at most four decimals: 1.23456');
    expect(() => toUnits(Number.NaN)).toThrow('NaN');
    expect(() => toUnits('12,50')).toThrow('12,50');
  });

  it('multiplies a unit price by its quantity exactly, where floats round the wrong way', () => {
    expect(1.115 * 3).toBe(3.3449999999999998); // the float product rounds down to 3.34
    expect(lineTotal(1.115, 3)).toBe(33_450n);
    expect(money(lineTotal(1.115, 3), 'EUR')).toBe(intl('EUR', 3.35));
    expect(sumUnits([toUnits(0.1), toUnits(0.2)])).toBe(toUnits(0.3));
  });

  it('writes each currency with its own fraction digits, exactly even past a double', () => {
    expect(money(1234.5, 'JPY')).toBe(intl('JPY', 1235));
    expect(money(1.2345, 'BHD')).toBe(intl('BHD', 1.235));
    expect(money('12345678901234.5678', 'EUR').replace(/\D/g, '')).toBe('1234567890123457');
  });

  it('shows nothing for no amount, and a code Intl rejects next to the amount', () => {
    expect(money(null, 'EUR')).toBe('');
    expect(money(undefined, 'EUR')).toBe('');
    expect(money(12.5, 'X1')).toMatch(/^12[.,]50 X1$/);
  });
});
