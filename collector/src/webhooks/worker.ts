// Delivers the webhook outbox from inside the collector: on an interval, and on demand
// (tests call `runOnce` with an injected clock). A pass asked for first waits until every
// event this collector answered is projected (its deliveries are then in the outbox); the
// timer's passes do not, so that under load they never make the projection catch up early
// (docs/collector.md, "Ingest: log, then project"). Each pass claims due deliveries a batch at
// a time (SKIP LOCKED plus a lease, so several collectors share the work and none sends a
// delivery another one holds), posts them signed, and records the outcome with its backoff.
// One customer's receiver that hangs must not hold up another's: customers are served in
// turn, a batch each, by a few lanes at once; and a webhook that is failing gets one delivery
// per pass, the rest of its due deliveries waiting for that one's retry (a dead receiver costs
// one timeout, not one per delivery).
import { periodic, type Periodic } from '../background/periodic.js';
import type { ClaimedDelivery } from '../store/outbox.js';
import type { Store } from '../store/store.js';
import { DEFAULT_RETRY, retryDelay, type RetryPolicy } from './backoff.js';
import type { DestinationPolicy } from './destination.js';
import { postWebhook } from './post.js';
import { HEADERS, signature } from './signature.js';

export interface DeliveryReport {
  delivered: number;
  /** failed and scheduled again */
  failed: number;
  /** failed for the last time */
  dead: number;
  /** not sent: their webhook is failing, and waits for the retry of the one sent */
  postponed: number;
}

/** `runOnce()`: one pass over every customer's due deliveries, as of `clock()`. */
export type OutboxWorker = Periodic<DeliveryReport>;

declare module 'fastify' {
  interface FastifyInstance {
    outbox: OutboxWorker;
  }
}

export interface OutboxWorkerOptions {
  store: Store;
  clock: () => number;
  /** which receiver addresses are allowed, and how names resolve */
  destinations: DestinationPolicy;
  /** 0 disables the timer */
  intervalMs: number;
  retry?: RetryPolicy;
  /** per request (default 10 s); the claim's lease is longer */
  timeoutMs?: number;
  /** jitter source (tests make it fixed) */
  random?: () => number;
  onError?: (err: unknown) => void;
}

/** Deliveries claimed at once per customer, sent in parallel. */
const BATCH = 25;
/** Customers served at once. */
const LANES = 4;
/** How long a claimed delivery is held: longer than any request may take. */
const LEASE_MS = 60_000;
/** Delivered rows are kept this long (dead ones until retried or their webhook is deleted). */
const KEEP_DELIVERED_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

export function createOutboxWorker(o: OutboxWorkerOptions): OutboxWorker {
  const policy = o.retry ?? DEFAULT_RETRY;
  const timeoutMs = o.timeoutMs ?? 10_000;
  let lastPrune = Number.NEGATIVE_INFINITY;

  /** One attempt: null when the receiver answered 2xx, else why not. */
  function send(d: ClaimedDelivery): Promise<string | null> {
    const timestamp = Math.floor(o.clock() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'emarsys-collector-webhooks',
      [HEADERS.id]: d.deliveryId,
      [HEADERS.timestamp]: String(timestamp),
      [HEADERS.signature]: signature(d.secrets, d.deliveryId, timestamp, d.payload),
    };
    return postWebhook(d.url, headers, d.payload, o.destinations, timeoutMs);
  }

  /**
   * One attempt, recorded; when it failed, when its webhook is worth trying again (its retry
   * time; for a delivery that is now dead, the first retry's wait from now).
   */
  async function deliver(d: ClaimedDelivery, report: DeliveryReport): Promise<number | null> {
    const error = await send(d);
    const now = o.clock();
    if (error === null) {
      await o.store.outbox.record(d, { ok: true }, now);
      report.delivered++;
      return null;
    }
    const attempt = d.attempts + 1;
    const retryAt = attempt >= policy.maxAttempts ? null : now + retryDelay(attempt, policy, o.random);
    await o.store.outbox.record(d, { ok: false, error, retryAt }, now);
    if (retryAt === null) report.dead++;
    else report.failed++;
    // (never `now`: the webhook's postponed deliveries would be due again at once, in this pass)
    return retryAt ?? now + retryDelay(1, policy, o.random);
  }

  /**
   * A batch, per webhook: a webhook already failing (before or earlier in this pass) is tried
   * with one delivery first, and only if it answers are the others sent; else they wait for
   * that one's retry, unsent.
   */
  async function deliverBatch(claimed: ClaimedDelivery[], failing: Map<string, number>, report: DeliveryReport): Promise<void> {
    // (each delivery is either attempted or postponed to a later time: a batch is never claimed twice in a pass)
    const byHook = new Map<string, ClaimedDelivery[]>();
    for (const d of claimed) {
      const ds = byHook.get(d.webhookId);
      if (ds) ds.push(d);
      else byHook.set(d.webhookId, [d]);
    }
    await Promise.all(
      [...byHook].map(async ([webhookId, ds]) => {
        let retryAt = failing.get(webhookId);
        if (retryAt === undefined && ds[0].failing) retryAt = (await deliver(ds.shift()!, report)) ?? undefined;
        if (retryAt === undefined) {
          const failed = (await Promise.all(ds.map((d) => deliver(d, report)))).find((r) => r !== null);
          if (failed != null) failing.set(webhookId, failed);
          return;
        }
        failing.set(webhookId, retryAt);
        for (const d of ds) await o.store.outbox.postpone(d, retryAt);
        report.postponed += ds.length;
      }),
    );
  }

  async function pass(asked: boolean): Promise<DeliveryReport> {
    if (asked) await o.store.events.settled?.();
    const report: DeliveryReport = { delivered: 0, failed: 0, dead: 0, postponed: 0 };
    const prune = o.clock() - lastPrune >= PRUNE_EVERY_MS;
    if (prune) lastPrune = o.clock();
    // customers in turn: one with more due than a batch goes to the back of the line
    const line = (await o.store.customers.list()).map((c) => ({ customerId: c.customerId, first: true }));
    /** webhooks found failing in this pass, with the retry time of the delivery tried */
    const failing = new Map<string, number>();
    const lane = async () => {
      for (let turn; (turn = line.shift()); ) {
        if (prune && turn.first) await o.store.outbox.prune(turn.customerId, o.clock() - KEEP_DELIVERED_MS);
        const claimed = await o.store.outbox.claimDue(turn.customerId, o.clock(), LEASE_MS, BATCH);
        await deliverBatch(claimed, failing, report);
        if (claimed.length === BATCH) line.push({ customerId: turn.customerId, first: false });
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    return report;
  }

  return periodic(pass, o.intervalMs, o.onError);
}
