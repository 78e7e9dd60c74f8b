// init() options (SPEC 3.2), checked once (the rules are in check.ts); the script tag's
// data-* attributes arrive here too, as strings. Unknown options are ignored: the script tag
// may carry other data-* attributes.
import { fields } from './check.js';
import type { StorageKind } from './storage.js';

export type Consent = 'granted' | 'pending' | 'denied';

export interface Options {
  /** the customer (account) ID the collector knows this shop by */
  customerId: string | number;
  /** the collector's base URL, e.g. "https://collector.example.com" */
  endpoint: string;
  /** days a campaign click keeps attributing; 30 */
  attributionDays?: number;
  /** where visitor, campaign and cart are kept; 'auto' = cookie, then sessionStorage, then memory */
  storage?: StorageKind;
  /** domain of our cookies, e.g. "shop.example" to share them with its subdomains */
  cookieDomain?: string;
  /** 'granted' (default); 'pending': nothing stored or sent until consent('granted'); 'denied': nothing at all */
  consent?: Consent;
  /** log every decision to the console */
  debug?: boolean;
}

export interface Config {
  customerId: string;
  endpoint: string;
  attributionDays: number;
  storage: StorageKind;
  cookieDomain?: string;
  consent: Consent;
  debug?: boolean;
}

export const readOptions = (o: unknown): Config =>
  fields({ attributionDays: 30, storage: 'auto', consent: 'granted', ...(o as object) }, ['customerId', 'endpoint'], 'options') as Config;
