// How a delivery is signed (docs/advanced.md has the receiver's side): HMAC-SHA256, keyed by
// the webhook's secret, of `<timestamp>.<raw body>`. The timestamp is in the signed text, so
// a captured request cannot be replayed later with a new timestamp.
import { createHmac, randomBytes } from 'node:crypto';

export const HEADERS = {
  signature: 'x-emarsys-signature',
  timestamp: 'x-emarsys-timestamp',
  delivery: 'x-emarsys-delivery',
  event: 'x-emarsys-event',
} as const;

/** `whsec_<64 hex>`, shown once when the webhook is created. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('hex')}`;

/** The X-Emarsys-Signature value for a body sent at `timestamp` (Unix seconds). */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
