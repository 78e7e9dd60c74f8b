// Contact profiles (docs/advanced.md): derived from every order, cart and abandonment and
// changed in the same transaction as the write that causes them, so a segment never
// recomputes anything. Like the daily stats, changes are summed in memory during the
// transaction and written once at its end, in key order (no deadlocks between collectors).
//
// Identity: a contact is `u:<contactUid>` when the UID is known, else the UID the directory
// gives for the email, else `e:<email>` (ASCII-lower-cased, as the dialect's lowerAscii() does
// in SQL). Events with neither UID nor email belong to no contact.
import { big, bigOrNull, num, strOrNull, type Column, type Dialect, type Queryable, type Sql } from './database.js';
import { jsonParam } from './json-param.js';
import { Where } from './reports/query.js';

/** ASCII lower case: what the dialect's lowerAscii() does in SQL, so keys and lookups agree. */
export const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (c) => c.toLowerCase());

export const uidKey = (uid: string): string => `u:${uid}`;
export const emailKey = (email: string): string => `e:${asciiLower(email)}`;

/** The UID the directory links to an email (the most recently registered one). */
export async function directoryUid(q: Queryable, customerId: string, email: string): Promise<string | undefined> {
  const row = await q.get<{ contact_uid: string }>(
    `SELECT contact_uid FROM contacts WHERE customer_id = $1 AND ${q.dialect.lowerAscii('email')} = $2 ORDER BY updated_at DESC, contact_uid LIMIT 1`,
    [customerId, asciiLower(email)],
  );
  return row?.contact_uid;
}

/** The directory's email for a contact UID. */
export async function directoryEmail(q: Sql, customerId: string, contactUid: string): Promise<string | null> {
  const row = await q.get<{ email: string }>('SELECT email FROM contacts WHERE customer_id = $1 AND contact_uid = $2', [customerId, contactUid]);
  return row?.email ?? null;
}

interface Stamp {
  at: number;
}
interface Delta {
  contactUid: string;
  email: string | null;
  orders: number;
  lastOrder: (Stamp & { value: bigint; currency: string }) | null;
  /** when the last order arrived (the collector's clock, as abandonments are timed) */
  lastOrderReceivedAt: number | null;
  totals: Map<string, { orders: number; value: bigint }>;
  abandoned: number;
  lastAbandonedAt: number | null;
  firstCampaign: (Stamp & { id: string }) | null;
  lastCampaign: (Stamp & { id: string }) | null;
  now: number;
}

/** What an order or cart tells about its contact. */
export interface ContactFacts {
  email: string | null;
  /** '' for direct traffic */
  campaignId: string;
  /** when the campaign's link was clicked */
  clickAt: number | null;
}

const SEP = '\u0000';
const later = <T extends Stamp>(a: T | null, b: T): T => (a === null || b.at >= a.at ? b : a);
const earlier = <T extends Stamp>(a: T | null, b: T): T => (a === null || b.at < a.at ? b : a);

export class ProfileAccumulator {
  private readonly deltas = new Map<string, Delta>();
  /** contacts an order was taken from: their last order is read again from the orders once they are written */
  private readonly lostOrder = new Set<string>();

  /** `now`: when the event that tells this was received */
  private at(customerId: string, contactKey: string, email: string | null, now: number): Delta {
    const key = `${customerId}${SEP}${contactKey}`;
    let d = this.deltas.get(key);
    if (!d) {
      d = {
        contactUid: contactKey.startsWith('u:') ? contactKey.slice(2) : '',
        email: null,
        orders: 0,
        lastOrder: null,
        lastOrderReceivedAt: null,
        totals: new Map(),
        abandoned: 0,
        lastAbandonedAt: null,
        firstCampaign: null,
        lastCampaign: null,
        now,
      };
      this.deltas.set(key, d);
    }
    if (email) d.email = email;
    d.now = Math.max(d.now, now);
    return d;
  }

