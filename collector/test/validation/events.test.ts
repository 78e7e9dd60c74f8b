import { describe, expect, it } from 'vitest';
import { checkEvent, parseBatch } from '../../src/validation/events.js';
import { order } from '../helpers/fixtures.js';

describe('validation of ingested events', () => {
  it('names the field path and the reason', () => {
    const bad = (ev: object) => {
      const r = checkEvent(ev, 'events[2]');
      if (r.ok) throw new Error('expected an error');
      return `${r.error.field}: ${r.error.reason}`;
    };
    expect(bad(order({ items: [{ sku: 'A', price: '2,999.00', quantity: 1 }] }))).toBe(
      'events[2].items[0].price: must be a number or a dot-decimal string',
    );
    expect(bad(order({ total: true }))).toBe('events[2].total: must be a number or a dot-decimal string');
    expect(bad(JSON.parse(JSON.stringify({ ...order(), orderId: undefined })))).toBe('events[2].orderId: is required');
    expect(bad(order({ currency: 'euro' }))).toBe('events[2].currency: must be an ISO 4217 currency code such as EUR');
    expect(bad(order({ city: 'a\u0000b' }))).toBe('events[2].city: must not contain control characters');
    expect(bad(order({ city: 'x'.repeat(513) }))).toBe('events[2].city: must be at most 512 characters');
    expect(bad(order({ email: 'nope' }))).toBe('events[2].email: must be an email address');
    expect(bad(order({ time: 1.5 }))).toBe('events[2].time: must be an integer');
    expect(bad(order({ colour: 'red' }))).toBe('events[2].colour: is not a known field');
    expect(bad({ type: 'refund' })).toBe('events[2].type: must be "cart", "order" or "click"');
    expect(bad({ id: 'x' })).toBe('events[2].type: is required');
    expect(checkEvent('x', 'events[0]')).toEqual({ ok: false, error: { field: 'events[0]', reason: 'must be an object' } });
  });

  it('checks the batch envelope', () => {
    const err = (text: string) => {
      const r = parseBatch(text);
      if (r.ok) throw new Error('expected an error');
      return `${r.error.field}: ${r.error.reason}`;
    };
    expect(err('{')).toMatch(/^body: is not valid JSON \(/);
    expect(err('[]')).toBe('body: must be a JSON object { v, customerId, events }');
    expect(err('{"v":2,"customerId":"1","events":[{}]}')).toBe('v: must be 1 (protocol version 2 is unknown to this collector)');
    expect(err('{"v":1,"events":[{}]}')).toBe('customerId: is required');
    expect(err('{"v":1,"customerId":"1","events":[]}')).toBe('events: must not be empty');
    expect(err(JSON.stringify({ v: 1, customerId: '1', events: Array(101).fill({}) }))).toBe('events: must have at most 100 entries');
    expect(err('{"v":1,"customerId":"a b","events":[{}]}')).toBe('customerId: must contain only letters, digits, "_" and "-"');
  });
});
