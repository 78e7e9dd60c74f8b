// Erasure of one contact's personal data (docs/advanced.md): orders and carts keep their
// amounts but lose the email and UID, clicks lose the UID, the profile and the directory entry
// go, pending and past webhook payloads are redacted, and rejected events that contain the
// email are dropped. Buyer keys (`u:<uid>`, `e:<email>`) become one random pseudonym per
// buyer, so every distinct-buyer count stays exactly what it was. One transaction: all or
// nothing.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError } from '../errors.js';
import { redactEnvelope } from './outbox-payloads.js';
import type { Database, Sql, SqlValue } from './database.js';
import { asciiLower, emailKey, uidKey } from './profiles.js';
import { Where } from './reports/query.js';

export interface ErasureTarget {
  contactUid?: string;
  email?: string;
}

export interface ErasureResult {
  /** the UIDs and emails erased: the one asked for and those the directory or profile linked to it */
  contactUids: string[];
  emails: string[];
  orders: number;
  carts: number;
  profiles: number;
  directory: number;
  webhookDeliveries: number;
  rejectedEvents: number;
}

/** Placeholders with $1 the customer, for the IN lists below. */
function forCustomer(customerId: string): Where {
  const w = new Where();
  w.param(customerId);
  return w;
}
const inList = (w: Where, values: readonly SqlValue[]) => `(${values.map((v) => w.param(v)).join(', ')})`;

const LIKE_SPECIAL = /[\\%_]/g;
const containing = (text: string) => `%${text.replace(LIKE_SPECIAL, (c) => `\\${c}`)}%`;

/** How long an erasure waits for the events accepted before it to be applied. */
const DRAIN_MS = 10_000;

export class ErasureRepository {
  constructor(private readonly db: Database) {}

  async erase(customerId: string, target: ErasureTarget): Promise<ErasureResult> {
    const lower = this.db.dialect.lowerAscii;
    await this.drained(customerId);
    return this.db.transaction(async (tx) => {
      const { uids, emails } = await this.identities(tx, customerId, target);
      const keys = [...[...uids].map(uidKey), ...[...emails].map(emailKey)];
      /** `column` contains `text` in any ASCII case */
      const contains = (w: Where, column: string, text: string) => `${lower(column)} LIKE ${w.param(containing(text))} ESCAPE '\\'`;

      // orders and carts of the contact: by its key, its UID or its email
      const matching = (w: Where) => {
        const terms = [`contact_key IN ${inList(w, keys)}`];
        if (uids.size) terms.push(`contact_uid IN ${inList(w, [...uids])}`);
        if (emails.size) terms.push(`${lower('email')} IN ${inList(w, [...emails])}`);
        return `(${terms.join(' OR ')})`;
      };

      let w = forCustomer(customerId);
      const buyers = new Set(keys);
      for (const r of await tx.all<{ buyer: string }>(`SELECT DISTINCT buyer FROM orders WHERE customer_id = $1 AND ${matching(w)}`, w.params)) {
        buyers.add(r.buyer);
      }
      for (const buyer of [...buyers].sort()) {
        if (!buyer.startsWith('u:') && !buyer.startsWith('e:')) continue;
        const pseudonym = `x:${randomUUID()}`;
        for (const table of ['orders', 'buyer_days', 'campaign_buyers']) {
          await tx.run(`UPDATE ${table} SET buyer = $3 WHERE customer_id = $1 AND buyer = $2`, [customerId, buyer, pseudonym]);
        }
      }

      w = forCustomer(customerId);
      const orders = await tx.run(`UPDATE orders SET email = NULL, contact_uid = '', contact_key = '' WHERE customer_id = $1 AND ${matching(w)}`, w.params);
      w = forCustomer(customerId);
      const carts = await tx.run(`UPDATE carts SET email = NULL, contact_uid = '', contact_key = '' WHERE customer_id = $1 AND ${matching(w)}`, w.params);
      // the contact a cart's abandonment counted for (sweep.ts), which may have re-sent it under another since
      w = forCustomer(customerId);
      await tx.run(`UPDATE carts SET abandoned_for = NULL WHERE customer_id = $1 AND abandoned_for IN ${inList(w, keys)}`, w.params);
      // clicks stay (they are counted) but lose the UID, which a later order of the same browser
      // would take from them (projection/batch.ts); a click's key is always its UID's
      w = forCustomer(customerId);
      await tx.run(`UPDATE clicks SET contact_uid = '', contact_key = '' WHERE customer_id = $1 AND contact_key IN ${inList(w, keys)}`, w.params);

      w = forCustomer(customerId);
      const profileKeys = new Set(keys);
      for (const r of await tx.all<{ contact_key: string }>(`SELECT contact_key FROM contact_profiles WHERE customer_id = $1 AND ${matching(w)}`, w.params)) {
        profileKeys.add(r.contact_key);
      }
      w = forCustomer(customerId);
      const inKeys = inList(w, [...profileKeys]);
      const profiles = await tx.run(`DELETE FROM contact_profiles WHERE customer_id = $1 AND contact_key IN ${inKeys}`, w.params);
      await tx.run(`DELETE FROM contact_totals WHERE customer_id = $1 AND contact_key IN ${inKeys}`, w.params);

      w = forCustomer(customerId);
      const dirTerms = [];
      if (uids.size) dirTerms.push(`contact_uid IN ${inList(w, [...uids])}`);
      if (emails.size) dirTerms.push(`${lower('email')} IN ${inList(w, [...emails])}`);
      const directory = dirTerms.length ? await tx.run(`DELETE FROM contacts WHERE customer_id = $1 AND (${dirTerms.join(' OR ')})`, w.params) : 0;

      // by contact, and by email (a payload is filed under its order's contact, whose profile may
      // give another email): as a JSON string, so that erasing ann@… leaves joann@…'s alone
      w = forCustomer(customerId);
      const deliveryTerms = [`contact_key IN ${inList(w, [...profileKeys])}`, ...[...emails].map((e) => contains(w, 'payload', JSON.stringify(e)))];
      const deliveries = await tx.all<{ delivery_id: string; payload: string }>(
        `SELECT delivery_id, payload FROM webhook_deliveries WHERE customer_id = $1 AND (${deliveryTerms.join(' OR ')})`,
        w.params,
      );
      for (const d of deliveries) {
        await tx.run("UPDATE webhook_deliveries SET payload = $3, contact_key = '' WHERE customer_id = $1 AND delivery_id = $2", [
          customerId,
          d.delivery_id,
          redactEnvelope(d.payload),
        ]);
      }

      // as sent in JSON, and as sent percent-encoded in a pixel's URL; also those sent under the
      // customer's ID before it was registered (kept under no customer, rejected.ts)
      let rejectedEvents = 0;
      if (emails.size) {
        w = forCustomer(customerId);
        const terms = [...emails].flatMap((e) => [contains(w, 'raw', e), contains(w, 'raw', asciiLower(encodeURIComponent(e)))]);
        rejectedEvents = await tx.run(
          `DELETE FROM rejected_events WHERE (customer_id = $1 OR (customer_id = '' AND claimed_customer_id = $1)) AND (${terms.join(' OR ')})`,
          w.params,
        );
      }

      return {
        contactUids: [...uids].sort(),
        emails: [...emails].sort(),
        orders,
        carts,
        profiles,
        directory,
        webhookDeliveries: deliveries.length,
        rejectedEvents,
      };
    });
  }

