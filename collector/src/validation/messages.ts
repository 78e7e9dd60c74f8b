// Turns TypeBox validation errors into what a user reads: the field path
// (`events[2].items[0].price`) and a reason in plain words.
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { CURRENCY_PATTERN, MONEY_PATTERN } from '../../../src/protocol/index.js';
import { CART_ID_PATTERN, CUSTOMER_ID_PATTERN, EMAIL_PATTERN, ID_PATTERN, PATH_PATTERN, TEXT_PATTERN } from '../../../src/protocol/constants.js';

export interface FieldError {
  field: string;
  reason: string;
}

const KNOWN_PATTERNS: Record<string, string> = {
  [TEXT_PATTERN]: 'must not contain control characters',
  [ID_PATTERN]: 'must not contain control characters',
  [CART_ID_PATTERN]: 'must not contain control characters or "~" (reserved for closed carts: <cartId>~<orderId>)',
  [CURRENCY_PATTERN]: 'must be an ISO 4217 currency code such as EUR',
  [MONEY_PATTERN]: 'must be a dot-decimal amount such as "2999.00" (no thousands separator)',
  [EMAIL_PATTERN]: 'must be an email address',
  [CUSTOMER_ID_PATTERN]: 'must contain only letters, digits, "_" and "-"',
  [PATH_PATTERN]: 'must be a path from "/" without query string, fragment or control characters',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}$': 'must be a date (YYYY-MM-DD)',
};

/** A well-formed amount with more decimals than the wire format keeps says so; anything else gets the format. */
const moneyReason = (v: string) => (/^-?[0-9]{1,13}\.[0-9]{5,}$/.test(v) ? 'must have at most 4 decimals' : KNOWN_PATTERNS[MONEY_PATTERN]);

/** A surrogate that is not half of a pair: valid in JSON ("\ud800"), but no text. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** JSON pointer (`/events/2/items/0/price`) → `events[2].items[0].price`, appended to `base`. */
export function fieldPath(pointer: string, base = ''): string {
  let out = base;
  if (pointer === '') return out;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(0|[1-9][0-9]{0,8})$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg.length > 64 ? `${seg.slice(0, 64)}…` : seg)}]`;
  }
  return out;
}

/** The reason for one TypeBox error, in the words of the API docs. */
export function reasonOf(error: ValueError): string {
  const s = error.schema as Record<string, unknown>;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not a known field';
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.Number:
      return 'must be a number';
    case ValueErrorType.Integer:
      return 'must be an integer';
    case ValueErrorType.Boolean:
      return 'must be true or false';
    case ValueErrorType.Object:
      return 'must be an object';
    case ValueErrorType.Array:
      return 'must be an array';
    case ValueErrorType.Null:
      return 'must be null';
    case ValueErrorType.Literal:
      return `must be ${JSON.stringify(s.const)}`;
    case ValueErrorType.Union:
      if (typeof s.errorMessage === 'string') return s.errorMessage;
      if (Array.isArray(s.anyOf) && s.anyOf.every((x: { const?: unknown }) => x.const !== undefined)) {
        return `must be one of ${s.anyOf.map((x: { const?: unknown }) => JSON.stringify(x.const)).join(', ')}`;
      }
      if (isMoney(s)) {
        // the reason of the alternative the value's type picks
        if (typeof error.value === 'number') {
          const range = (s.anyOf as { minimum?: number; maximum?: number }[]).find((x) => x.maximum !== undefined)!;
          return `must be between ${range.minimum} and ${range.maximum}`;
        }
        if (typeof error.value === 'string') return moneyReason(error.value);
        return 'must be a number or a dot-decimal string';
      }
      return typeof s.description === 'string' ? `must be ${s.description}` : 'has an unexpected type';
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(s.maxLength)} characters`;
    case ValueErrorType.StringMinLength:
      return s.minLength === 1 ? 'must not be empty' : `must be at least ${String(s.minLength)} characters`;
    case ValueErrorType.StringPattern: {
      if ((s.pattern === ID_PATTERN || s.pattern === CART_ID_PATTERN) && (error.value === '.' || error.value === '..')) return 'must not be "." or ".." (an ID must fit in a URL path)';
      if (typeof error.value === 'string' && LONE_SURROGATE.test(error.value)) return 'must be valid Unicode text (it has an unpaired surrogate)';
      if (s.pattern === MONEY_PATTERN && typeof error.value === 'string') return moneyReason(error.value);
      const known = KNOWN_PATTERNS[String(s.pattern)];
      if (known) return known;
      return typeof s.description === 'string' ? `must be ${s.description}` : 'has an invalid format';
    }
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${String(s.minimum)}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be at most ${String(s.maximum)}`;
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${String(s.maxItems)} entries`;
    case ValueErrorType.ArrayUniqueItems:
      return 'must not contain the same value twice';
    case ValueErrorType.ArrayMinItems:
      return s.minItems === 1 ? 'must not be empty' : `must have at least ${String(s.minItems)} entries`;
    case ValueErrorType.ObjectMinProperties:
    case ValueErrorType.ObjectMaxProperties:
      return typeof s.errorMessage === 'string' ? s.errorMessage : plain(error);
    default:
      return plain(error);
  }
}

/** TypeBox's own message, as a reason. */
const plain = (error: ValueError) => error.message.charAt(0).toLowerCase() + error.message.slice(1);

function isMoney(s: Record<string, unknown>): boolean {
  return Array.isArray(s.anyOf) && s.anyOf.some((x: { pattern?: unknown }) => x.pattern === MONEY_PATTERN);
}

/** First error of an iterator as a field error, or undefined when the value is valid. */
export function firstError(errors: Iterable<ValueError>, base = ''): FieldError | undefined {
  for (const e of errors) return { field: fieldPath(e.path, base) || base || 'value', reason: reasonOf(e) };
  return undefined;
}

/** `field: reason`, the message format of every 4xx answer. */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${e.reason}`;
}
