// Rate limits on the ingest routes (POST /v1/events, the pixels): requests per client address
// (@fastify/rate-limit, checked before a body is read), and events per customer (counted here
// once the batch names a known customer). See docs/collector.md "Hostile traffic".
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { MONEY_SCALE } from '../money.js';
import { MAX_STORABLE } from '../validation/amounts.js';
import { MAX_EVENT_AGE_MS } from './normalize.js';

export interface IngestRateLimits {
  /** requests a minute from one client address (`req.ip`, IPv6 by /64) to the ingest routes; 0: no limit */
  perAddress: number;
  /** events a minute for one customer, of those that pass the checks (a batch counts its good events, a pixel hit one); 0: no limit */
  perCustomer: number;
}

export const DEFAULT_INGEST_RATE_LIMITS: IngestRateLimits = { perAddress: 3000, perCustomer: 6000 };
const WINDOW_MS = 60_000;

export class RateLimitedError extends HttpError {
  constructor(field: string, reason: string, retryAfterSeconds: number) {
    super(429, 'rate_limited', `${field}: ${reason}; retry after ${retryAfterSeconds} s`, { 'retry-after': String(retryAfterSeconds) });
  }
}

/**
 * The largest order value (whole units) that keeps a day's money aggregate within BIGINT
 * at this per-customer rate: a day bucket receives the events of at most 8 days (a browser's
 * time is believed 7 days back), i.e. of that many windows (+1 for the window straddling the
 * start). Infinity without a per-customer limit.
 */
export function exactOrderValueCap(perCustomer: number): number {
  if (perCustomer <= 0) return Number.POSITIVE_INFINITY;
  const windows = BigInt(Math.ceil((MAX_EVENT_AGE_MS + 86_400_000) / WINDOW_MS) + 1);
  return Number(MAX_STORABLE / (MONEY_SCALE * windows * BigInt(perCustomer)));
}

export class IngestLimiter {
  private readonly customers = new Map<string, { start: number; events: number }>();
  private readonly byAddress?: ReturnType<FastifyInstance['createRateLimit']>;
  /** the effective ceiling on a customer's maximum order value at these limits */
  readonly orderValueCap: number;

  /** `app` must have @fastify/rate-limit registered. */
  constructor(
    app: FastifyInstance,
    readonly limits: IngestRateLimits,
    private readonly clock: () => number,
  ) {
    if (limits.perAddress > 0) this.byAddress = app.createRateLimit({ max: limits.perAddress, timeWindow: WINDOW_MS });
    this.orderValueCap = exactOrderValueCap(limits.perCustomer);
  }

  /** Throws RateLimitedError when the request's client address is over its limit. */
  async checkAddress(req: FastifyRequest): Promise<void> {
    if (!this.byAddress) return;
    const r = await this.byAddress(req);
    if (!r.isAllowed && r.isExceeded) {
      throw new RateLimitedError('client', `more than ${this.limits.perAddress} requests a minute from this address`, Math.max(1, r.ttlInSeconds));
    }
  }

  /**
   * Counts `events`, those of a request that passed the checks, for a known customer (all or
   * none); throws RateLimitedError when it is over its limit. Refused events are not counted:
   * junk from anyone could otherwise use up a shop's minute.
   */
  takeCustomer(customerId: string, events: number): void {
    const max = this.limits.perCustomer;
    if (max <= 0 || events === 0) return;
    const now = this.clock();
    let w = this.customers.get(customerId);
    if (!w || now >= w.start + WINDOW_MS) this.customers.set(customerId, (w = { start: now, events: 0 }));
    if (w.events + events > max) {
      throw new RateLimitedError('customerId', `more than ${max} events a minute for this customer`, Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000)));
    }
    w.events += events;
  }

  /** Events counted by takeCustomer that were not stored after all (the write failed: a 503 the client retries): its retry must not count them twice. */
  giveBackCustomer(customerId: string, events: number): void {
    const w = this.customers.get(customerId);
    if (w && this.clock() < w.start + WINDOW_MS) w.events = Math.max(0, w.events - events);
  }
}
