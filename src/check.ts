// Input checks shared by init options and tracked events. A check returns the normalized
// value or throws an Error whose message names the field and the reason.
import { TEXT_PATTERN } from './protocol/constants.js';

export type Check = (value: unknown, field: string) => unknown;
export type Fields = Record<string, Check>;

const TEXT = new RegExp(TEXT_PATTERN);

/** A bad value quoted as the shop wrote it. */
export const show = (v: unknown): string => (typeof v == 'string' ? `"${v}"` : String(v));

export function fail(field: string, reason: string): never {
  throw Error(field + ': ' + reason);
}

/** A check: `ok(v)` passes `to(v)` on; anything else fails as "<field>: <value> is not <what>". */
export const must =
  (ok: (v: any) => unknown, what: string, to = (v: any): unknown => v): Check =>
  (v, f) =>
    ok(v) ? to(v) : fail(f, `${show(v)} is not ${what}`);

/** True for text the wire format takes: `min` to `max` characters, no control characters. */
export const isText = (v: unknown, max: number, min = 0): v is string =>
  typeof v == 'string' && v.length >= min && v.length <= max && TEXT.test(v);

// Length and character limits are the collector's to enforce: it names the field when it
// refuses, and keeps the refused event, so nothing is lost silently.
export const text = must((v) => typeof v == 'string', 'a string');

/** Order IDs and SKUs are often numbers: taken, and sent as strings. */
export const id = must((v) => /string|number/.test(typeof v) && v !== '', 'an ID (a non-empty string or a number)', String);

export const oneOf = (...allowed: unknown[]) => must((v) => allowed.indexOf(v) >= 0, 'one of ' + allowed.join(', '));

/**
 * Checks an object field by field. Unknown fields are refused (a typo must not silently
 * drop data); null and undefined count as absent.
 */
export function fields(value: unknown, table: Fields, required: string[], name: string, prefix = ''): Record<string, unknown> {
  if (!value || typeof value != 'object' || Array.isArray(value)) fail(name, 'must be an object');
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of required) if (v[k] == null) fail(prefix + k, 'is required');
  for (const k in v) {
    if (!table.hasOwnProperty(k)) fail(prefix + k, 'is not a known field');
    if (v[k] != null) out[k] = table[k](v[k], prefix + k);
  }
  return out;
}
