// What the store keeps, in the collector's own terms (money as scaled bigint, times as epoch ms).

export const ROLES = ['ecommerce-admin', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Customer {
  customerId: string;
  name: string;
  /** ISO 4217, the default for orders and carts that come without one */
  currency: string;
  /** overrides the collector's abandoned-cart timeout when set */
  abandonAfterSeconds: number | null;
  /** whole units of `currency`: browser and pixel events with a larger amount are refused */
  maxOrderValue: number;
  /** a server-side purchase without `emst` takes the contact's last click within this many days */
  attributionDays: number;
  createdAt: number;
}

/** What `customers add` takes: the limits have defaults. */
export type NewCustomer = Omit<Customer, 'createdAt' | 'maxOrderValue' | 'attributionDays'> & Partial<Pick<Customer, 'maxOrderValue' | 'attributionDays'>>;

/** What `customers set` changes. */
export type CustomerSettings = Partial<Pick<Customer, 'maxOrderValue' | 'attributionDays' | 'abandonAfterSeconds'>>;

export interface User {
  customerId: string;
  /** lower-cased */
  email: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
}

export interface StoredItem {
  sku: string;
  name: string | null;
  category: string | null;
  /** unit price, scaled by 10^4 */
  price: bigint;
  quantity: number;
}

interface EventBase {
  eventId: string;
  /** browser time clamped into [receivedAt - 7 days, receivedAt] */
  time: number;
  receivedAt: number;
  /** '' for direct traffic */
  campaignId: string;
  /** '' when unknown */
  contactUid: string;
  /** when the shopper clicked the campaign's link (the attribution's `at`, at most receivedAt); null without a campaign */
  clickAt: number | null;
  email: string | null;
  currency: string;
  tax: bigint | null;
  shipping: bigint | null;
  city: string | null;
  country: string | null;
  items: StoredItem[];
  /** units: the sum of the items' quantities */
  itemCount: number;
  visitor: string;
  sessionId: string | null;
  source: string;
}

export interface OrderRecord extends EventBase {
  type: 'order';
  orderId: string;
  /** '' when the order names no cart */
  cartId: string;
  total: bigint;
  /** who bought, for the distinct buyer count: u:<contactUid>, e:<email> or v:<visitor> */
  buyer: string;
  /** how the campaign was found when it came with the order (the projector attributes the others) */
  attribution?: Attribution;
}

/**
 * How an order was attributed to its campaign: the browser's kept parameters (`cookie`), the
 * legacy methods' `emst` (`emst`), the purchases API naming it (`api`), or, for an order that
 * came without one, the last click of the same visitor (`visitor`) or contact (`contact`).
 */
export const ATTRIBUTIONS = ['cookie', 'visitor', 'contact', 'emst', 'api'] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

/** A click on a campaign link, as the SDK saw it land. */
export interface ClickRecord {
  type: 'click';
  eventId: string;
  /** when the link was clicked (the browser's time, clamped like an order's) */
  time: number;
  receivedAt: number;
  campaignId: string;
  /** '' when the link named no contact */
  contactUid: string;
  /** clicks carry no email; here so every record can be asked */
  email: null;
  visitor: string;
  sessionId: string | null;
  /** the landing page's path */
  path: string | null;
  source: string;
}

export interface CartRecord extends EventBase {
  type: 'cart';
  cartId: string;
  /** the cart's total, or the sum of its items when the shop sent none */
  total: bigint;
}

export type EventRecord = OrderRecord | CartRecord | ClickRecord;

export interface RejectRecord {
  /** null when the request named no known customer */
  customerId: string | null;
  receivedAt: number;
  source: string;
  reason: string;
  /** the request (or event) as received, or its first 2 KiB when `rawSha256` is given */
  raw: string;
  /** the ID a request named that is not a customer: its rejections are counted per ID */
  claimedCustomerId?: string;
  /** SHA-256 (hex) and UTF-8 size of the whole raw request, when `raw` is already cut */
  rawSha256?: string;
  rawBytes?: number;
}

export interface RejectedEvent extends RejectRecord {
  /** identifies the rejection (same customer, reason and raw hash, or claimed ID) */
  id: string;
  claimedCustomerId: string;
  rawSha256: string;
  rawBytes: number;
  /** how many times this rejection was seen; `receivedAt` is the first, `lastSeenAt` the last */
  count: number;
  lastSeenAt: number;
}

/** One ingest request's share of a grouped write. */
export interface IngestWrite {
  customerId: string;
  events: EventRecord[];
  rejects: RejectRecord[];
}

export type EventOutcome = 'accepted' | 'duplicate';

export type CartState = 'empty' | 'open' | 'abandoned' | 'ordered' | 'recovered';

export interface CampaignName {
  campaignId: string;
  name: string;
}

export interface ContactEmail {
  contactUid: string;
  email: string;
}

export const DAY_MS = 86_400_000;
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** Who bought, for the distinct buyer count: u:<contactUid>, e:<email> or v:<visitor>. */
export function buyerOf(contactUid: string, email: string | null, visitor: string): string {
  return contactUid ? `u:${contactUid}` : email ? `e:${email.toLowerCase()}` : `v:${visitor}`;
}

/** An API token as listed: never the token itself. */
export interface ApiToken {
  id: string;
  email: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}
