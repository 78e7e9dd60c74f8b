// Every refused event or request, kept with its reason so nothing is silently lost, and kept
// bounded whatever is posted: the first 2 KiB of the raw request and a SHA-256 of the whole;
// a rejection seen again (same customer, reason and hash; for an ID that is no customer,
// same ID and reason) counts up on its row instead of adding one, and the row keeps the
// latest request; rows not seen for `serve --keep-rejected` are deleted by the background
// purge (background/rejected.ts), so no request is kept longer than that.
import { createHash } from 'node:crypto';
import { CUSTOMER_ID_CHARS } from '../../../src/protocol/constants.js';
import { names, num, type Column, type Database, type Sql } from './database.js';
import type { RejectRecord, RejectedEvent } from './types.js';

/** '' stands for "no known customer" (the key column is never null). */
const NO_CUSTOMER = '';
/** Bytes of the raw request kept (UTF-8). */
export const RAW_KEPT_BYTES = 2048;
/** Reasons are short by construction; this bounds one that quotes what it refused. */
const REASON_KEPT_CHARS = 1024;
const CLAIMED_ID_CHARS = 64;

/** NUL cannot be stored in PostgreSQL text: written as the six characters \u0000. */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\\u0000') : text;
}

const sha256 = (raw: string | Buffer) => createHash('sha256').update(raw).digest('hex');

/** The first 2 KiB of UTF-8 bytes, cut back to a character's start. */
function head(bytes: Buffer): string {
  let end = RAW_KEPT_BYTES;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // a UTF-8 continuation byte: back to the character's start
  return bytes.subarray(0, end).toString('utf8');
}

/** The first 2 KiB of a raw request (cut between characters), and the size of the whole. */
function cut(raw: string | Buffer): { raw: string; rawBytes: number } {
  if (typeof raw !== 'string') return { raw: raw.length <= RAW_KEPT_BYTES ? raw.toString('utf8') : head(raw), rawBytes: raw.length };
  const rawBytes = Buffer.byteLength(raw, 'utf8');
  if (rawBytes <= RAW_KEPT_BYTES) return { raw, rawBytes };
  // 2048 characters hold at least 2048 bytes: only they are encoded (a 500 KiB body is not copied)
  return { raw: head(Buffer.from(raw.slice(0, RAW_KEPT_BYTES), 'utf8')), rawBytes };
}

/** The first 2 KiB of a raw request (its text, or its bytes as received), with the size and hash of the whole. */
export function boundRaw(raw: string | Buffer): { raw: string; rawBytes: number; rawSha256: string } {
  return { ...cut(raw), rawSha256: sha256(raw) };
}

/** A claimed customer ID as kept: at most 64 characters, anything but letters, digits, "_" and "-" shown as "?". */
export function sanitizeClaimedId(id: string): string {
  return id.slice(0, CLAIMED_ID_CHARS).replace(new RegExp(`[^${CUSTOMER_ID_CHARS}]`, 'g'), '?');
}

/** A rejection as its row: bounded, storable, and fingerprinted for counting repeats. */
export interface RejectedRow {
  customer_id: string;
  fingerprint: string;
  claimed_customer_id: string;
  source: string;
  reason: string;
  raw: string;
  raw_bytes: number;
  raw_sha256: string;
  hits: number;
  first_seen: number;
  last_seen: number;
}

export function rejectedRow(r: RejectRecord): RejectedRow {
  const kept = cut(r.raw);
  // the whole's size and hash, when the ingest service bounded it already
  const rawSha256 = r.rawSha256 ?? sha256(r.raw);
  const reason = storable(r.reason).slice(0, REASON_KEPT_CHARS);
  const claimed = r.customerId === null && r.claimedCustomerId ? sanitizeClaimedId(r.claimedCustomerId) : '';
  // an unknown customer ID is counted per ID, whatever its requests carried
  const fingerprint = sha256(`${reason}\u0000${claimed ? `customer ${claimed}` : `raw ${rawSha256}`}`);
  return {
    customer_id: r.customerId ?? NO_CUSTOMER,
    fingerprint,
    claimed_customer_id: claimed,
    source: storable(r.source),
    reason,
    raw: storable(kept.raw),
    raw_bytes: r.rawBytes ?? kept.rawBytes,
    raw_sha256: rawSha256,
    hits: 1,
    first_seen: r.receivedAt,
    last_seen: r.receivedAt,
  };
}

/**
 * What a repeat replaces: the request's body. An unregistered ID's row counts requests of any
 * body (other shoppers'), and purging by last seen must not keep the first one forever.
 */
const LATEST = ['raw', 'raw_bytes', 'raw_sha256'] as const;

/** The rows of several rejections for one statement: repeats merged (one upsert cannot touch a row twice). */
export function rejectedRows(records: readonly RejectRecord[]): RejectedRow[] {
  const byKey = new Map<string, RejectedRow>();
  for (const r of records) {
    const row = rejectedRow(r);
    const key = `${row.customer_id}\u0000${row.fingerprint}`;
    const seen = byKey.get(key);
    // the later request's row (they differ in what LATEST lists), with the counts of both
    const later = seen && seen.last_seen > row.last_seen ? seen : row;
    byKey.set(key, seen ? { ...later, hits: seen.hits + row.hits, first_seen: Math.min(seen.first_seen, row.first_seen) } : row);
  }
  return [...byKey.values()];
}

