// @ts-check
// The collector's HTTP API as the dashboard uses it (docs/http-api.md). The session cookie
// is HttpOnly and same-origin, so fetch carries it and no token lives in the page.
// The row types follow the report columns the collector writes (collector/src/reports/columns.ts).

/** @typedef {import('./money.js').Amount} Amount */
/**
 * @typedef {{ email: string, role: string, customerId: string, customerName: string, currency: string }} User
 *   the logged-in user; `currency` is the account's default
 * @typedef {{ campaignId: string | null, campaignName: string | null }} Attributed
 * @typedef {Attributed & { currency: string, revenue: Amount, buyers: number, orders: number,
 *   averageOrderValue: Amount, abandonedCarts: number, abandonedValue: Amount, recoveredCarts: number,
 *   carts: number, conversionRate: number, clicks: number, clickConversion: number | null, refundedOrders: number,
 *   refunded: Amount, netRevenue: Amount }} SummaryRow
 *   `revenue` is gross; `clickConversion` is null without clicks
 * @typedef {{ date: string, currency: string, revenue: Amount, orders: number, abandonedCarts: number,
 *   abandonedValue: Amount, refunded: Amount, netRevenue: Amount }} DayRow
 * @typedef {Attributed & { time: string, email: string | null, contactUid: string | null, total: Amount,
 *   currency: string, tax: Amount | null, shipping: Amount | null, city: string | null, country: string | null,
 *   itemCount: number }} Purchase
 * @typedef {'cookie' | 'visitor' | 'contact' | 'emst' | 'api'} AttributionMethod how an order found its campaign
 * @typedef {Purchase & { orderId: string, source: string, attribution: AttributionMethod | null, clickAt: string | null,
 *   refunded: Amount, netTotal: Amount, cancelledAt: string | null }} OrderRow
 *   `attribution` is null for direct traffic
 * @typedef {{ attribution: AttributionMethod | 'none', currency: string, orders: number, revenue: Amount, refunded: Amount,
 *   netRevenue: Amount }} AttributionRow orders and revenue of one attribution method in one currency
 * @typedef {Purchase & { cartId: string, abandonedAt: string | null }} CartRow
 * @typedef {{ sku: string, name: string | null, category: string | null, price: Amount, quantity: number }} LineItem
 * @typedef {{ items: LineItem[] }} WithItems
 * @typedef {OrderRow & WithItems} OrderDetail
 * @typedef {CartRow & WithItems & { state: string, orderId: string | null }} CartDetail
 * @typedef {LineItem & Attributed & { time: string, orderId: string, currency?: string }} ItemRow
 *   an item sold; `currency` is its order's, when the collector sends it
 * @typedef {{ campaignId: string, name: string | null }} CampaignRow
 * @typedef {{ dataUpTo?: Date }} Lag set while events received before that time are still being applied
 */
/**
 * @template R
 * @typedef {Lag & { rows: R[], total: number, next: string | null }} ReportPage
 */
/** @typedef {Record<string, string | number | undefined>} Params */

export class ApiError extends Error {
  /** @param {number} status @param {string | undefined} code @param {string | undefined} message @param {number} [retryAfter] seconds, from a 429's Retry-After */
  constructor(status, code, message, retryAfter) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/**
 * @template T
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, signal?: AbortSignal }} [options]
 * @returns {Promise<T>} the JSON answer (undefined for 204), as the route documents it
 */
async function request(method, path, { body, signal } = {}) {
  const res = await fetch(path, {
    method,
    signal,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return /** @type {T} */ (undefined);
  const data = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, data?.error, data?.message, Number(res.headers.get('retry-after')) || undefined);
  // set while events received before this time are still being applied (docs/dashboard.md)
  const upTo = res.headers.get('x-data-up-to');
  if (upTo && data && typeof data === 'object') Object.defineProperty(data, 'dataUpTo', { value: new Date(upTo) });
  return data;
}

export const session = {
  /** The logged-in user, or undefined when there is no session. @returns {Promise<User | undefined>} */
  async current() {
    try {
      return (await request('GET', '/api/v1/session')).user;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return undefined;
      throw err;
    }
  },
  /** @param {string} customerId @param {string} email @param {string} password @returns {Promise<User>} */
  async login(customerId, email, password) {
    return (await request('POST', '/api/v1/session', { body: { customerId, email, password } })).user;
  },
  /** @returns {Promise<void>} */
  logout: () => request('DELETE', '/api/v1/session'),
};

/**
 * URL of one report; the CSV link is the same URL with format=csv.
 * @param {string} customerId
 * @param {string} report a report route, e.g. `orders` or `orders/A-1001`
 * @param {Params} [params]
 */
export function reportUrl(customerId, report, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, String(value));
  const qs = query.toString();
  return `/api/v1/customers/${encodeURIComponent(customerId)}/${report}${qs ? `?${qs}` : ''}`;
}

/**
 * @template T the answer: a ReportPage of the report's rows, or one row for a detail route
 * @param {string} customerId
 * @param {string} report
 * @param {Params} params
 * @param {AbortSignal} [signal]
 * @returns {Promise<T>}
 */
export function getReport(customerId, report, params, signal) {
  return request('GET', reportUrl(customerId, report, params), { signal });
}
