// The ingest service: every route that receives events (SDK batch, modern pixel, legacy
// ti.php) goes through it. Validation per event, durable grouped writes, rejected events kept.
import type { BatchResult } from '../../../src/protocol/index.js';
import { HttpError } from '../errors.js';
import { boundRaw } from '../store/rejected.js';
import type { Store } from '../store/store.js';
import type { Customer, EventOutcome, EventRecord, IngestWrite, RejectRecord } from '../store/types.js';
import { checkAmounts, orderValueRange } from '../validation/amounts.js';
import { checkEvent } from '../validation/events.js';
import { GroupCommitter } from './group-commit.js';
import type { IngestLimiter } from './limits.js';
import { toRecord } from './normalize.js';

export interface IngestContext {
  source: 'sdk' | 'emstrack' | 'pixel' | 'ti.php' | 'api';
  receivedAt?: number;
  /** the request's body as received: a refused event in a large request is kept as it */
  body?: Buffer;
}

export interface IngestService {
  /**
   * Validates each event against the protocol schema and the customer's maximum order value; stores the good ones durably (dedupe by event ID, orders by (customer, orderId)); keeps each refused one with its reason.
   * Throws UnknownCustomerError (exported) for an unknown customer, RateLimitedError when the customer is over its event rate.
   */
  ingest(customerId: string, events: unknown[], ctx: IngestContext): Promise<BatchResult>;
  /** Keeps a request that could not even be turned into events, with its reason (a claimed ID that is no customer is kept as such, under no customer). */
  reject(customerId: string | null, raw: string | Buffer, reason: string, ctx: IngestContext): Promise<void>;
  /** Stores records already checked and normalized (server-side purchases) through the same grouped, durable write. */
  write(customerId: string, records: EventRecord[]): Promise<EventOutcome[]>;
}

declare module 'fastify' {
  interface FastifyInstance {
    ingest: IngestService;
  }
}

export class UnknownCustomerError extends HttpError {
  constructor(readonly customerId: string) {
    super(404, 'unknown_customer', `customerId: unknown customer ${JSON.stringify(customerId.length > 64 ? `${customerId.slice(0, 64)}…` : customerId)}`);
  }
}

/** Known customers are remembered this long (customers are never deleted). */
const CUSTOMER_CACHE_MS = 60_000;
/** How long an unknown ID is remembered (the last one only). */
const MISS_CACHE_MS = 1000;
/**
 * A refused event is kept as its own JSON text, but in a request larger than this as the
 * request (first 2 KiB, size and hash of the body as received): a large event is not
 * serialised again, whoever sends it.
 */
const EVENT_TEXT_MAX_BYTES = 64 * 1024;
/** What is kept of an event that cannot be serialised, when there is no request body to keep instead. */
const UNSERIALISABLE = '(an event nested too deeply to serialise)';

export interface IngestServiceOptions {
  store: Store;
  clock: () => number;
  /** rate limits per customer; none when absent */
  limiter?: IngestLimiter;
}

export class DefaultIngestService implements IngestService {
  private readonly committer: GroupCommitter<IngestWrite, EventOutcome[]>;
  private readonly customers = new Map<string, { customer: Customer; until: number }>();
  private lastMiss: { customerId: string; until: number } | null = null;

  constructor(private readonly options: IngestServiceOptions) {
    const { events } = options.store;
    this.committer = new GroupCommitter((writes) => events.writeGroup(writes), events.concurrency, events.busy?.bind(events));
  }

  private async customer(customerId: string): Promise<Customer | undefined> {
    const now = Date.now();
    const hit = this.customers.get(customerId);
    if (hit && hit.until > now) return hit.customer;
    // the ID just found unknown, asked again to file its rejection: one slot, so IDs an
    // attacker varies cost no memory, and a customer added a moment later is soon seen
    if (this.lastMiss?.customerId === customerId && this.lastMiss.until > now) return undefined;
    const customer = await this.options.store.customers.get(customerId);
    if (customer) this.customers.set(customerId, { customer, until: now + CUSTOMER_CACHE_MS });
    else this.lastMiss = { customerId, until: now + MISS_CACHE_MS };
    return customer;
  }

  async ingest(customerId: string, events: unknown[], ctx: IngestContext): Promise<BatchResult> {
    const receivedAt = ctx.receivedAt ?? this.options.clock();
    const customer = await this.customer(customerId);
    if (!customer) throw new UnknownCustomerError(customerId);
    const limiter = this.options.limiter;
    const amounts = orderValueRange(Math.min(customer.maxOrderValue, limiter?.orderValueCap ?? Number.POSITIVE_INFINITY));
    const write: IngestWrite = { customerId, events: [], rejects: [] };
    const rejected: BatchResult['rejected'] = [];
    const large = ctx.body && ctx.body.length > EVENT_TEXT_MAX_BYTES ? ctx.body : undefined;
    let request: ReturnType<typeof boundRaw> | undefined;
    events.forEach((raw, index) => {
      const base = `events[${index}]`;
      const checked = checkEvent(raw, base);
      let error = checked.ok ? undefined : checked.error;
      if (checked.ok) {
        const record = toRecord(checked.value, customer, receivedAt, ctx.source);
        // a click carries no amounts
        error = record.type === 'click' ? undefined : checkAmounts(record, amounts, base);
        if (!error) return void write.events.push(record);
      }
      if (error) {
        rejected.push({ index, field: error.field, reason: error.reason });
        // an event too deeply nested to serialise is kept as the request that carried it
        const own = large ? undefined : rawText(raw);
        write.rejects.push({ customerId, receivedAt, source: ctx.source, reason: `${error.field}: ${error.reason}`, ...(own === undefined ? (request ??= boundRaw(ctx.body ?? UNSERIALISABLE)) : boundRaw(own)) });
      }
    });
    limiter?.takeCustomer(customerId, write.events.length);
    if (write.events.length === 0 && write.rejects.length === 0) return { accepted: 0, duplicates: 0, rejected };
    let outcomes: EventOutcome[];
    try {
      outcomes = await this.committer.submit(write);
    } catch (err) {
      // nothing stored (a database away answers 503, and the SDK retries): not this minute's
      limiter?.giveBackCustomer(customerId, write.events.length);
      throw err;
    }
    let accepted = 0;
    for (const o of outcomes) if (o === 'accepted') accepted++;
    return { accepted, duplicates: outcomes.length - accepted, rejected };
  }

  /** A customer ID that is not registered is kept as null (unknown), never as a new tenant. */
  async reject(claimedCustomerId: string | null, raw: string | Buffer, reason: string, ctx: IngestContext): Promise<void> {
    const known = claimedCustomerId !== null && (await this.customer(claimedCustomerId)) !== undefined;
    const customerId = known ? claimedCustomerId : null;
    const record: RejectRecord = { customerId, receivedAt: ctx.receivedAt ?? this.options.clock(), source: ctx.source, reason, ...boundRaw(raw) };
    if (!known && claimedCustomerId) record.claimedCustomerId = claimedCustomerId;
    await this.committer.submit({ customerId: customerId ?? '', events: [], rejects: [record] });
  }

  write(customerId: string, records: EventRecord[]): Promise<EventOutcome[]> {
    return this.committer.submit({ customerId, events: records, rejects: [] });
  }

  /** Resolves once every accepted write is committed (on shutdown). */
  drain(): Promise<void> {
    return this.committer.drain();
  }
}

/** An event's own JSON text; undefined when it cannot be serialised (nested deeper than the stack goes). */
function rawText(raw: unknown): string | undefined {
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return undefined;
  }
}
