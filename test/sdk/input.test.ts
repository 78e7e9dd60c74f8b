import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { readInput } from '../../src/input.js';
import { readOptions } from '../../src/options.js';
import { MONEY_PATTERN } from '../../src/protocol/constants.js';
import { PREFIX } from '../../src/log.js';

const order = (o: Record<string, unknown>) => readInput('order', { orderId: 'A-1', total: 10, ...o });
const item = (i: Record<string, unknown>) => readInput('cart', { items: [{ sku: 'S', price: 1, ...i }] }).items[0];

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  vi.restoreAllMocks();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});

describe('money', () => {
  it('takes numbers and dot-decimal strings as they are', () => {
    expect(order({ total: 2999 }).total).toBe(2999);
    expect(order({ total: '2999.00' }).total).toBe('2999.00');
    expect(order({ total: '-5.5' }).total).toBe('-5.5');
    expect(order({ total: 0 }).total).toBe(0);
    // Sums of floats are fine as numbers.
    expect(order({ total: 0.1 + 0.2 }).total).toBe(0.1 + 0.2);
  });

  it('takes every amount the wire format takes', () => {
    const wire = new RegExp(MONEY_PATTERN);
    for (const v of ['0', '2999', '2999.00', '-5.5', '1.2345', '9999999999999.9999']) {
      expect(wire.test(v)).toBe(true);
      expect(order({ tax: v }).tax).toBe(v);
    }
  });

  it('refuses a thousands separator, naming the field, in the console too', () => {
    const message = 'items[0].price: "2,999.00" is not an amount like "2999.00"';
    expect(() => readInput('cart', { items: [{ sku: 'S', price: '2,999.00' }] })).toThrow(message);
    expect(warn).toHaveBeenCalledExactlyOnceWith(PREFIX, message);
    expect(() => order({ total: '1,234,567' })).toThrow('total: "1,234,567" is not an amount like "2999.00"');
  });

  it.each([['29,99'], ['2.999,00'], ['12 EUR'], [''], ['1.'], ['.5'], [' 1'], ['1e3'], ['1.2.3'], ['-'], ['-.5'], ['--1'], ['1-2'], ['12345678901234'], ['١٢']])('refuses %j as an amount', (v) => {
    expect(() => order({ tax: v })).toThrow(`tax: "${v}" is not an amount like "2999.00"`);
  });

  it.each([[NaN], [Infinity], [1e14], [true], [['5']], [{}]])('refuses %s', (v) => {
    expect(() => order({ shipping: v })).toThrow(/^shipping: .* is not an amount like "2999.00"$/);
  });
});

describe('currency', () => {
  it('sends ISO 4217 codes uppercase', () => {
    expect(order({ currency: 'eur' }).currency).toBe('EUR');
    expect(order({ currency: 'HUF' }).currency).toBe('HUF');
  });

  it.each([['EURO'], ['€'], ['E1R'], [978], [['eur']], ['EU'], ['E[R'], ['\u212aRW'], ['\u0131NR'], ['ÉUR']])('refuses %j', (v) => {
    expect(() => order({ currency: v })).toThrow(`currency: ${JSON.stringify(v)} is not a currency code`);
  });

  it('takes either case, mixed too', () => {
    expect(order({ currency: 'Eur' }).currency).toBe('EUR');
  });
});