  private campaign(d: Delta, f: ContactFacts): void {
    if (!f.campaignId || f.clickAt === null) return;
    const click = { id: f.campaignId, at: f.clickAt };
    d.firstCampaign = earlier(d.firstCampaign, click);
    d.lastCampaign = later(d.lastCampaign, click);
  }

  order(customerId: string, contactKey: string, f: ContactFacts & { time: number; total: bigint; currency: string }, now: number): void {
    if (!contactKey) return;
    const d = this.at(customerId, contactKey, f.email, now);
    d.orders += 1;
    d.lastOrder = later(d.lastOrder, { at: f.time, value: f.total, currency: f.currency });
    d.lastOrderReceivedAt = Math.max(d.lastOrderReceivedAt ?? now, now);
    const t = d.totals.get(f.currency) ?? { orders: 0, value: 0n };
    t.orders += 1;
    t.value += f.total;
    d.totals.set(f.currency, t);
    this.campaign(d, f);
  }

  cart(customerId: string, contactKey: string, f: ContactFacts, now: number): void {
    if (!contactKey) return;
    this.campaign(this.at(customerId, contactKey, f.email, now), f);
  }

  /** The contact clicked a link of `campaignId` at `at`: its first and last campaign, whether or not a cart or order follows. */
  click(customerId: string, contactKey: string, campaignId: string, at: number, now: number): void {
    this.cart(customerId, contactKey, { email: null, campaignId, clickAt: at }, now);
  }

  /** A cart of the contact was abandoned at `at`; `firstTime` unless it had been abandoned before (then it is not counted again). */
  abandoned(customerId: string, contactKey: string, at: number, firstTime: boolean): void {
    if (!contactKey) return;
    const d = this.at(customerId, contactKey, null, at);
    if (firstTime) d.abandoned += 1;
    d.lastAbandonedAt = Math.max(d.lastAbandonedAt ?? at, at);
  }

  /** An order taken away from the contact (the backend reported it under another, or with other values). */
  orderRemoved(customerId: string, contactKey: string, currency: string, total: bigint): void {
    if (!contactKey) return;
    this.lostOrder.add(`${customerId}${SEP}${contactKey}`);
    const d = this.at(customerId, contactKey, null, 0);
    d.orders -= 1;
    const t = d.totals.get(currency) ?? { orders: 0, value: 0n };
    t.orders -= 1;
    t.value -= total;
    d.totals.set(currency, t);
  }

