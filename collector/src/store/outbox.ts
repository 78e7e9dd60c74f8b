// The webhook outbox: a delivery row per (event, webhook), written in the same transaction
// as the order or abandonment that caused it, so a crash or restart loses none. Workers
// claim due rows with FOR UPDATE SKIP LOCKED and a lease (next_attempt_at moves past the
// send's timeout), send outside any transaction, then record the outcome.
import { randomUUID } from 'node:crypto';
import { num, type Column, type Database, type Dialect, type Queryable, type Sql } from './database.js';
import { jsonParam } from './json-param.js';
import type { Envelope, WebhookEvent } from './outbox-payloads.js';

/** Per transaction: which webhooks of a customer take which event (looked up once). */
export class OutboxWriter {
  private readonly hooks = new Map<string, { webhookId: string; events: string[] }[]>();

  private async subscribed(tx: Sql, customerId: string, event: WebhookEvent): Promise<string[]> {
    let list = this.hooks.get(customerId);
    if (!list) {
      const rows = await tx.all<{ webhook_id: string; events: string }>('SELECT webhook_id, events FROM webhooks WHERE customer_id = $1', [customerId]);
      list = rows.map((r) => ({ webhookId: r.webhook_id, events: r.events.split(',') }));
      this.hooks.set(customerId, list);
    }
    return list.filter((h) => h.events.includes(event)).map((h) => h.webhookId);
  }

  /** Whether any webhook of the customer takes `event` (so the caller builds the payload only then). */
  async wants(tx: Sql, customerId: string, event: WebhookEvent): Promise<boolean> {
    return (await this.subscribed(tx, customerId, event)).length > 0;
  }

  private readonly pending: Record<string, unknown>[] = [];

  /** One pending delivery per subscribed webhook, due now (written by `flush`, before the commit). */
  async enqueue(tx: Sql, customerId: string, event: WebhookEvent, contactKey: string, data: Record<string, unknown>, now: number): Promise<void> {
    for (const webhookId of await this.subscribed(tx, customerId, event)) {
      const id = randomUUID();
      const envelope: Envelope = { id, type: event, createdAt: new Date(now).toISOString(), customerId, data };
      this.pending.push({ customer_id: customerId, delivery_id: id, webhook_id: webhookId, event, payload: JSON.stringify(envelope), contact_key: contactKey, now });
    }
  }

  /** Writes the deliveries enqueued: one statement. */
  async flush(tx: Sql, dialect: Dialect): Promise<void> {
    if (this.pending.length === 0) return;
    await tx.run(
      `INSERT INTO webhook_deliveries (customer_id, delivery_id, webhook_id, event, payload, contact_key, state, attempts, next_attempt_at, created_at)
       SELECT r.customer_id, r.delivery_id, r.webhook_id, r.event, r.payload, r.contact_key, 'pending', 0, r.now, r.now
       FROM ${dialect.recordset('$1', 'r', DELIVERY_ROW)}`,
      [jsonParam(this.pending)],
    );
    this.pending.length = 0;
  }
}

const DELIVERY_ROW: readonly Column[] = [
  ['customer_id', 'text'],
  ['delivery_id', 'text'],
  ['webhook_id', 'text'],
  ['event', 'text'],
  ['payload', 'text'],
  ['contact_key', 'text'],
  ['now', 'bigint'],
];

/** A delivery claimed for one attempt. */
export interface ClaimedDelivery {
  customerId: string;
  deliveryId: string;
  webhookId: string;
  event: WebhookEvent;
  payload: string;
  /** attempts made before this one */
  attempts: number;
  url: string;
  /** the current secret first, then a rotated-out one still honoured */
  secrets: string[];
  /** its webhook's last attempt failed: one delivery is sent first, to see whether it is back */
  failing: boolean;
}

export type AttemptOutcome = { ok: true } | { ok: false; error: string; retryAt: number | null };

/**
 * The delivery side of the outbox. It never waits for ingested events to be projected (it goes
 * through `immediate`): a pass delivers the rows there are, and rows still to come are the next
 * pass's. Waiting would make the projection catch up every pass, under load too (see
 * webhooks/worker.ts for the pass that is asked for, which waits first).
 */
export class OutboxRepository {
  private readonly db: Queryable;

  constructor(db: Database) {
    this.db = db.immediate;
  }

