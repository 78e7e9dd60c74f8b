// init() options (SPEC 3.2), checked once; the script tag's data-* attributes arrive here too.
import { fields, must, oneOf, text } from './check.js';
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
  debug: boolean;
}

export const OPTIONS = {
  customerId: must((v) => /^[\w-]{1,64}$/.test(v), 'a customer ID (letters, digits, _ and -)', String),
  // Without a scheme, "collector.example.com" would silently post to a path of the shop.
  endpoint: must(
    (v) => /^(https?:\/)?\//.test(v),
    'a URL like "https://collector.example.com" or "/collector"',
    (v) => String(v).replace(/\/+$/, ''),
  ),
  // A number, or the string of a data-attribution-days attribute.
  attributionDays: must((v) => v > 0 && v <= 3650, 'a number of days above 0, at most 3650', Number),
  storage: oneOf('auto', 'cookie', 'session', 'none'),
  cookieDomain: text,
  consent: oneOf('granted', 'pending', 'denied'),
  debug: oneOf(true, false),
};

export const readOptions = (o: unknown): Config => ({
  attributionDays: 30,
  storage: 'auto',
  consent: 'granted',
  debug: false,
  ...(fields(o, OPTIONS, ['customerId', 'endpoint'], 'options') as Partial<Config>),
}) as Config;
