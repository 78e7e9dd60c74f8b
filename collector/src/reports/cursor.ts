// Opaque keyset cursors: base64url JSON of [report, ...key]. A cursor from another report,
// or a tampered one, is a 400 naming `cursor`.
import { badRequest } from '../errors.js';

export type CursorKey = (string | number)[];

export function encodeCursor(report: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify([report, ...key])).toString('base64url');
}

/** Decodes a cursor and checks its shape: one entry per type in `shape` ('n' number, 's' string). */
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
    const ok = shape[i] === 'n' ? Number.isSafeInteger(key[i]) : typeof key[i] === 'string';
    if (!ok) throw badRequest('cursor', 'is not a cursor given by this API');
  }
  return key as CursorKey;
}
