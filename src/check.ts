// The checks of init options and tracked events (SPEC 3.2), one table for both. A check
// returns the normalized value, or reports the problem in the console and throws an Error
// with the same message, which names the field and the reason:
// `<field>: <value> is not <what>`, or `<field>: <reason>`.
//
// The browser checks what it must never send wrong (amounts, currency, quantities, IDs,
// required fields) and the options. Everything else (text fields, lengths, control
// characters, the email's form, unknown fields) is the collector's to check: it refuses the
// event naming the field and the reason, keeps it in its rejected-events table, and the SDK
// rejects the call's Promise with that reason. Checking it twice would not fit the SDK's
// byte budget (SPEC 6).
import { warn } from './log.js';

/** A bad value quoted as the shop wrote it. */
export const show = (v: unknown): string => (typeof v == 'string' ? `"${v}"` : `${v}`);

/** Warns `<field>: <reason>` and throws it. */
export const fail = (field: string, reason: string): never => {
  warn((field += ': ' + reason));
  throw Error(field);
};

/**
 * A rule: a pattern matched against `typeof value + value` (so that `"2999.00"` is
 * `string2999.00` and `2999` is `number2999`), what the value should be, and how to
 * normalize it.
 */
type Rule = [RegExp, string, ((v: any) => unknown)?];

/** Order IDs and SKUs are often numbers: taken, and sent as strings. */
const ID: Rule = [/^(string.|number-?\d)/, 'an ID', String];

/**
 * A number (any finite one up to 10¹³), or a string with a dot decimal (MONEY_PATTERN of
 * src/protocol/constants.ts: a test keeps them in step). Strings stay strings, so that "19.90"
 * reaches the collector as exactly 19.90. The message names the thousands separator, the
 * mistake SPEC 3.2 singles out.
 */
const MONEY: Rule = [/^(string-?\d{1,13}(\.\d{1,4})?|number-?\d{1,13}(\.\d+)?)$/, 'an amount like "2999.00" (no thousands separator)'];

export const RULES: Record<string, Rule> = {
  // init options
  customerId: [/^(string|number)[\w-]{1,64}$/, 'a customer ID', String],
  // Without a scheme, "collector.example.com" would silently post to a path of the shop.
  endpoint: [/^string(https?:\/)?\//, 'a URL', (v) => v.replace(/\/+$/, '')],
  // Above 0, fractions allowed; a number, or the string of a data-attribution-days attribute.
  attributionDays: [/^(string|number)\d*\.?\d*[1-9]\d*$/, 'a number of days', Number],
  storage: [/^string(auto|cookie|session|none)$/, 'auto, cookie, session or none'],
  consent: [/^string(granted|pending|denied)$/, 'granted, pending or denied'],
  // cart, order and item fields
  orderId: ID,
  cartId: ID,
  sku: ID,
  price: MONEY,
  total: MONEY,
  tax: MONEY,
  shipping: MONEY,
  quantity: [/^(string|number)([1-9]\d{0,5}|1000000)$/, 'a quantity (1 to 1000000)', Number],
  currency: [/^string[a-z]{3}$/i, 'a currency code like "EUR"', (v) => v.toUpperCase()],
};

/**
 * Checks an object: its `required` fields are present, each field with a rule passes it,
 * `items` is a list of items; other fields are taken as they are. null and undefined count
 * as absent.
 */
export function fields(v: any, required: string[], name: string, prefix = ''): Record<string, any> {
  if (!v || typeof v != 'object') fail(name, 'must be an object');
  const out: Record<string, unknown> = {};
  for (const k of required) if (v[k] == null) fail(prefix + k, 'is required');
  for (const k in v) {
    const x = v[k];
    const [pattern, what, to = (x: unknown) => x] = RULES[k] || [/^/];
    if (x != null)
      out[k] =
        k == 'items'
          ? Array.isArray(x)
            ? x.map((item, i) => ({ quantity: 1, ...fields(item, ['sku', 'price'], `items[${i}]`, `items[${i}].`) }))
            : fail(k, show(x) + ' is not a list')
          : pattern.test(typeof x + x)
            ? to(x)
            : fail(prefix + k, show(x) + ' is not ' + what);
  }
  return out;
}