  /**
   * Writes the summed changes: one statement per table, rows in key order (no deadlocks between
   * collectors). `beforeReceivedAt`: the schema has no last_order_received_at yet (the backfill
   * of migration 2 runs before migration 12 adds it, and fills it).
   */
  async flush(tx: Sql, dialect: Dialect, beforeReceivedAt = false): Promise<void> {
    if (this.deltas.size === 0) return;
    const columns = beforeReceivedAt ? PROFILE_ROW.filter(([n]) => n !== 'last_order_received_at') : PROFILE_ROW;
    const profiles: Record<string, unknown>[] = [];
    const totals: Record<string, unknown>[] = [];
    for (const key of [...this.deltas.keys()].sort()) {
      const d = this.deltas.get(key)!;
      const [customerId, contactKey] = key.split(SEP);
      profiles.push({
        customer_id: customerId,
        contact_key: contactKey,
        contact_uid: d.contactUid,
        email: d.email,
        orders: d.orders,
        last_order_at: d.lastOrder?.at ?? null,
        last_order_value: d.lastOrder?.value ?? null,
        last_order_currency: d.lastOrder?.currency ?? null,
        last_order_received_at: d.lastOrderReceivedAt,
        abandoned_carts: d.abandoned,
        last_abandoned_at: d.lastAbandonedAt,
        first_campaign_id: d.firstCampaign?.id ?? null,
        first_campaign_at: d.firstCampaign?.at ?? null,
        last_campaign_id: d.lastCampaign?.id ?? null,
        last_campaign_at: d.lastCampaign?.at ?? null,
        updated_at: d.now,
      });
      for (const currency of [...d.totals.keys()].sort()) {
        const t = d.totals.get(currency)!;
        totals.push({ customer_id: customerId, contact_key: contactKey, currency, orders: t.orders, total_value: t.value });
      }
    }
    await tx.run(
      `INSERT INTO contact_profiles (${columns.map(([n]) => n).join(', ')})
       SELECT ${columns.map(([n]) => `r.${n}`).join(', ')} FROM ${dialect.recordset('$1', 'r', columns)} WHERE true
       ON CONFLICT (customer_id, contact_key) DO UPDATE SET
         email = COALESCE(excluded.email, contact_profiles.email),
         orders = contact_profiles.orders + excluded.orders,
         last_order_value = CASE WHEN ${newer('last_order_at')} THEN excluded.last_order_value ELSE contact_profiles.last_order_value END,
         last_order_currency = CASE WHEN ${newer('last_order_at')} THEN excluded.last_order_currency ELSE contact_profiles.last_order_currency END,
         last_order_at = CASE WHEN ${newer('last_order_at')} THEN excluded.last_order_at ELSE contact_profiles.last_order_at END,
         ${beforeReceivedAt ? '' : `last_order_received_at = CASE WHEN ${newer('last_order_received_at')} THEN excluded.last_order_received_at ELSE contact_profiles.last_order_received_at END,`}
         abandoned_carts = contact_profiles.abandoned_carts + excluded.abandoned_carts,
         last_abandoned_at = CASE WHEN ${newer('last_abandoned_at')} THEN excluded.last_abandoned_at ELSE contact_profiles.last_abandoned_at END,
         first_campaign_id = CASE WHEN ${older('first_campaign_at')} THEN excluded.first_campaign_id ELSE contact_profiles.first_campaign_id END,
         first_campaign_at = CASE WHEN ${older('first_campaign_at')} THEN excluded.first_campaign_at ELSE contact_profiles.first_campaign_at END,
         last_campaign_id = CASE WHEN ${newer('last_campaign_at')} THEN excluded.last_campaign_id ELSE contact_profiles.last_campaign_id END,
         last_campaign_at = CASE WHEN ${newer('last_campaign_at')} THEN excluded.last_campaign_at ELSE contact_profiles.last_campaign_at END,
         updated_at = ${dialect.greatest('contact_profiles.updated_at', 'excluded.updated_at')}`,
      [jsonParam(profiles)],
    );
    if (totals.length) {
      await tx.run(
        `INSERT INTO contact_totals (customer_id, contact_key, currency, orders, total_value)
         SELECT r.customer_id, r.contact_key, r.currency, r.orders, r.total_value FROM ${dialect.recordset('$1', 'r', TOTALS_ROW)} WHERE true
         ON CONFLICT (customer_id, contact_key, currency) DO UPDATE SET
           orders = contact_totals.orders + excluded.orders, total_value = contact_totals.total_value + excluded.total_value`,
        [jsonParam(totals)],
      );
    }
    // a delta can only move a last order later: one taken away is looked up again (the orders are written by now)
    for (const key of [...this.lostOrder].sort()) {
      const [customerId, contactKey] = key.split(SEP);
      await tx.run(
        `UPDATE contact_profiles SET (last_order_at, last_order_value, last_order_currency) =
           (SELECT o.time, o.total - o.refunded, o.currency FROM orders o WHERE o.customer_id = $1 AND o.contact_key = $2 ORDER BY o.time DESC, o.order_id DESC LIMIT 1),
           last_order_received_at = (SELECT max(o.received_at) FROM orders o WHERE o.customer_id = $1 AND o.contact_key = $2)
         WHERE customer_id = $1 AND contact_key = $2`,
        [customerId, contactKey],
      );
    }
    this.deltas.clear();
    this.lostOrder.clear();
  }
}

