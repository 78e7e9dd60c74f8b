// Dependency-free protocol facts: the browser SDK imports only from here (and types),
// so the schema library never reaches the bundle.

/** Version of the wire format; the collector rejects batches of a version it does not know. */
export const PROTOCOL_VERSION = 1;

/** URL parameters captured on landing (docs/sdk.md). */
export const CAMPAIGN_PARAMS = [
  'emst',
  'sc_src',
  'sc_uid',
  'sc_lid',
  'sc_llid',
  'sc_eh',
  'sc_customer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
] as const;
export type CampaignParam = (typeof CAMPAIGN_PARAMS)[number];

/** Cookies written by the legacy Suite `emstrack.js`, read so a shop can switch without losing live attributions. */
export const LEGACY_CAMPAIGN_COOKIE = '_ems_campaign';
export const LEGACY_VISITOR_COOKIE = '_ems_visitor';
export const LEGACY_SESSION_COOKIE = '_ems_session';

/**
 * Money on the wire and in the API: a number, or a string with a dot decimal and no thousands
 * separator; at most 4 decimals count, and zeros after them are taken (Magento and others
 * print "19.990000").
 */
export const MONEY_PATTERN = '^-?[0-9]{1,13}(\\.[0-9]{1,4}0{0,12})?$';
/**
 * One character of text other than `excluded`. A surrogate pair counts as one character; an
 * unpaired surrogate (valid in JSON: "\ud800") is no text at all: PostgreSQL refuses it and
 * SQLite would store bytes that read back as something else. The same in a `u`-flag regex.
 */
const char = (excluded: string) => `(?:[^${excluded}\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])`;
const CONTROL = '\\u0000-\\u001F\\u007F';
/** Free text: C0 control characters and DEL are refused (they break CSV, logs and dashboards). */
export const TEXT_PATTERN = `^${char(CONTROL)}*$`;
/** IDs: text that is not `.` or `..`, which no URL path can carry as a segment (`/orders/..` is `/`). */
export const ID_PATTERN = `^(?!\\.\\.?$)${char(CONTROL)}*$`;
/** Cart IDs: also no `~`, which names the closed cart of a reused cart ID (`<cartId>~<orderId>`, docs/collector.md). */
export const CART_ID_PATTERN = `^(?!\\.\\.?$)${char(`~${CONTROL}`)}*$`;
/** Contact email: one `@`, no spaces, quotes, angle brackets or control characters (PostgreSQL refuses U+0000 in text). */
export const EMAIL_PATTERN = `^${char(`\\s@<>"${CONTROL}`)}+@${char(`\\s@<>"${CONTROL}`)}+$`;
/** Customer (account) IDs: 1 to 64 of these characters (the one rule, used by the wire format, the routes, the CLI and the token format). */
export const CUSTOMER_ID_CHARS = 'A-Za-z0-9_-';
export const CUSTOMER_ID_PATTERN = `^[${CUSTOMER_ID_CHARS}]{1,64}$`;
/** A landing page's path: from `/`, without query string or fragment (their parameters are in `attribution`; the rest may be personal). */
export const PATH_PATTERN = `^/${char(`?#${CONTROL}`)}*$`;
/** ISO 4217 alphabetic code. */
export const CURRENCY_PATTERN = '^[A-Z]{3}$';

export const LIMITS = {
  /** events in one POST /v1/events batch */
  batchEvents: 100,
  /** items in one cart or order */
  items: 500,
  /** bytes of one request body */
  bodyBytes: 512 * 1024,
  id: 128,
  text: 512,
  email: 254,
} as const;

/** Routes of the collector that the browser talks to. */
export const ROUTES = {
  events: '/v1/events',
  pixel: '/v1/pixel.gif',
  legacyPixel: '/upages/ti.php',
} as const;
