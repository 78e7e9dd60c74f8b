// How a delivery is signed: the Standard Webhooks specification (https://www.standardwebhooks.com),
// so receivers verify with its libraries in any language (docs/advanced.md). The signed text is
// `<webhook-id>.<webhook-timestamp>.<raw body>`: a captured request replayed later with a new
// timestamp or ID fails. The HMAC key is the base64-decoded part of the `whsec_` secret.
import { createHmac, randomBytes } from 'node:crypto';

export const HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

const PREFIX = 'whsec_';

/** `whsec_<base64 of 32 random bytes>`, shown once when the webhook is created or its secret rotated. */
export const newWebhookSecret = (): string => `${PREFIX}${randomBytes(32).toString('base64')}`;

/**
 * The webhook-signature value: one `v1,<base64 HMAC-SHA256>` per secret, space-separated (two
 * while a rotated-out secret is still honoured). Secrets issued before Standard Webhooks
 * (`whsec_<64 hex>`) are read as base64 too, as the receivers' libraries read them.
 */
export function signature(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map((secret) => `v1,${createHmac('sha256', Buffer.from(secret.slice(PREFIX.length), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')}`)
    .join(' ');
}
