// CSV files for the directory: `campaignId,name` or `contactUid,email`, with that header.
// Every bad line is reported with its line number, field and reason; a file with any bad
// line imports nothing (fix it and import again: importing is idempotent).
import { parse } from 'csv-parse/sync';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { CampaignName, ContactEmail } from '../store/types.js';
import { firstError } from '../validation/messages.js';
import { CampaignEntry, ContactEntry } from './entries.js';

export type DirectoryKind = 'campaigns' | 'contacts';

const HEADERS: Record<DirectoryKind, [string, string]> = {
  campaigns: ['campaignId', 'name'],
  contacts: ['contactUid', 'email'],
};
const CHECKS = { campaigns: TypeCompiler.Compile(CampaignEntry), contacts: TypeCompiler.Compile(ContactEntry) };

export interface ParsedDirectory<T> {
  rows: T[];
  /** `line 3: email: must be an email address` */
  errors: string[];
}

export function parseDirectoryCsv(kind: 'campaigns', text: string): ParsedDirectory<CampaignName>;
export function parseDirectoryCsv(kind: 'contacts', text: string): ParsedDirectory<ContactEmail>;
export function parseDirectoryCsv(kind: DirectoryKind, text: string): ParsedDirectory<CampaignName | ContactEmail> {
  const header = HEADERS[kind];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true, record_delimiter: ['\r\n', '\n', '\r'] }) as unknown as typeof records;
  } catch (err) {
    return { rows: [], errors: [`${(err as Error).message}`] };
  }
  if (records.length === 0) return { rows: [], errors: [`line 1: the file is empty; expected the header ${header.join(',')}`] };
  const first = records[0].record.map((c) => c.toLowerCase());
  if (first.length !== 2 || first[0] !== header[0].toLowerCase() || first[1] !== header[1].toLowerCase()) {
    return { rows: [], errors: [`line ${records[0].info.lines}: the header must be ${header.join(',')} (got ${records[0].record.join(',').slice(0, 200)})`] };
  }
  const rows: (CampaignName | ContactEmail)[] = [];
  const errors: string[] = [];
  for (const { record, info } of records.slice(1)) {
    if (record.length !== 2) {
      errors.push(`line ${info.lines}: expected 2 values (${header.join(',')}), got ${record.length}`);
      continue;
    }
    const entry = { [header[0]]: record[0], [header[1]]: record[1] };
    const check = CHECKS[kind];
    if (!check.Check(entry)) {
      const e = firstError(check.Errors(entry));
      errors.push(`line ${info.lines}: ${e?.field ?? header[0]}: ${e?.reason ?? 'is not valid'}`);
      continue;
    }
    rows.push(entry as unknown as CampaignName | ContactEmail);
  }
  return { rows, errors };
}
