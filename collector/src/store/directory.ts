// The directory (SPEC 5.4): campaign names and contact emails, so reports show them.
import type { Database } from './database.js';
import type { CampaignName, ContactEmail } from './types.js';

export class DirectoryRepository {
  constructor(private readonly db: Database) {}

  /** Inserts or renames, all in one transaction. */
  putCampaigns(customerId: string, rows: readonly CampaignName[], now: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      for (const r of rows) {
        await tx.run(
          `INSERT INTO campaigns (customer_id, campaign_id, name, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (customer_id, campaign_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`,
          [customerId, r.campaignId, r.name, now],
        );
      }
    });
  }

  putContacts(customerId: string, rows: readonly ContactEmail[], now: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      for (const r of rows) {
        await tx.run(
          `INSERT INTO contacts (customer_id, contact_uid, email, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (customer_id, contact_uid) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at`,
          [customerId, r.contactUid, r.email, now],
        );
      }
    });
  }
}
