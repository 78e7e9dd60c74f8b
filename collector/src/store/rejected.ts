// Every refused event or request, kept with its reason so nothing is silently lost.
import { randomUUID } from 'node:crypto';
import { num, type Database, type Sql } from './database.js';
import type { RejectRecord, RejectedEvent } from './types.js';

/** '' stands for "no known customer" (the key column is never null). */
const NO_CUSTOMER = '';

/** NUL cannot be stored in PostgreSQL text: written as the six characters \u0000. */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\\u0000') : text;
}

export async function insertRejected(tx: Sql, r: RejectRecord): Promise<void> {
  await tx.run('INSERT INTO rejected_events (customer_id, received_at, id, source, reason, raw) VALUES ($1, $2, $3, $4, $5, $6)', [
    r.customerId ?? NO_CUSTOMER,
    r.receivedAt,
    randomUUID(),
    storable(r.source),
    storable(r.reason),
    storable(r.raw),
  ]);
}

interface Row {
  customer_id: string;
  received_at: unknown;
  id: string;
  source: string;
  reason: string;
  raw: string;
}

export class RejectedRepository {
  constructor(private readonly db: Database) {}

  add(records: readonly RejectRecord[]): Promise<void> {
    return this.db.transaction(async (tx) => {
      for (const r of records) await insertRejected(tx, r);
    });
  }

  /**
   * Newest first. With a customer ID: that customer's; with null: those that named no known
   * customer; with undefined: all (an operator's listing, the one query that spans customers).
   */
  async list(customerId: string | null | undefined, limit = 100): Promise<RejectedEvent[]> {
    const rows =
      customerId === undefined
        ? await this.db.all<Row>('SELECT * FROM rejected_events ORDER BY received_at DESC, id DESC LIMIT $1', [limit])
        : await this.db.all<Row>('SELECT * FROM rejected_events WHERE customer_id = $1 ORDER BY received_at DESC, id DESC LIMIT $2', [
            customerId ?? NO_CUSTOMER,
            limit,
          ]);
    return rows.map((r) => ({
      id: r.id,
      customerId: r.customer_id === NO_CUSTOMER ? null : r.customer_id,
      receivedAt: num(r.received_at),
      source: r.source,
      reason: r.reason,
      raw: r.raw,
    }));
  }
}