  /**
   * Claims up to `limit` due deliveries of a customer: locked rows are skipped (another
   * collector has them) and the claimed ones are leased until `now + leaseMs`.
   */
  async claimDue(customerId: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    // a read first, so an idle pass never opens a write transaction
    const due = await this.db.get(
      "SELECT 1 AS due FROM webhook_deliveries WHERE customer_id = $1 AND state = 'pending' AND next_attempt_at <= $2 LIMIT 1",
      [customerId, now],
    );
    if (!due) return [];
    return this.db.transaction(async (tx) => {
      const rows = await tx.all<{ delivery_id: string; webhook_id: string; event: string; payload: string; attempts: unknown }>(
        `SELECT delivery_id, webhook_id, event, payload, attempts FROM webhook_deliveries
         WHERE customer_id = $1 AND state = 'pending' AND next_attempt_at <= $2
         ORDER BY next_attempt_at, delivery_id LIMIT $3 ${this.db.dialect.skipLocked}`,
        [customerId, now, limit],
      );
      if (rows.length === 0) return [];
      const hooks = new Map(
        (
          await tx.all<{ webhook_id: string; url: string; secret: string; previous_secret: string | null; previous_secret_expires_at: unknown; failing_since: unknown }>(
            'SELECT webhook_id, url, secret, previous_secret, previous_secret_expires_at, failing_since FROM webhooks WHERE customer_id = $1',
            [customerId],
          )
        ).map((h) => [h.webhook_id, h]),
      );
      const claimed: ClaimedDelivery[] = [];
      for (const r of rows) {
        const hook = hooks.get(r.webhook_id);
        if (!hook) continue; // its webhook was just deleted (with its deliveries)
        await tx.run('UPDATE webhook_deliveries SET next_attempt_at = $3 WHERE customer_id = $1 AND delivery_id = $2', [customerId, r.delivery_id, now + leaseMs]);
        claimed.push({
          customerId,
          deliveryId: r.delivery_id,
          webhookId: r.webhook_id,
          event: r.event as WebhookEvent,
          payload: r.payload,
          attempts: num(r.attempts),
          url: hook.url,
          // a rotated-out secret still signs until it expires, so receivers can switch without a gap
          secrets: hook.previous_secret !== null && num(hook.previous_secret_expires_at) > now ? [hook.secret, hook.previous_secret] : [hook.secret],
          failing: hook.failing_since !== null,
        });
      }
      return claimed;
    });
  }

  /** Records one attempt's outcome, unless another collector took the delivery over after the lease ran out. */
  record(d: ClaimedDelivery, outcome: AttemptOutcome, now: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      const key = [d.customerId, d.deliveryId, d.attempts, now];
      const mine = "WHERE customer_id = $1 AND delivery_id = $2 AND state = 'pending' AND attempts = $3";
      if (outcome.ok) {
        const changed = await tx.run(
          `UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, last_attempt_at = $4, delivered_at = $4 ${mine}`,
          key,
        );
        if (changed > 0) {
          await tx.run('UPDATE webhooks SET last_success_at = $3, failing_since = NULL WHERE customer_id = $1 AND webhook_id = $2', [
            d.customerId,
            d.webhookId,
            now,
          ]);
        }
        return;
      }
      const changed = await tx.run(
        `UPDATE webhook_deliveries SET state = $5, attempts = attempts + 1, last_attempt_at = $4, last_error = $6, next_attempt_at = $7 ${mine}`,
        [...key, outcome.retryAt === null ? 'dead' : 'pending', outcome.error, outcome.retryAt ?? now],
      );
      if (changed > 0) {
        await tx.run(
          'UPDATE webhooks SET last_error = $3, last_error_at = $4, failing_since = COALESCE(failing_since, $4) WHERE customer_id = $1 AND webhook_id = $2',
          [d.customerId, d.webhookId, outcome.error, now],
        );
      }
    });
  }

  /**
   * Gives a claimed delivery back unsent, due again at `until`, its attempts unchanged: its
   * webhook is failing, and another delivery to it is the one tried.
   */
  async postpone(d: ClaimedDelivery, until: number): Promise<void> {
    await this.db.run("UPDATE webhook_deliveries SET next_attempt_at = $4 WHERE customer_id = $1 AND delivery_id = $2 AND state = 'pending' AND attempts = $3", [
      d.customerId,
      d.deliveryId,
      d.attempts,
      until,
    ]);
  }

  /** Drops delivered rows older than `before` (dead ones stay listable). */
  prune(customerId: string, before: number): Promise<number> {
    return this.db.run("DELETE FROM webhook_deliveries WHERE customer_id = $1 AND state = 'delivered' AND delivered_at < $2", [customerId, before]);
  }
}
