// Compiled validators for what arrives at the ingest routes: the batch envelope, then each
// event on its own, so one bad event never sinks the good ones.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Batch, CartEvent, ClickEvent, OrderEvent, parseCampaign, type WireEvent } from '../../../src/protocol/index.js';
import { firstError, type FieldError } from './messages.js';

const BatchCheck = TypeCompiler.Compile(Batch);
const CartCheck = TypeCompiler.Compile(CartEvent);
const OrderCheck = TypeCompiler.Compile(OrderEvent);
const ClickCheck = TypeCompiler.Compile(ClickEvent);
const CHECKS: Record<string, typeof CartCheck | typeof OrderCheck | typeof ClickCheck> = { cart: CartCheck, order: OrderCheck, click: ClickCheck };

/** A POST /v1/events body whose envelope is valid; its events are checked one by one later. */
export interface BatchEnvelope {
  customerId: string;
  source?: 'sdk' | 'emstrack';
  events: unknown[];
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: FieldError };

/** Parses a request body (JSON text) into a batch envelope; events are checked later, one by one. */
export function parseBatch(text: string): Checked<BatchEnvelope> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: { field: 'body', reason: `is not valid JSON (${(err as Error).message})` } };
  }
  return checkBatch(body);
}

export function checkBatch(body: unknown): Checked<BatchEnvelope> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: { field: 'body', reason: 'must be a JSON object { v, customerId, events }' } };
  }
  if (BatchCheck.Check(body)) return { ok: true, value: body as BatchEnvelope };
  const error = firstError(BatchCheck.Errors(body));
  if (error?.field === 'v' && error.reason !== 'is required') {
    error.reason = `must be 1 (protocol version ${JSON.stringify((body as { v?: unknown }).v)} is unknown to this collector)`;
  }
  return { ok: false, error: error ?? { field: 'body', reason: 'is not a valid batch' } };
}

/** Checks one event; `base` prefixes the field path (`events[2]`). */
export function checkEvent(event: unknown, base: string): Checked<WireEvent> {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return { ok: false, error: { field: base || 'event', reason: 'must be an object' } };
  }
  const type = (event as { type?: unknown }).type;
  const at = (name: string) => (base ? `${base}.${name}` : name);
  if (type === undefined) return { ok: false, error: { field: at('type'), reason: 'is required' } };
  const check = typeof type === 'string' && Object.hasOwn(CHECKS, type) ? CHECKS[type] : undefined;
  if (!check) return { ok: false, error: { field: at('type'), reason: 'must be "cart", "order" or "click"' } };
  if (check.Check(event)) {
    // a click is only worth keeping for the campaign it names (docs/protocol.md, "Events")
    if (type === 'click' && !parseCampaign((event as ClickEvent).attribution)) {
      return { ok: false, error: { field: at('attribution'), reason: 'names no campaign (emst=<campaignId>.<contactUid>, or sc_src=email_<campaignId>)' } };
    }
    return { ok: true, value: event as WireEvent };
  }
  return { ok: false, error: firstError(check.Errors(event), base) ?? { field: base || 'event', reason: 'is not valid' } };
}
