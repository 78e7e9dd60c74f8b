// What every report query is built from (docs/http-api.md, "Reports"): the filter, a
// range split into whole UTC days (read from daily_stats) and partial edge days (read from
// the rows), a WHERE builder, and money sums exact on both engines.
import { big, num, type Database, type SqlValue } from '../database.js';
import { DAY_MS } from '../types.js';

/** Where SQLite's money sums split an amount: each part's SUM stays far from overflow. */
export const SPLIT = 1_000_000_000n;

/**
 * SUM of a money expression, exact on both engines. PostgreSQL sums BIGINT and NUMERIC into
 * NUMERIC. SQLite's SUM of integers throws on overflow, so it sums the high and the low
 * parts apart (`name_hi`, `name_lo`), joined in BigInt by `moneyOf`.
 */
export function moneySum(engine: Database['engine'], expr: string, name: string): string {
  if (engine === 'postgres') return `SUM(${expr}) AS ${name}`;
  return `SUM((${expr}) / ${SPLIT}) AS ${name}_hi, SUM((${expr}) % ${SPLIT}) AS ${name}_lo`;
}

/** A `moneySum` read back exactly. */
export function moneyOf(r: R, name: string): bigint {
  return `${name}_hi` in r ? big(r[`${name}_hi`] ?? 0) * SPLIT + big(r[`${name}_lo`] ?? 0) : big(r[name] ?? 0);
}

export interface ReportFilter {
  customerId: string;
  /** inclusive, epoch ms */
  from?: number;
  /** exclusive, epoch ms */
  to?: number;
  campaignId?: string;
  /** 'email': only rows attributed to an email campaign; 'all': direct traffic too */
  attributed: 'email' | 'all';
}

export interface SplitRange {
  /** [first, end) day numbers; undefined bounds are open; null when there is no whole day */
  days: { first?: number; end?: number } | null;
  /** [from, to) epoch ms ranges of partial days */
  edges: { from: number; to: number }[];
}

export function splitRange(from?: number, to?: number): SplitRange {
  const edges: { from: number; to: number }[] = [];
  const first = from === undefined ? undefined : Math.ceil(from / DAY_MS);
  const end = to === undefined ? undefined : Math.floor(to / DAY_MS);
  if (first !== undefined && end !== undefined && first >= end) {
    if (!(from! < to!)) return { days: null, edges: [] };
    // no whole day inside, but it may cross one midnight: cut there, so that each edge lies in
    // one day (the timeseries books an edge to the day it starts in)
    const midnight = first * DAY_MS;
    return { days: null, edges: from! < midnight && midnight < to! ? [{ from: from!, to: midnight }, { from: midnight, to: to! }] : [{ from: from!, to: to! }] };
  }
  if (from !== undefined && first! * DAY_MS > from) edges.push({ from, to: first! * DAY_MS });
  if (to !== undefined && end! * DAY_MS < to) edges.push({ from: end! * DAY_MS, to });
  return { days: { first, end }, edges };
}

/** Builds a WHERE clause with numbered parameters. */
export class Where {
  readonly params: SqlValue[] = [];
  private readonly terms: string[] = [];

  add(term: string, ...values: SqlValue[]): this {
    let text = term;
    for (const v of values) {
      this.params.push(v);
      text = text.replace('?', `$${this.params.length}`);
    }
    this.terms.push(text);
    return this;
  }

  /** a placeholder for one more value, e.g. LIMIT */
  param(v: SqlValue): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }

  get sql(): string {
    return this.terms.join(' AND ');
  }
}

export function campaignTerms(w: Where, f: ReportFilter, alias: string): void {
  if (f.campaignId !== undefined) w.add(`${alias}campaign_id = ?`, f.campaignId);
  else if (f.attributed === 'email') w.add(`${alias}campaign_id <> ''`);
}

/** The daily_stats rows of the filter's customer and campaigns in the whole days [first, end). */
export function dailyWhere(f: ReportFilter, days: NonNullable<SplitRange['days']>): Where {
  const w = new Where().add('customer_id = ?', f.customerId);
  campaignTerms(w, f, '');
  if (days.first !== undefined) w.add('day >= ?', days.first);
  if (days.end !== undefined) w.add('day < ?', days.end);
  return w;
}

export function timeTerms(w: Where, from: number | undefined, to: number | undefined, column: string): void {
  if (from !== undefined) w.add(`${column} >= ?`, from);
  if (to !== undefined) w.add(`${column} < ?`, to);
}

/** The raw rows (with `terms` too) of the filter's customer and campaigns in one partial day. */
export function edgeWhere(f: ReportFilter, edge: { from: number; to: number }, ...terms: string[]): Where {
  const w = new Where().add('customer_id = ?', f.customerId);
  for (const term of terms) w.add(term);
  campaignTerms(w, f, '');
  timeTerms(w, edge.from, edge.to, 'time');
  return w;
}

export type R = Record<string, unknown>;
export const orNull = (v: unknown): string | null => (v === '' || v === null || v === undefined ? null : String(v));
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

/** What each report's queries share: the database, and exact money sums. */
export class ReportQueries {
  constructor(protected readonly db: Database) {}

  protected sum(expr: string, name = expr): string {
    return moneySum(this.db.engine, expr, name);
  }
}
