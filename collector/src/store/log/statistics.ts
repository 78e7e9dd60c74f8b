// PostgreSQL plans the projector's key lookups (`cart_id IN …`, `visitor IN …`) from table
// statistics, which a fresh database lacks until autovacuum's first ANALYZE, a minute or more
// after the first rows. Without them it takes every table for a row or two and may answer a
// lookup of a few keys by reading all of a customer's carts, each batch again: projection
// then slows as the tables grow. So the projection worker analyzes each table once, as soon
// as it holds rows and has never been analyzed; autovacuum keeps the statistics from then on.
import type { Queryable } from '../database.js';

/** Rows a table holds before it is worth analyzing. */
const MIN_ROWS = 200;
/** How often the worker looks for such tables. */
const CHECK_MS = 2000;

const NEVER_ANALYZED = `
SELECT relname FROM pg_stat_user_tables
WHERE schemaname = current_schema() AND last_analyze IS NULL AND last_autoanalyze IS NULL AND n_live_tup + n_dead_tup >= $1`;

export class FirstStatistics {
  private next = 0;

  constructor(private readonly db: Queryable) {}

  /** Analyzes the tables that need it, at most every CHECK_MS. */
  async check(now = Date.now()): Promise<void> {
    if (now < this.next) return;
    this.next = now + CHECK_MS;
    for (const { relname } of await this.db.all<{ relname: string }>(NEVER_ANALYZED, [MIN_ROWS]))
      await this.db.exec(`ANALYZE "${relname.replaceAll('"', '""')}"`);
  }
}
