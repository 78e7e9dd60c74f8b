// Directory writes shared by the API and the CLI import.
import type { Store } from '../store/store.js';
import { parseDirectoryCsv, type DirectoryKind } from './csv-import.js';

export interface ImportResult {
  imported: number;
  errors: string[];
}

/** Imports a whole CSV file, or nothing when any line is bad. */
export async function importDirectoryCsv(store: Store, kind: DirectoryKind, customerId: string, text: string, now: number): Promise<ImportResult> {
  if (kind === 'campaigns') {
    const parsed = parseDirectoryCsv('campaigns', text);
    if (parsed.errors.length) return { imported: 0, errors: parsed.errors };
    await store.directory.putCampaigns(customerId, parsed.rows, now);
    return { imported: parsed.rows.length, errors: [] };
  }
  const parsed = parseDirectoryCsv('contacts', text);
  if (parsed.errors.length) return { imported: 0, errors: parsed.errors };
  await store.directory.putContacts(customerId, parsed.rows, now);
  return { imported: parsed.rows.length, errors: [] };
}