  /**
   * PostgreSQL: what any collector accepted for the customer before now is applied first, so
   * that none of it (an email it carries) is projected back after the erasure; the database
   * waits for this collector's own events already. At most 10 s, else a 503 to retry.
   */
  private async drained(customerId: string): Promise<void> {
    if (this.db.engine !== 'postgres') return;
    const q = this.db.immediate;
    const last = (await q.get<{ seq: string | null }>('SELECT max(seq)::text AS seq FROM ingest_log WHERE customer_id = $1', [customerId]))?.seq;
    if (last === null || last === undefined) return;
    const waiting = () => q.get('SELECT 1 AS waiting FROM ingest_log WHERE customer_id = $1 AND seq <= $2 LIMIT 1', [customerId, last]);
    for (const until = Date.now() + DRAIN_MS; await waiting(); await sleep(100)) {
      if (Date.now() > until) throw new HttpError(503, 'busy', 'contact: events accepted before the erasure are still being applied; nothing was erased, retry in a few seconds', { 'retry-after': '5' });
    }
  }

  /** The UID and email asked for, plus those linked to them by the directory or a profile (one step). */
  private async identities(tx: Sql, customerId: string, t: ErasureTarget): Promise<{ uids: Set<string>; emails: Set<string> }> {
    const uids = new Set<string>();
    const emails = new Set<string>();
    const lower = this.db.dialect.lowerAscii;
    if (t.contactUid !== undefined) {
      uids.add(t.contactUid);
      const linked = await tx.all<{ email: string | null }>(
        `SELECT email FROM contacts WHERE customer_id = $1 AND contact_uid = $2
         UNION SELECT email FROM contact_profiles WHERE customer_id = $1 AND contact_key = $3`,
        [customerId, t.contactUid, uidKey(t.contactUid)],
      );
      for (const r of linked) if (r.email) emails.add(asciiLower(r.email));
    }
    if (t.email !== undefined) {
      const email = asciiLower(t.email);
      emails.add(email);
      const linked = await tx.all<{ contact_uid: string }>(
        `SELECT contact_uid FROM contacts WHERE customer_id = $1 AND ${lower('email')} = $2
         UNION SELECT contact_uid FROM contact_profiles WHERE customer_id = $1 AND ${lower('email')} = $2 AND contact_uid <> ''`,
        [customerId, email],
      );
      for (const r of linked) uids.add(r.contact_uid);
    }
    return { uids, emails };
  }
}
