import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/reports/cursor.js';
import { T0 } from '../helpers/fixtures.js';

describe('report cursors', () => {
  it('round-trips and refuses cursors of another report or tampered ones', () => {
    const c = encodeCursor('orders', [T0, 'A-1']);
    expect(decodeCursor('orders', c, 'ns')).toEqual([T0, 'A-1']);
    expect(() => decodeCursor('items', c, 'nsn')).toThrow('cursor: is not a cursor of the items report');
    expect(() => decodeCursor('orders', 'garbage!', 'ns')).toThrow('cursor: is not a cursor given by this API');
    expect(() => decodeCursor('orders', encodeCursor('orders', ['x', 'A']), 'ns')).toThrow('cursor: is not a cursor given by this API');
  });
});
