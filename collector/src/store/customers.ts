// Customers (accounts): the tenants. Registered by the operator (`customers add`).
import { HttpError } from '../errors.js';
import { DEFAULT_ATTRIBUTION_DAYS } from '../config.js';
import { num, type Database } from './database.js';
import type { Customer, CustomerSettings, NewCustomer } from './types.js';

/** `--max-order-value` default, in whole units of the customer's currency. */
export const DEFAULT_MAX_ORDER_VALUE = 1_000_000;
/** The largest `--max-order-value` (the default per-customer rate limit keeps it exact: ingest/limits.ts). */
export const MAX_ORDER_VALUE_CEILING = 10_000_000;

export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

interface Row {
  customer_id: string;
  name: string;
  currency: string;
  abandon_after_seconds: unknown;
  max_order_value: unknown;
  attribution_days: unknown;
  created_at: unknown;
}

const toCustomer = (r: Row): Customer => ({
  customerId: r.customer_id,
  name: r.name,
  currency: r.currency,
  abandonAfterSeconds: r.abandon_after_seconds === null ? null : num(r.abandon_after_seconds),
  maxOrderValue: num(r.max_order_value),
  attributionDays: num(r.attribution_days),
  createdAt: num(r.created_at),
});

export class CustomerRepository {
  constructor(private readonly db: Database) {}

  async add(input: NewCustomer, now: number): Promise<Customer> {
    const c: Customer = {
      ...input,
      maxOrderValue: input.maxOrderValue ?? DEFAULT_MAX_ORDER_VALUE,
      attributionDays: input.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS,
      createdAt: now,
    };
    const added = await this.db.run(
      `INSERT INTO customers (customer_id, name, currency, abandon_after_seconds, max_order_value, attribution_days, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (customer_id) DO NOTHING`,
      [c.customerId, c.name, c.currency, c.abandonAfterSeconds, c.maxOrderValue, c.attributionDays, now],
    );
    if (added === 0) throw new ConflictError(`customer ${c.customerId} already exists`);
    return c;
  }

  /** Changes the given settings; answers the customer as stored now (undefined when there is none). */
  async update(customerId: string, s: CustomerSettings): Promise<Customer | undefined> {
    const columns: [string, number | null | undefined][] = [
      ['max_order_value', s.maxOrderValue],
      ['attribution_days', s.attributionDays],
      ['abandon_after_seconds', s.abandonAfterSeconds],
    ];
    const set = columns.filter(([, v]) => v !== undefined);
    if (set.length > 0) {
      await this.db.run(`UPDATE customers SET ${set.map(([c], i) => `${c} = $${i + 2}`).join(', ')} WHERE customer_id = $1`, [
        customerId,
        ...set.map(([, v]) => v ?? null),
      ]);
    }
    return this.get(customerId);
  }

  async get(customerId: string): Promise<Customer | undefined> {
    // on every ingest request (cached there): never waits for queued events, which change no customer
    const row = await this.db.immediate.get<Row>('SELECT * FROM customers WHERE customer_id = $1', [customerId]);
    return row && toCustomer(row);
  }

  /** Every customer (the tenant registry): the background passes visit them one by one. Never waits for queued events either. */
  async list(): Promise<Customer[]> {
    return (await this.db.immediate.all<Row>('SELECT * FROM customers ORDER BY customer_id')).map(toCustomer);
  }
}
