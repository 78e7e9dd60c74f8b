// Erasure of one contact's personal data (docs/advanced.md): orders and carts keep their
// amounts but lose the email and UID, the profile and the directory entry go, pending and
// past webhook payloads are redacted, and rejected events that contain the email are
// dropped. Buyer keys (`u:<uid>`, `e:<email>`) become one random pseudonym per buyer, so
// every distinct-buyer count stays exactly what it was. One transaction: all or nothing.
import { randomUUID } from 'node:crypto';
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

export class ErasureRepository {
  constructor(private readonly db: Database) {}

  erase(customerId: string, target: ErasureTarget): Promise<ErasureResult> {
    return this.db.transaction(async (tx) => {
      const { uids, emails } = await this.identities(tx, customerId, target);
      const keys = [...[...uids].map(uidKey), ...[...emails].map(emailKey)];

      // orders and carts of the contact: by its key, its UID or its email
      const matching = (w: Where) => {
        const terms = [`contact_key IN ${inList(w, keys)}`];
        if (uids.size) terms.push(`contact_uid IN ${inList(w, [...uids])}`);
        if (emails.size) terms.push(`lower(email) IN ${inList(w, [...emails])}`);
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
      if (emails.size) dirTerms.push(`lower(email) IN ${inList(w, [...emails])}`);
      const directory = dirTerms.length ? await tx.run(`DELETE FROM contacts WHERE customer_id = $1 AND (${dirTerms.join(' OR ')})`, w.params) : 0;

      w = forCustomer(customerId);
      const deliveries = await tx.all<{ delivery_id: string; payload: string }>(
        `SELECT delivery_id, payload FROM webhook_deliveries WHERE customer_id = $1 AND contact_key IN ${inList(w, [...profileKeys])}`,
        w.params,
      );
      for (const d of deliveries) {
        await tx.run("UPDATE webhook_deliveries SET payload = $3, contact_key = '' WHERE customer_id = $1 AND delivery_id = $2", [
          customerId,
          d.delivery_id,
          redactEnvelope(d.payload),
        ]);
      }

      let rejectedEvents = 0;
      for (const email of emails) {
        // as sent in JSON, and as sent percent-encoded in a pixel's URL
        w = forCustomer(customerId);
        const plain = w.param(containing(email));
        const encoded = w.param(containing(asciiLower(encodeURIComponent(email))));
        rejectedEvents += await tx.run(
          `DELETE FROM rejected_events WHERE customer_id = $1 AND (lower(raw) LIKE ${plain} ESCAPE '\\' OR lower(raw) LIKE ${encoded} ESCAPE '\\')`,
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

  /** The UID and email asked for, plus those linked to them by the directory or a profile (one step). */
  private async identities(tx: Sql, customerId: string, t: ErasureTarget): Promise<{ uids: Set<string>; emails: Set<string> }> {
    const uids = new Set<string>();
    const emails = new Set<string>();
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
        `SELECT contact_uid FROM contacts WHERE customer_id = $1 AND lower(email) = $2
         UNION SELECT contact_uid FROM contact_profiles WHERE customer_id = $1 AND lower(email) = $2 AND contact_uid <> ''`,
        [customerId, email],
      );
      for (const r of linked) uids.add(r.contact_uid);
    }
    return { uids, emails };
  }
}
