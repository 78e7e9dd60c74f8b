// Webhook registrations of a customer, their delivery status, and the deliveries themselves
// for the operator (pending, delivered, dead).
import { num, strOrNull, type Database } from './database.js';
import { Where } from './reports/query.js';
import type { WebhookEvent } from './outbox-payloads.js';

export interface Webhook {
  webhookId: string;
  url: string;
  events: WebhookEvent[];
  createdAt: number;
}

export interface WebhookStatus extends Webhook {
  pending: number;
  dead: number;
  lastSuccessAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** first failure since the last success; null while healthy */
  failingSince: number | null;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead';

export interface Delivery {
  deliveryId: string;
  event: WebhookEvent;
  state: DeliveryState;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

export interface DeliveryKey {
  createdAt: number;
  id: string;
}

type R = Record<string, unknown>;
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : num(v));

export class WebhookRepository {
  constructor(private readonly db: Database) {}

  /** Adds a webhook unless the customer already has `max`; answers false then. */
  add(customerId: string, w: Webhook, secret: string, max: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // lock the customer row so two requests cannot both pass the limit
      await tx.get(`SELECT customer_id FROM customers WHERE customer_id = $1 ${this.db.dialect.forUpdate}`, [customerId]);
      const row = await tx.get<R>('SELECT COUNT(*) AS n FROM webhooks WHERE customer_id = $1', [customerId]);
      if (num(row?.n) >= max) return false;
      await tx.run('INSERT INTO webhooks (customer_id, webhook_id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        customerId,
        w.webhookId,
        w.url,
        w.events.join(','),
        secret,
        w.createdAt,
      ]);
      return true;
    });
  }

  async list(customerId: string): Promise<WebhookStatus[]> {
    const [hooks, counts] = await Promise.all([
      this.db.all<R>('SELECT * FROM webhooks WHERE customer_id = $1 ORDER BY created_at, webhook_id', [customerId]),
      this.db.all<R>(
        "SELECT webhook_id, state, COUNT(*) AS n FROM webhook_deliveries WHERE customer_id = $1 AND state IN ('pending', 'dead') GROUP BY webhook_id, state",
        [customerId],
      ),
    ]);
    const count = (id: string, state: string) => num(counts.find((c) => c.webhook_id === id && c.state === state)?.n ?? 0);
    return hooks.map((h) => {
      const webhookId = String(h.webhook_id);
      return {
        webhookId,
        url: String(h.url),
        events: String(h.events).split(',') as WebhookEvent[],
        createdAt: num(h.created_at),
        pending: count(webhookId, 'pending'),
        dead: count(webhookId, 'dead'),
        lastSuccessAt: numOrNull(h.last_success_at),
        lastError: strOrNull(h.last_error),
        lastErrorAt: numOrNull(h.last_error_at),
        failingSince: numOrNull(h.failing_since),
      };
    });
  }

  async exists(customerId: string, webhookId: string): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS x FROM webhooks WHERE customer_id = $1 AND webhook_id = $2', [customerId, webhookId])) !== undefined;
  }

  /** Deletes a webhook and its deliveries; false when there is no such webhook. */
  remove(customerId: string, webhookId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const removed = await tx.run('DELETE FROM webhooks WHERE customer_id = $1 AND webhook_id = $2', [customerId, webhookId]);
      await tx.run('DELETE FROM webhook_deliveries WHERE customer_id = $1 AND webhook_id = $2', [customerId, webhookId]);
      return removed > 0;
    });
  }

  /**
   * Replaces the webhook's secret; the one it replaces keeps signing until `previousExpiresAt`
   * (a secret rotated out earlier is dropped at once). False when there is no such webhook.
   */
  async rotateSecret(customerId: string, webhookId: string, secret: string, previousExpiresAt: number): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE webhooks SET previous_secret = secret, previous_secret_expires_at = $4, secret = $3 WHERE customer_id = $1 AND webhook_id = $2',
      [customerId, webhookId, secret, previousExpiresAt],
    );
    return changed > 0;
  }

  /** A page of a webhook's deliveries, newest first. */
  async deliveries(customerId: string, webhookId: string, state: DeliveryState | undefined, limit: number, after?: DeliveryKey): Promise<Delivery[]> {
    const w = new Where().add('customer_id = ?', customerId).add('webhook_id = ?', webhookId);
    if (state) w.add('state = ?', state);
    if (after) w.add('(created_at, delivery_id) < (?, ?)', after.createdAt, after.id);
    const rows = await this.db.all<R>(
      `SELECT delivery_id, event, state, attempts, created_at, next_attempt_at, last_attempt_at, last_error, delivered_at
       FROM webhook_deliveries WHERE ${w.sql} ORDER BY created_at DESC, delivery_id DESC LIMIT ${w.param(limit)}`,
      w.params,
    );
    return rows.map((r) => {
      const state = String(r.state) as DeliveryState;
      return {
        deliveryId: String(r.delivery_id),
        event: String(r.event) as WebhookEvent,
        state,
        attempts: num(r.attempts),
        createdAt: num(r.created_at),
        nextAttemptAt: state === 'pending' ? num(r.next_attempt_at) : null,
        lastAttemptAt: numOrNull(r.last_attempt_at),
        lastError: strOrNull(r.last_error),
        deliveredAt: numOrNull(r.delivered_at),
      };
    });
  }

  async countDeliveries(customerId: string, webhookId: string, state: DeliveryState | undefined): Promise<number> {
    const w = new Where().add('customer_id = ?', customerId).add('webhook_id = ?', webhookId);
    if (state) w.add('state = ?', state);
    const row = await this.db.get<R>(`SELECT COUNT(*) AS n FROM webhook_deliveries WHERE ${w.sql}`, w.params);
    return num(row?.n ?? 0);
  }

  /** Sends a dead delivery again from its first attempt; false when it is not dead (or not there). */
  async retry(customerId: string, webhookId: string, deliveryId: string, now: number): Promise<boolean> {
    const changed = await this.db.run(
      "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = $4 WHERE customer_id = $1 AND webhook_id = $2 AND delivery_id = $3 AND state = 'dead'",
      [customerId, webhookId, deliveryId, now],
    );
    return changed > 0;
  }
}