const PROFILE_ROW: readonly Column[] = [
  ['customer_id', 'text'],
  ['contact_key', 'text'],
  ['contact_uid', 'text'],
  ['email', 'text'],
  ['orders', 'bigint'],
  ['last_order_at', 'bigint'],
  ['last_order_value', 'numeric'],
  ['last_order_currency', 'text'],
  ['last_order_received_at', 'bigint'],
  ['abandoned_carts', 'bigint'],
  ['last_abandoned_at', 'bigint'],
  ['first_campaign_id', 'text'],
  ['first_campaign_at', 'bigint'],
  ['last_campaign_id', 'text'],
  ['last_campaign_at', 'bigint'],
  ['updated_at', 'bigint'],
];
const TOTALS_ROW: readonly Column[] = [
  ['customer_id', 'text'],
  ['contact_key', 'text'],
  ['currency', 'text'],
  ['orders', 'bigint'],
  ['total_value', 'numeric'],
];

const newer = (col: string) => `excluded.${col} IS NOT NULL AND (contact_profiles.${col} IS NULL OR excluded.${col} >= contact_profiles.${col})`;
const older = (col: string) => `excluded.${col} IS NOT NULL AND (contact_profiles.${col} IS NULL OR excluded.${col} < contact_profiles.${col})`;

// ---- reads: one contact, and segments ----

export interface Profile {
  contactKey: string;
  contactUid: string | null;
  email: string | null;
  orders: number;
  lastOrderAt: number | null;
  lastOrderValue: bigint | null;
  lastOrderCurrency: string | null;
  abandonedCarts: number;
  lastAbandonedAt: number | null;
  firstCampaignId: string | null;
  firstCampaignName: string | null;
  lastCampaignId: string | null;
  lastCampaignName: string | null;
  lastCampaignAt: number | null;
}

/** A profile in a segment: its order value in the segment's currency. */
export interface ContactRow extends Profile {
  totalOrderValue: bigint;
  currency: string;
}

/** Segment filters; times are epoch ms, computed by the caller from "days" and its clock. */
export interface SegmentFilter {
  customerId: string;
  /** the currency of `totalOrderValue` and `minTotalValue` */
  currency: string;
  abandonedSince?: number;
  noPurchaseSinceAbandon?: boolean;
  minAbandonedCarts?: number;
  /** no order at or after this time (contacts who never bought included) */
  noPurchaseSince?: number;
  purchasedSince?: number;
  minOrders?: number;
  maxOrders?: number;
  minTotalValue?: bigint;
  firstCampaignId?: string;
  lastCampaignId?: string;
}

const PROFILE_COLUMNS = `p.contact_key, p.contact_uid, COALESCE(p.email, ct.email) AS email, p.orders, p.last_order_at, p.last_order_value,
  p.last_order_currency, p.abandoned_carts, p.last_abandoned_at, p.first_campaign_id, fc.name AS first_campaign_name,
  p.last_campaign_id, lc.name AS last_campaign_name, p.last_campaign_at`;
const PROFILE_FROM = `FROM contact_profiles p
LEFT JOIN contacts ct ON ct.customer_id = p.customer_id AND ct.contact_uid = p.contact_uid
LEFT JOIN campaigns fc ON fc.customer_id = p.customer_id AND fc.campaign_id = p.first_campaign_id
LEFT JOIN campaigns lc ON lc.customer_id = p.customer_id AND lc.campaign_id = p.last_campaign_id`;

type R = Record<string, unknown>;
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

