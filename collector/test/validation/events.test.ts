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
      'events[2].items[0].price: must be a dot-decimal amount such as "2999.00" (no thousands separator)',
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

  it('gives the reason of the money alternative the value is: a number out of range, or a string', () => {
    const bad = (ev: object) => {
      const r = checkEvent(ev, 'events[0]');
      return r.ok ? 'ok' : `${r.error.field}: ${r.error.reason}`;
    };
    expect(bad(order({ total: 2e13 }))).toBe('events[0].total: must be between -10000000000000 and 10000000000000');
    expect(bad(order({ shipping: -2e13 }))).toBe('events[0].shipping: must be between -10000000000000 and 10000000000000');
    expect(bad(order({ tax: '2,999.00' }))).toBe('events[0].tax: must be a dot-decimal amount such as "2999.00" (no thousands separator)');
    expect(bad(order({ total: null }))).toBe('events[0].total: must be a number or a dot-decimal string');
    // a well-formed amount with too many decimals says so (the number 1.23456 is rounded instead)
    expect(bad(order({ total: '1.23456' }))).toBe('events[0].total: must have at most 4 decimals');
    // zeros after them are taken (Magento prints "19.990000")
    expect(bad(order({ total: '19.990000', tax: '0.000000' }))).toBe('ok');
    expect(bad(order({ total: '1.2.3' }))).toBe('events[0].total: must be a dot-decimal amount such as "2999.00" (no thousands separator)');
    expect(bad(order({ total: 1e13 }))).toBe('ok');
  });

  it('refuses text that is not well-formed Unicode: an unpaired surrogate (valid JSON) is no character', () => {
    const bad = (ev: object) => {
      const r = checkEvent(JSON.parse(JSON.stringify(ev).replaceAll('LONE', '\\ud800').replaceAll('LOW', '\\udc00')), 'events[0]');
      return r.ok ? 'ok' : `${r.error.field}: ${r.error.reason}`;
    };
    const unpaired = 'must be valid Unicode text (it has an unpaired surrogate)';
    expect(bad(order({ orderId: 'X-LONE' }))).toBe(`events[0].orderId: ${unpaired}`);
    expect(bad(order({ items: [{ sku: 'A', name: 'Sofa LOW', price: 1, quantity: 1 }] }))).toBe(`events[0].items[0].name: ${unpaired}`);
    expect(bad(order({ email: 'aLONE@example.com' }))).toBe(`events[0].email: ${unpaired}`);
    expect(bad(order({ cartId: 'LONELOW' }))).toBe('ok'); // \ud800\udc00: a pair, U+10000
    expect(bad({ type: 'click', id: 'c1', time: 1, visitor: 'v', attribution: { emst: '1.u', at: 1 }, path: '/LOW' })).toBe(`events[0].path: ${unpaired}`);
    // paired surrogates (emoji, astral scripts) are text
    expect(bad(order({ city: 'Tōkyō 🗼', items: [{ sku: '𝒳-1', name: '🛋️', price: 1, quantity: 1 }], email: 'ü😀@example.com' }))).toBe('ok');
  });

  it('refuses "." and ".." as IDs, which no URL path can carry (the order could never be looked up or refunded)', () => {
    const bad = (ev: object) => {
      const r = checkEvent(ev, 'events[0]');
      return r.ok ? 'ok' : `${r.error.field}: ${r.error.reason}`;
    };
    const dots = 'must not be "." or ".." (an ID must fit in a URL path)';
    expect(bad(order({ orderId: '.' }))).toBe(`events[0].orderId: ${dots}`);
    expect(bad(order({ cartId: '..' }))).toBe(`events[0].cartId: ${dots}`);
    expect(bad(order({ orderId: '...', cartId: '.x', items: [{ sku: 'a.b', price: 1, quantity: 1 }] }))).toBe('ok');
    // other fields keep their own reasons for a dot
    expect(bad(order({ currency: '.' }))).toBe('events[0].currency: must be an ISO 4217 currency code such as EUR');
    expect(bad(order({ email: '..' }))).toBe('events[0].email: must be an email address');
  });

  it('reserves "~" in cart IDs for the closed carts of a reused cart ID', () => {
    const r = checkEvent({ type: 'cart', id: 'e1', time: 1, visitor: 'v', cartId: 'K~K-O1', items: [] }, 'events[0]');
    expect(r.ok ? 'ok' : `${r.error.field}: ${r.error.reason}`).toBe('events[0].cartId: must not contain control characters or "~" (reserved for closed carts: <cartId>~<orderId>)');
    const o = checkEvent(order({ cartId: 'a~b' }), 'events[1]');
    expect(o.ok ? 'ok' : o.error.field).toBe('events[1].cartId');
    // other IDs may hold one
    expect(checkEvent(order({ orderId: 'A~1' }), 'events[0]').ok).toBe(true);
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