// The checks are code, not regular expressions (a page's first one costs it about a millisecond):
// they take exactly what these patterns take.
describe('the checks, against the patterns they stand for', () => {
  const chars = (alphabet: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...alphabet), maxLength });
  const accepts = (f: () => unknown) => {
    try {
      f();
      return true;
    } catch {
      return false;
    }
  };

  it('money: -?[0-9]{1,13}(.[0-9]+)?', () => {
    fc.assert(
      fc.property(chars('-.0123456789 ,e', 18), (v) => {
        expect(accepts(() => order({ tax: v }))).toBe(/^-?\d{1,13}(\.\d+)?$/.test(v));
      }),
      { numRuns: 3000 },
    );
  });

  it('quantity: 1 to 1,000,000 in at most 7 digits', () => {
    fc.assert(
      fc.property(chars('0123456789.-+ e', 9), (q) => {
        expect(accepts(() => item({ quantity: q }))).toBe(/^\d{1,7}$/.test(q) && +q >= 1 && +q <= 1e6);
      }),
      { numRuns: 3000 },
    );
  });

  it('currency: [a-zA-Z]{3}', () => {
    fc.assert(
      fc.property(fc.oneof(chars('aZ@[`{0\u212a\u0131\u017f', 4), fc.string({ maxLength: 4 })), (v) => {
        expect(accepts(() => order({ currency: v }))).toBe(/^[a-zA-Z]{3}$/.test(v));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('items', () => {
  it('defaults quantity to 1 and takes numeric SKUs and quantity strings', () => {
    expect(item({})).toEqual({ sku: 'S', price: 1, quantity: 1 });
    expect(item({ quantity: 1e6 }).quantity).toBe(1e6);
    expect(item({ sku: 42, quantity: '3', name: 'Sofa', category: 'Living' })).toEqual({
      sku: '42',
      price: 1,
      quantity: 3,
      name: 'Sofa',
      category: 'Living',
    });
  });

  it('takes leading zeros in a quantity string (sent as a number)', () => {
    expect(item({ quantity: '02' }).quantity).toBe(2);
  });

  it.each([[0], [1.5], [-1], ['2x'], [1e7], [1000001], ['000'], [''], [' 2'], [true], [['2']]])('refuses quantity %j', (q) => {
    expect(() => item({ quantity: q })).toThrow(`items[0].quantity: ${JSON.stringify(q)} is not a quantity`);
  });

  it('names the missing and bad fields of an item', () => {
    expect(() => readInput('cart', { items: [{ sku: 'A', price: 1 }, { price: 1 }] })).toThrow('items[1].sku: is required');
    expect(() => readInput('cart', { items: [{ sku: 'A' }] })).toThrow('items[0].price: is required');
    expect(() => item({ sku: '' })).toThrow('items[0].sku: "" is not an ID');
    // NaN, a failed parseInt, as a number or printed: every such item would be one
    expect(() => item({ sku: NaN })).toThrow('items[0].sku: null is not an ID');
    expect(() => item({ sku: 'NaN' })).toThrow('items[0].sku: "NaN" is not an ID');
    expect(() => item({ sku: { id: 1 } })).toThrow('items[0].sku: {"id":1} is not an ID');
    // Not an item: its sku is missing.
    expect(() => readInput('cart', { items: ['SKU-1'] })).toThrow('items[0].sku: is required');
    expect(() => readInput('cart', { items: 'SKU-1' })).toThrow('items[0].sku: is required');
  });

  it('takes a lone item as a list of one', () => {
    expect(readInput('cart', { items: { sku: 'S', price: 1 } }).items).toEqual([{ sku: 'S', price: 1, quantity: 1 }]);
  });
});

describe('cart and order', () => {
  it('requires what docs/sdk.md requires', () => {
    expect(() => readInput('cart', {})).toThrow('items: is required');
    expect(() => readInput('order', { total: 1 })).toThrow('orderId: is required');
    expect(() => readInput('order', { orderId: 'A' })).toThrow('total: is required');
    // Not an object: its required fields are missing.
    expect(() => readInput('order', undefined)).toThrow('orderId: is required');
    expect(() => readInput('cart', 'x')).toThrow('items: is required');
  });

  it('gives an order without items an empty item list, and treats null as absent', () => {
    expect(readInput('order', { orderId: 7, total: 5, tax: null, email: undefined, items: null })).toEqual({ orderId: '7', total: 5, items: [] });
    expect(readInput('cart', { items: [{ sku: 'S', price: 1, name: null }] }).items).toEqual([{ sku: 'S', price: 1, quantity: 1 }]);
  });

  it('leaves text fields and unknown fields to the collector, which names them when it refuses them', () => {
    expect(order({ email: 'jane@example.com', city: 'Wien', country: 'AT' })).toMatchObject({ email: 'jane@example.com', city: 'Wien', country: 'AT' });
    expect(order({ city: 5, totl: 1 })).toMatchObject({ city: 5, totl: 1 });
  });
});

describe('init options', () => {
  const base = { customerId: '112734771', endpoint: 'https://c.example.com/' };

  it('fills the defaults, takes the customer ID as a string and trims the endpoint', () => {
    expect(readOptions(base)).toEqual({
      customerId: '112734771',
      endpoint: 'https://c.example.com',
      attributionDays: 30,
      storage: 'auto',
      consent: 'granted',
    });
    expect(readOptions({ ...base, customerId: 112734771, endpoint: '/collector' })).toMatchObject({ customerId: '112734771', endpoint: '/collector' });
    expect(readOptions({ ...base, endpoint: '/' }).endpoint).toBe('');
    // A data-attribution-days attribute arrives as a string; it is a number where used.
    expect(readOptions({ ...base, attributionDays: '0.5' } as never).attributionDays).toBe('0.5');
  });

  it('names a missing option', () => {
    expect(() => readOptions({ endpoint: base.endpoint })).toThrow('customerId: is required');
    expect(() => readOptions({ customerId: '1' })).toThrow('endpoint: is required');
    expect(() => readOptions(null)).toThrow('customerId: is required');
    expect(() => readOptions({ ...base, customerId: '' })).toThrow('customerId: "" is not an ID');
    expect(warn).toHaveBeenCalledWith(PREFIX, `customerId: is required`);
  });

  it('ignores unknown options (the script tag may carry other data-* attributes)', () => {
    expect(readOptions({ ...base, cfasync: 'false' } as never)).toMatchObject({ customerId: '112734771' });
  });
});
