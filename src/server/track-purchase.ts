// trackPurchase: a server-side purchase from the shop's backend (docs/advanced.md), through
// POST /api/v1/customers/:customerId/purchases with the user's API token. The collector
// stores an order once per (customer, orderId), so retrying a POST never double-counts.
import { pick } from '../cookies.js';
import { CURRENCY_PATTERN } from '../protocol/constants.js';
import type { Item, Money } from '../protocol/schema.js';
import { attempt, CART, VISITOR } from '../storage.js';
import { endpointBase, fail, items, money, optionalText, text, type ItemInput } from './check.js';

export interface Purchase {
  email: string;
  orderId: string;
  total?: Money;
  /** ISO 4217; the customer's default when absent. */
  currency?: string;
  items?: ItemInput[];
  /** The `emst` value of the email link the buyer came from, if any. */
  emst?: string;
  /** When the purchase was made (epoch ms or a Date); the collector's clock when absent. */
  time?: number | Date;
  /**
   * The SDK's cart ID, read from the shopper's request at checkout (`trackingIds`): the
   * collector closes that cart, so a buyer who never reaches the Thank You page is not sent
   * an abandoned-cart email.
   */
  cartId?: string;
  /** The SDK's visitor ID (`trackingIds`): without a cart ID, the visitor's earlier carts are closed. */
  visitor?: string;
}

export interface TrackPurchaseOptions {
  /** The collector's base URL, e.g. `https://collector.example.com`. */
  endpoint: string;
  customerId: string;
  /** An API token of a user of that customer (`emarsys-collector users add` prints it). */
  token: string;
  purchase: Purchase;
  /** Retries after the first attempt, on network errors, timeouts, 5xx and 429. Default 3. */
  retries?: number;
  /** First retry delay; doubled each time, with jitter. Default 500 ms. */
  backoffMs?: number;
  /** Longest wait between attempts, `Retry-After` included. Default 30 s. */
  maxDelayMs?: number;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** For tests or proxies; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface TrackPurchaseResult {
  status: number;
  /** The collector's JSON answer. */
  body: unknown;
  attempts: number;
}

export class TrackPurchaseError extends Error {
  override name = 'TrackPurchaseError';
  constructor(
    message: string,
    /** HTTP status of the last answer; undefined when the collector was never reached. */
    readonly status: number | undefined,
    readonly attempts: number,
    readonly body?: unknown,
    /** The network error behind the last failed attempt, if any. */
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

const CURRENCY = new RegExp(CURRENCY_PATTERN);

function body(p: Purchase): Record<string, unknown> {
  if (typeof p !== 'object' || p === null) fail('purchase', 'must be an object');
  const email = text('purchase.email', p.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) fail('purchase.email', `${JSON.stringify(email)} is not an email address`);
  const currency = optionalText('purchase.currency', p.currency);
  if (currency !== undefined && !CURRENCY.test(currency)) fail('purchase.currency', `${JSON.stringify(currency)} is not an ISO 4217 code like EUR`);
  const time = p.time instanceof Date ? p.time.getTime() : p.time;
  if (time !== undefined && !(Number.isInteger(time) && time >= 0)) fail('purchase.time', 'must be epoch milliseconds or a valid Date');
  const lineItems: Item[] | undefined = p.items === undefined ? undefined : items(p.items);
  const all = {
    email,
    orderId: text('purchase.orderId', p.orderId),
    total: money('purchase.total', p.total),
    currency,
    items: lineItems,
    emst: optionalText('purchase.emst', p.emst),
    time,
    cartId: optionalText('purchase.cartId', p.cartId),
    visitor: optionalText('purchase.visitor', p.visitor),
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

/**
 * The SDK's cart and visitor IDs from a request's `Cookie` header (its `_et_cart` and
 * `_et_vid` cookies, URI-encoded JSON), for `trackPurchase`; absent ones are left out.
 */
export function trackingIds(cookieHeader: string | undefined): { cartId?: string; visitor?: string } {
  const ids: { cartId?: string; visitor?: string } = {};
  // pairs joined by ';' with or without a space, as servers and proxies pass the header on
  const jar = (cookieHeader ?? '').replace(/;\s*/g, ';');
  for (const [key, name] of [['cartId', CART], ['visitor', VISITOR]] as const) {
    // read as the SDK reads its own cookies (the first of a name counts); not JSON, or not a
    // string (another script's cookie of the same name): left out
    const value = attempt(() => JSON.parse(pick(jar, ';', name) ?? ''));
    if (typeof value === 'string' && value !== '') ids[key] = value;
  }
  return ids;
}

const retryable = (status: number) => status >= 500 || status === 429;

/** Seconds or an HTTP date, as the collector or a proxy may send it with 429 and 503. */
function retryAfterMs(header: string | null): number {
  if (!header) return 0;
  const seconds = Number(header);
  return Number.isFinite(seconds) ? seconds * 1000 : Math.max(0, Date.parse(header) - Date.now()) || 0;
}

async function readBody(res: Response): Promise<unknown> {
  const raw = await res.text();
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const describe = (status: number, answer: unknown) => {
  const message = (answer as { message?: unknown } | null)?.message;
  return `${status}${typeof message === 'string' ? `: ${message}` : ''}`;
};

/**
 * Sends one purchase. Resolves with the collector's answer; rejects with a TrackPurchaseError
 * on a 4xx other than 429 (not retried: the same request would fail again), or once the
 * retries are spent. Bad input is a TypeError naming the field, before anything is sent.
 */
export async function trackPurchase(options: TrackPurchaseOptions): Promise<TrackPurchaseResult> {
  const url = `${endpointBase(options.endpoint)}/api/v1/customers/${encodeURIComponent(text('customerId', options.customerId))}/purchases`;
  const token = text('token', options.token);
  const payload = JSON.stringify(body(options.purchase));
  const { retries = 3, backoffMs = 500, maxDelayMs = 30_000, timeoutMs = 10_000 } = options;
  const send = options.fetch ?? fetch;

  for (let attempt = 1; ; attempt++) {
    let failure: string;
    let cause: unknown;
    let status: number | undefined;
    let answer: unknown;
    let wait = 0;
    try {
      const res = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      answer = await readBody(res);
      if (res.ok) return { status, body: answer, attempts: attempt };
      failure = `the collector answered ${describe(status, answer)}`;
      if (!retryable(status)) throw new TrackPurchaseError(`trackPurchase: ${failure}`, status, attempt, answer);
      wait = retryAfterMs(res.headers.get('retry-after'));
    } catch (err) {
      if (err instanceof TrackPurchaseError) throw err;
      cause = err;
      failure = `could not reach ${url}: ${(err as Error).message}`;
    }
    if (attempt > retries) {
      throw new TrackPurchaseError(`trackPurchase: gave up after ${attempt} attempts; last: ${failure}`, status, attempt, answer, cause);
    }
    const backoff = backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
    await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(backoff, wait), maxDelayMs)));
  }
}
