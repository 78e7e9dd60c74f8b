import { describe, expect, it } from 'vitest';
import { readCart, readOrder } from '../../src/input.js';
import { readOptions } from '../../src/options.js';

const order = (o: Record<string, unknown>) => readOrder({ orderId: 'A-1', total: 10, ...o });
const item = (i: Record<string, unknown>) => readCart({ items: [{ sku: 'S', price: 1, ...i }] }).items[0];

describe('money', () => {
  it('takes numbers and dot-decimal strings as they are', () => {
    expect(order({ total: 2999 }).total).toBe(2999);
    expect(order({ total: '2999.00' }).total).toBe('2999.00');
    expect(order({ total: '-5.5' }).total).toBe('-5.5');
    expect(order({ total: 0 }).total).toBe(0);
  });

  it('refuses a thousands separator, naming the field and the fix', () => {
    expect(() => readCart({ items: [{ sku: 'S', price: '2,999.00' }] })).toThrow(
      'items[0].price: "2,999.00" uses a thousands separator; use a dot decimal like "2999.00"',
    );
    expect(() => order({ total: '1,234,567' })).toThrow('total: "1,234,567" uses a thousands separator; use a dot decimal like "1234567"');
  });

  it.each([['29,99'], ['2.999,00'], ['12 EUR'], [''], ['1.'], ['.5'], ['1.23456'], [' 1']])('refuses %j as an amount', (v) => {
    expect(() => order({ tax: v })).toThrow(`tax: "${v}" is not an amount: a number or a dot decimal like "2999.00"`);
  });

  it.each([[NaN], [Infinity], [1e14], [true], [['5']], [{}]])('refuses %s', (v) => {
    expect(() => order({ shipping: v })).toThrow(/^shipping: .* is not an amount/);
  });
});

describe('currency', () => {
  it('sends ISO 4217 codes uppercase', () => {
    expect(order({ currency: 'eur' }).currency).toBe('EUR');
    expect(order({ currency: 'HUF' }).currency).toBe('HUF');
  });

  it.each([['EURO'], ['€'], ['E1R'], [978]])('refuses %j', (v) => {
    expect(() => order({ currency: v })).toThrow(/^currency: .* is not an ISO 4217 code like "EUR"$/);
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

  it.each([[0], [1.5], [-1], ['2x'], [1e7], [1000001], ['01'], [true]])('refuses quantity %j', (q) => {
    expect(() => item({ quantity: q })).toThrow(/^items\[0\]\.quantity: .* is not a whole number from 1 to 1000000$/);
  });

  it('names the missing, unknown and badly typed fields of an item', () => {
    expect(() => readCart({ items: [{ sku: 'A', price: 1 }, { price: 1 }] })).toThrow('items[1].sku: is required');
    expect(() => item({ colour: 'red' })).toThrow('items[0].colour: is not a known field');
    expect(() => item({ sku: '' })).toThrow('items[0].sku: "" is not an ID (a non-empty string or a number)');
    expect(() => item({ sku: true })).toThrow('items[0].sku: true is not an ID (a non-empty string or a number)');
    expect(() => item({ name: 5 })).toThrow('items[0].name: 5 is not a string');
    expect(() => readCart({ items: ['SKU-1'] })).toThrow('items[0]: must be an object');
    expect(() => readCart({ items: 'SKU-1' })).toThrow('items: must be a list');
  });
});

describe('cart and order', () => {
  it('requires what the SPEC requires', () => {
    expect(() => readCart({})).toThrow('items: is required');
    expect(() => readOrder({ total: 1 })).toThrow('orderId: is required');
    expect(() => readOrder({ orderId: 'A' })).toThrow('total: is required');
    expect(() => readOrder(undefined)).toThrow('order: must be an object');
    expect(() => readCart('x')).toThrow('cart: must be an object');
  });

  it('gives an order without items an empty item list, and treats null as absent', () => {
    expect(readOrder({ orderId: 7, total: 5, tax: null, email: undefined })).toEqual({ orderId: '7', total: 5, items: [] });
  });

  it('refuses fields of the other call and typos', () => {
    expect(() => readCart({ items: [], orderId: 'A' })).toThrow('orderId: is not a known field');
    expect(() => readOrder({ orderId: 'A', total: 1, cartId: 'C' })).toThrow('cartId: is not a known field');
    expect(() => readOrder({ orderId: 'A', total: 1, totl: 1 })).toThrow('totl: is not a known field');
  });

  it('takes email, city and country as strings, leaving their limits to the collector', () => {
    expect(order({ email: 'jane@example.com', city: 'Wien', country: 'AT' })).toMatchObject({ email: 'jane@example.com', city: 'Wien', country: 'AT' });
    expect(() => order({ city: 5 })).toThrow('city: 5 is not a string');
    expect(() => order({ email: ['a@b.c'] })).toThrow('email: a@b.c is not a string');
  });
});

describe('init options', () => {
  const base = { customerId: '112734771', endpoint: 'https://c.example.com/' };

  it('fills the defaults and trims the endpoint', () => {
    expect(readOptions(base)).toEqual({
      customerId: '112734771',
      endpoint: 'https://c.example.com',
      attributionDays: 30,
      storage: 'auto',
      consent: 'granted',
      debug: false,
    });
    expect(readOptions({ ...base, customerId: 112734771, endpoint: '/collector' })).toMatchObject({ customerId: '112734771', endpoint: '/collector' });
    // A data-attribution-days attribute arrives as a string.
    expect(readOptions({ ...base, attributionDays: '0.5' }).attributionDays).toBe(0.5);
    expect(readOptions({ ...base, endpoint: '/' }).endpoint).toBe('');
  });

  it('names each bad option', () => {
    expect(() => readOptions({ endpoint: base.endpoint })).toThrow('customerId: is required');
    expect(() => readOptions({ ...base, customerId: 'a b' })).toThrow('customerId: "a b" is not a customer ID');
    expect(() => readOptions({ ...base, endpoint: 'collector.example.com' })).toThrow(
      'endpoint: "collector.example.com" is not a URL like "https://collector.example.com" or "/collector"',
    );
    expect(() => readOptions({ ...base, attributionDays: 0 })).toThrow('attributionDays: 0 is not a number of days above 0, at most 3650');
    expect(() => readOptions({ ...base, attributionDays: 'thirty' })).toThrow('attributionDays: "thirty" is not a number of days');
    expect(() => readOptions({ ...base, endpoint: 5 })).toThrow('endpoint: 5 is not a URL');
    expect(() => readOptions({ ...base, storage: 'local' })).toThrow('storage: "local" is not one of auto, cookie, session, none');
    expect(() => readOptions({ ...base, consent: 'yes' })).toThrow('consent: "yes" is not one of granted, pending, denied');
    expect(() => readOptions({ ...base, debug: 'true' })).toThrow('debug: "true" is not one of true, false');
    expect(() => readOptions({ ...base, customerID: 'x' })).toThrow('customerID: is not a known field');
    expect(() => readOptions(null)).toThrow('options: must be an object');
  });
});
