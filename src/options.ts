// init() options (docs/sdk.md). The script tag's data-* attributes arrive here too, as strings.
// Only the required ones are checked; unknown options are ignored (the script tag may carry
// other data-* attributes). An unknown `consent` value holds events like 'pending', an unknown
// `storage` keeps everything in memory like 'none': a typo never tracks more than asked.
import { fields } from './check.js';

export type Consent = 'granted' | 'pending' | 'denied';

/** Where visitor, campaign and cart are kept (the retry queue prefers localStorage). */
export type StorageKind = 'auto' | 'cookie' | 'session' | 'none';

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
  /** log every request, with its events and the collector's answer, to the console */
  debug?: boolean;
}

export interface Config {
  customerId: string;
  endpoint: string;
  /** a number, or the string of a data-attribution-days attribute */
  attributionDays: number | string;
  storage: StorageKind;
  cookieDomain?: string;
  consent: Consent;
  debug?: boolean;
}

export function readOptions(o: unknown): Config {
  const c = fields({ attributionDays: 30, storage: 'auto', consent: 'granted', ...(o as object) }, ['customerId', 'endpoint']);
  // (a loop, not /\/+$/: see check.ts)
  while (c.endpoint.endsWith('/')) c.endpoint = c.endpoint.slice(0, -1);
  return c as Config;
}
