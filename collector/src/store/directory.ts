// The directory (docs/http-api.md, "Directory"): campaign names and contact emails, so reports show them.
import type { Database } from './database.js';
import type { CampaignName, ContactEmail } from './types.js';

export class DirectoryRepository {
  constructor(private readonly db: Database) {}

  /** Inserts or renames, all in one transaction. */
  putCampaigns(customerId: string, rows: readonly CampaignName[], now: number): Promise<void> {
    return this.upsert('campaigns', 'campaign_id', 'name', customerId, rows.map((r) => [r.campaignId, r.name]), now);
  }

  putContacts(customerId: string, rows: readonly ContactEmail[], now: number): Promise<void> {
    return this.upsert('contacts', 'contact_uid', 'email', customerId, rows.map((r) => [r.contactUid, r.email]), now);
  }

  /** Inserts or updates each (key, value) of a directory table, all in one transaction. */
  private upsert(
    table: 'campaigns' | 'contacts',
    key: 'campaign_id' | 'contact_uid',
    value: 'name' | 'email',
    customerId: string,
    rows: readonly (readonly [string, string])[],
    now: number,
  ): Promise<void> {
    const sql = `INSERT INTO ${table} (customer_id, ${key}, ${value}, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (customer_id, ${key}) DO UPDATE SET ${value} = excluded.${value}, updated_at = excluded.updated_at`;
    return this.db.transaction(async (tx) => {
      for (const [k, v] of rows) await tx.run(sql, [customerId, k, v, now]);
    });
  }
}