/** The columns a rejection writes: the keys of RejectedRow, for a VALUES list or a recordset. */
export const REJECTED_COLUMNS: readonly Column[] = [
  ['customer_id', 'text'],
  ['fingerprint', 'text'],
  ['claimed_customer_id', 'text'],
  ['source', 'text'],
  ['reason', 'text'],
  ['raw', 'text'],
  ['raw_bytes', 'bigint'],
  ['raw_sha256', 'text'],
  ['hits', 'bigint'],
  ['first_seen', 'bigint'],
  ['last_seen', 'bigint'],
];

const ONE_ROW = `VALUES (${REJECTED_COLUMNS.map((_, k) => `$${k + 1}`).join(', ')})`;

/** `INSERT … ON CONFLICT` of rejected rows into `table`, from `source` (a VALUES list or a recordset's SELECT). */
export const upsertRejectedSql = (table: string, source: string) =>
  `INSERT INTO ${table} (${names(REJECTED_COLUMNS)}) ${source}
     ON CONFLICT (customer_id, fingerprint) DO UPDATE SET hits = ${table}.hits + excluded.hits,
       ${LATEST.map((c) => `${c} = CASE WHEN excluded.last_seen >= ${table}.last_seen THEN excluded.${c} ELSE ${table}.${c} END`).join(', ')},
       first_seen = CASE WHEN excluded.first_seen < ${table}.first_seen THEN excluded.first_seen ELSE ${table}.first_seen END,
       last_seen = CASE WHEN excluded.last_seen > ${table}.last_seen THEN excluded.last_seen ELSE ${table}.last_seen END`;

async function upsert(tx: Sql, table: string, r: RejectRecord): Promise<void> {
  const row = rejectedRow(r);
  await tx.run(upsertRejectedSql(table, ONE_ROW), REJECTED_COLUMNS.map(([name]) => row[name as keyof RejectedRow]));
}

export function insertRejected(tx: Sql, r: RejectRecord): Promise<void> {
  return upsert(tx, 'rejected_events', r);
}

/** Migration 4: the old rows (one per rejection, whole raw body) into the bounded table, in pages. */
export async function reshapeRejected(tx: Sql): Promise<void> {
  const page = 500;
  let rows = await tx.all<OldRow>(`SELECT * FROM rejected_events ORDER BY customer_id, received_at, id LIMIT ${page}`);
  while (rows.length > 0) {
    for (const r of rows) {
      const customerId = r.customer_id === NO_CUSTOMER ? null : r.customer_id;
      await upsert(tx, 'rejected_events_v4', { customerId, receivedAt: num(r.received_at), source: r.source, reason: r.reason, raw: r.raw });
    }
    const last = rows[rows.length - 1];
    rows = await tx.all<OldRow>(
      `SELECT * FROM rejected_events WHERE (customer_id, received_at, id) > ($1, $2, $3) ORDER BY customer_id, received_at, id LIMIT ${page}`,
      [last.customer_id, num(last.received_at), last.id],
    );
  }
  await tx.exec('DROP TABLE rejected_events; ALTER TABLE rejected_events_v4 RENAME TO rejected_events');
}

interface OldRow {
  customer_id: string;
  received_at: unknown;
  id: string;
  source: string;
  reason: string;
  raw: string;
}

/** A row as read: the numbers as the driver gives them (bigint columns may come as strings). */
type Row = Omit<RejectedRow, 'raw_bytes' | 'hits' | 'first_seen' | 'last_seen'> & Record<'raw_bytes' | 'hits' | 'first_seen' | 'last_seen', unknown>;

export class RejectedRepository {
  constructor(private readonly db: Database) {}

  add(records: readonly RejectRecord[]): Promise<void> {
    return this.db.transaction(async (tx) => {
      for (const r of records) await insertRejected(tx, r);
    });
  }

  /**
   * Last seen first. With a customer ID: that customer's; with null: those that named no known
   * customer; with undefined: all (an operator's listing, the one query that spans customers).
   */
  async list(customerId: string | null | undefined, limit = 100): Promise<RejectedEvent[]> {
    const rows =
      customerId === undefined
        ? await this.db.all<Row>('SELECT * FROM rejected_events ORDER BY last_seen DESC, fingerprint DESC LIMIT $1', [limit])
        : await this.db.all<Row>('SELECT * FROM rejected_events WHERE customer_id = $1 ORDER BY last_seen DESC, fingerprint DESC LIMIT $2', [
            customerId ?? NO_CUSTOMER,
            limit,
          ]);
    return rows.map((r) => ({
      id: r.fingerprint,
      customerId: r.customer_id === NO_CUSTOMER ? null : r.customer_id,
      claimedCustomerId: r.claimed_customer_id,
      receivedAt: num(r.first_seen),
      lastSeenAt: num(r.last_seen),
      count: num(r.hits),
      source: r.source,
      reason: r.reason,
      raw: r.raw,
      rawBytes: num(r.raw_bytes),
      rawSha256: r.raw_sha256,
    }));
  }

  /** Deletes the rejections last seen before `cutoff`, one customer at a time (each an index range); answers how many. */
  async deleteSeenBefore(cutoff: number): Promise<number> {
    const customers = await this.db.all<{ customer_id: string }>('SELECT customer_id FROM customers');
    let deleted = 0;
    for (const id of [NO_CUSTOMER, ...customers.map((c) => c.customer_id)]) {
      deleted += await this.db.run('DELETE FROM rejected_events WHERE customer_id = $1 AND last_seen < $2', [id, cutoff]);
    }
    return deleted;
  }
}
