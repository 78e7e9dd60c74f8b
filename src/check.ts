// The checks of tracked events and init options (docs/sdk.md, "Input rules"). A check returns the normalized
// value, or reports the problem in the console and throws an Error with the same message,
// which names the field and the reason: `<field>: <value> is not <what>`, or
// `<field>: <reason>`.
//
// The browser checks what it must never send wrong: amounts, the currency, quantities, IDs
// and the required fields. Everything else (text fields, lengths, control characters, the
// email's form, unknown fields) is the collector's to check: it refuses the event naming the
// field and the reason, keeps it in its rejected-events table, and the SDK rejects the
// call's Promise with that reason. Checking it twice would not fit the SDK's byte budget
// (docs/sdk.md, "Size").
import { warn } from './log.js';

/** Warns `<field>: <reason>` and throws it. */
export const fail = (field: string, reason: string): never => {
  warn((field += ': ' + reason));
  throw Error(field);
};

/**
 * A rule: a test of the value (as a string; not an object); what it should be; and how to
 * normalize it. Tests are code, not regular expressions: a page's first regular expression
 * costs it about a millisecond of main-thread time (docs/sdk.md, "Size"), and the SDK's path
 * from load to a sent order uses none.
 */
type Rule = [((v: string) => unknown)?, string?, ((v: any) => unknown)?];

/** Whether `ok` takes every character of `s`. */
export const every = (s: string, ok: (c: string) => unknown) => [...s].every(ok);

/** 1 to `max` of the digits 0-9. */
const digits = (s: string, max: number) => s && s.length <= max && every(s, (c) => c >= '0' && c <= '9');

/** Order IDs and SKUs are often numbers: taken, and sent as strings; not empty, not NaN (a failed parseInt, as a number or printed), which would make all such orders one. */
const ID: Rule = [(v) => v && v != 'NaN', 'an ID', String];

/**
 * A number or a string with a dot decimal, up to 10¹³ (-?[0-9]{1,13}(.[0-9]+)?). Strings stay
 * strings, so that "19.90" reaches the collector as exactly 19.90 (more than 4 decimals in a
 * string are refused there: MONEY_PATTERN of src/protocol/constants.ts). A thousands
 * separator ("2,999.00", the mistake docs/sdk.md singles out) fails with the example beside
 * it: `"2,999.00" is not an amount like "2999.00"`.
 */
const MONEY: Rule = [
  (v, [units, decimals = '0', more] = v.split('.')) => more == null && digits(units[0] == '-' ? units.slice(1) : units, 13) && digits(decimals, 1e9),
  'an amount like "2999.00"',
];

const RULES: Record<string, Rule> = {
  // init option; the collector checks its form, and refuses a batch for an unknown customer.
  customerId: ID,
  orderId: ID,
  cartId: ID,
  sku: ID,
  price: MONEY,
  total: MONEY,
  tax: MONEY,
  shipping: MONEY,
  // 1 to 1,000,000 (leading zeros are harmless: sent as a number)
  quantity: [(v) => digits(v, 7) && +v && +v <= 1e6, 'a quantity', Number],
  // three ASCII letters
  currency: [(v) => v.length == 3 && every(v, (c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')), 'a currency code', (v) => v.toUpperCase()],
};

/**
 * Checks an object: its `required` fields are present, each field with a rule passes it,
 * `items` is a list of items (a lone item counts as a list of one); other fields are taken as
 * they are. null and undefined count as absent; a value that is not an object (undefined, a
 * string) has all its required fields missing.
 */
export function fields(v: any, required: string[], prefix = ''): Record<string, any> {
  v = Object(v);
  const out: Record<string, unknown> = {};
  for (const k of required) if (v[k] == null) fail(prefix + k, 'is required');
  for (const k in v) {
    const x = v[k];
    // (x + 0 throws for a BigInt or a Symbol, which JSON cannot carry: refused here, not
    // queued to fail every send after it)
    const [test, what, to = (x: any) => x + 0 && x] = RULES[k] || [];
    if (x != null)
      out[k] =
        k == 'items'
          ? [].concat(x).map((item, i) => ({ quantity: 1, ...fields(item, ['sku', 'price'], `items[${i}].`) }))
          : typeof x != 'object' && (!test || test('' + x))
            ? to(x)
            : fail(prefix + k, JSON.stringify(x) + ' is not ' + what);
  }
  return out;
}