function toProfile(r: R): Profile {
  return {
    contactKey: String(r.contact_key),
    contactUid: r.contact_uid === '' ? null : strOrNull(r.contact_uid),
    email: strOrNull(r.email),
    orders: num(r.orders),
    lastOrderAt: numOrNull(r.last_order_at),
    lastOrderValue: bigOrNull(r.last_order_value),
    lastOrderCurrency: strOrNull(r.last_order_currency),
    abandonedCarts: num(r.abandoned_carts),
    lastAbandonedAt: numOrNull(r.last_abandoned_at),
    firstCampaignId: strOrNull(r.first_campaign_id),
    firstCampaignName: strOrNull(r.first_campaign_name),
    lastCampaignId: strOrNull(r.last_campaign_id),
    lastCampaignName: strOrNull(r.last_campaign_name),
    lastCampaignAt: numOrNull(r.last_campaign_at),
  };
}

function segmentWhere(f: SegmentFilter): Where {
  // $1 is the currency of the totals join, $2 the customer
  const w = new Where();
  w.param(f.currency);
  w.add('p.customer_id = ?', f.customerId);
  if (f.abandonedSince !== undefined) w.add('p.last_abandoned_at >= ?', f.abandonedSince);
  // both on the collector's clock: a shopper's clock behind, or an order that arrived late, must
  // not keep a buyer among those who did not buy
  if (f.noPurchaseSinceAbandon) w.add('p.last_abandoned_at IS NOT NULL AND (p.last_order_received_at IS NULL OR p.last_order_received_at < p.last_abandoned_at)');
  if (f.minAbandonedCarts !== undefined) w.add('p.abandoned_carts >= ?', f.minAbandonedCarts);
  if (f.noPurchaseSince !== undefined) w.add('(p.last_order_at IS NULL OR p.last_order_at < ?)', f.noPurchaseSince);
  if (f.purchasedSince !== undefined) w.add('p.last_order_at >= ?', f.purchasedSince);
  if (f.minOrders !== undefined) w.add('p.orders >= ?', f.minOrders);
  if (f.maxOrders !== undefined) w.add('p.orders <= ?', f.maxOrders);
  if (f.minTotalValue !== undefined) w.add('COALESCE(v.total_value, 0) >= ?', f.minTotalValue);
  if (f.firstCampaignId !== undefined) w.add('p.first_campaign_id = ?', f.firstCampaignId);
  if (f.lastCampaignId !== undefined) w.add('p.last_campaign_id = ?', f.lastCampaignId);
  return w;
}

const TOTALS_JOIN = 'LEFT JOIN contact_totals v ON v.customer_id = p.customer_id AND v.contact_key = p.contact_key AND v.currency = $1';

export class ProfileRepository {
  constructor(private readonly db: Sql) {}

  async get(customerId: string, contactKey: string): Promise<Profile | undefined> {
    const row = await this.db.get<R>(`SELECT ${PROFILE_COLUMNS} ${PROFILE_FROM} WHERE p.customer_id = $1 AND p.contact_key = $2`, [customerId, contactKey]);
    return row && toProfile(row);
  }

  /** A page of a segment, by contact key (stable while profiles change). */
  async list(f: SegmentFilter, limit: number, afterKey?: string): Promise<ContactRow[]> {
    const w = segmentWhere(f);
    if (afterKey !== undefined) w.add('p.contact_key > ?', afterKey);
    const rows = await this.db.all<R>(
      `SELECT ${PROFILE_COLUMNS}, COALESCE(v.total_value, 0) AS total_value ${PROFILE_FROM}
       ${TOTALS_JOIN} WHERE ${w.sql} ORDER BY p.contact_key LIMIT ${w.param(limit)}`,
      w.params,
    );
    return rows.map((r) => ({ ...toProfile(r), totalOrderValue: big(r.total_value), currency: f.currency }));
  }

  async count(f: SegmentFilter): Promise<number> {
    const w = segmentWhere(f);
    const row = await this.db.get<R>(`SELECT COUNT(*) AS n FROM contact_profiles p ${TOTALS_JOIN} WHERE ${w.sql}`, w.params);
    return num(row?.n ?? 0);
  }
}
