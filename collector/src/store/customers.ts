// Customers (accounts): the tenants. Registered by the operator (`customers add`).
import { HttpError } from '../errors.js';
import { num, type Database } from './database.js';
import type { Customer } from './types.js';

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
  created_at: unknown;
}

const toCustomer = (r: Row): Customer => ({
  customerId: r.customer_id,
  name: r.name,
  currency: r.currency,
  abandonAfterSeconds: r.abandon_after_seconds === null ? null : num(r.abandon_after_seconds),
  createdAt: num(r.created_at),
});

export class CustomerRepository {
  constructor(private readonly db: Database) {}

  async add(c: Omit<Customer, 'createdAt'>, now: number): Promise<Customer> {
    const added = await this.db.run(
      `INSERT INTO customers (customer_id, name, currency, abandon_after_seconds, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (customer_id) DO NOTHING`,
      [c.customerId, c.name, c.currency, c.abandonAfterSeconds, now],
    );
    if (added === 0) throw new ConflictError(`customer ${c.customerId} already exists`);
    return { ...c, createdAt: now };
  }

  async get(customerId: string): Promise<Customer | undefined> {
    // on every ingest request (cached there): never waits for queued events, which change no customer
    const row = await this.db.immediate.get<Row>('SELECT * FROM customers WHERE customer_id = $1', [customerId]);
    return row && toCustomer(row);
  }

  /** Every customer (the tenant registry): the sweep visits them one by one. */
  async list(): Promise<Customer[]> {
    return (await this.db.all<Row>('SELECT * FROM customers ORDER BY customer_id')).map(toCustomer);
  }
}
