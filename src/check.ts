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
 * A rule: a pattern the value (not an object) must match, or none for any but the empty
 * string; what it should be; and how to normalize it. Patterns only where nothing else will
 * do: V8 compiles each regular expression at its first use, tens of µs of the page's time.
 */
type Rule = [RegExp | undefined, string, ((v: any) => unknown)?];

/** Order IDs and SKUs are often numbers: taken, and sent as strings; not NaN (a failed parseInt), which would make all such orders one. */
const ID: Rule = [, 'an ID', String];

/**
 * A number or a string with a dot decimal, up to 10¹³. Strings stay strings, so that "19.90"
 * reaches the collector as exactly 19.90 (more than 4 decimals in a string are refused there:
 * MONEY_PATTERN of src/protocol/constants.ts). A thousands separator ("2,999.00", the mistake
 * docs/sdk.md singles out) fails with the example beside it: `"2,999.00" is not an amount like
 * "2999.00"`.
 */
const MONEY: Rule = [/^-?\d{1,13}(\.\d+)?$/, 'an amount like "2999.00"'];

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
  quantity: [/^([1-9]\d{0,5}|1000000)$/, 'a quantity', Number],
  // not /i: a case-insensitive pattern costs several times as much to compile
  currency: [/^[a-zA-Z]{3}$/, 'a currency code', (v) => v.toUpperCase()],
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
    const [pattern, what, to = (x: any) => x + 0 && x] = RULES[k] || [];
    if (x != null)
      out[k] =
        k == 'items'
          ? [].concat(x).map((item, i) => ({ quantity: 1, ...fields(item, ['sku', 'price'], `items[${i}].`) }))
          : typeof x != 'object' && (pattern ? pattern.test(x) : !what || (x !== '' && x == x))
            ? to(x)
            : fail(prefix + k, JSON.stringify(x) + ' is not ' + what);
  }
  return out;
}
