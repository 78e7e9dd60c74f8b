// Opaque keyset cursors: base64url JSON of [report, ...key]. A cursor from another report,
// or a tampered one, is a 400 naming `cursor`.
import { TEXT_PATTERN } from '../../../src/protocol/constants.js';
import { badRequest } from '../errors.js';

const TEXT = new RegExp(TEXT_PATTERN);
/** The largest value of a PostgreSQL `integer` column (an item's line). */
const INT4_MAX = 2 ** 31 - 1;

export type CursorKey = (string | number)[];

export function encodeCursor(report: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify([report, ...key])).toString('base64url');
}

/**
 * Decodes a cursor and checks its shape: one entry per type in `shape` ('n' a whole number from
 * 0, 'i' one that fits an `integer` column, 's' text as the wire format has it). A tampered
 * value is a 400 here, never a database error.
 */
export function decodeCursor(report: string, cursor: string, shape: string): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('cursor', 'is not a cursor given by this API');
  }
  if (!Array.isArray(parsed) || parsed[0] !== report || parsed.length !== shape.length + 1) {
    throw badRequest('cursor', `is not a cursor of the ${report} report`);
  }
  const key = parsed.slice(1) as unknown[];
  for (let i = 0; i < shape.length; i++) {
    const v = key[i];
    const ok = shape[i] === 's' ? typeof v === 'string' && TEXT.test(v) : Number.isSafeInteger(v) && (v as number) >= 0 && (shape[i] === 'n' || (v as number) <= INT4_MAX);
    if (!ok) throw badRequest('cursor', 'is not a cursor given by this API');
  }
  return key as CursorKey;
}
