// API tokens and session IDs carry their customer ID in clear, so the customer is known
// before any lookup and no query ever spans customers; only a SHA-256 hash is stored.
import { createHash, randomBytes } from 'node:crypto';
import { CUSTOMER_ID_CHARS } from '../../../src/protocol/constants.js';

const CUSTOMER = `[${CUSTOMER_ID_CHARS}]{1,64}`;
const TOKEN = new RegExp(`^et_(${CUSTOMER})_([0-9a-f]{64})$`);
const SESSION = new RegExp(`^(${CUSTOMER})\\.([0-9a-f]{64})$`);

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export interface Secret {
  /** what the user or browser holds */
  value: string;
  /** what the database stores */
  hash: string;
  customerId: string;
}

/** `et_<customerId>_<64 hex>` */
export function newApiToken(customerId: string): Secret {
  const value = `et_${customerId}_${randomBytes(32).toString('hex')}`;
  return { value, hash: hashSecret(value), customerId };
}

/** A token's public ID (what `tokens list` shows and `tokens revoke` takes): the start of its hash. */
export const tokenId = (hash: string): string => hash.slice(0, 16);

export function parseApiToken(value: string): Secret | undefined {
  const m = TOKEN.exec(value);
  return m ? { value, hash: hashSecret(value), customerId: m[1] } : undefined;
}

/** `<customerId>.<64 hex>`, the et_session cookie */
export function newSessionId(customerId: string): Secret {
  const value = `${customerId}.${randomBytes(32).toString('hex')}`;
  return { value, hash: hashSecret(value), customerId };
}

export function parseSessionId(value: string): Secret | undefined {
  const m = SESSION.exec(value);
  return m ? { value, hash: hashSecret(value), customerId: m[1] } : undefined;
}
