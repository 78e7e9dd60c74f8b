// The reports (docs/http-api.md, "Reports"): keyset-paged lists and the computed summary/timeseries, shaped
// by the column definitions. Transport (JSON or CSV) is the route's business.
import { divRound } from '../money.js';
import { badRequest } from '../errors.js';
import type { Store } from '../store/store.js';
import type { ContactRow, SegmentFilter } from '../store/profiles.js';
import type { AttributionRow, CartRow, ItemRow, OrderRow, ReportFilter, StatsRow } from '../store/reports/index.js';
import { ATTRIBUTIONS } from '../store/types.js';
import { DAY_MS, dayOf } from '../store/types.js';
import {
  ATTRIBUTION_COLUMNS,
  CART_COLUMNS,
  CONTACT_COLUMNS,
  ITEM_COLUMNS,
  ORDER_COLUMNS,
  SUMMARY_COLUMNS,
  type CampaignOut,
  type Column,
  type DayOut,
  type SummaryOut,
} from './columns.js';
import { decodeCursor, encodeCursor, type CursorKey } from './cursor.js';

export interface Page<T> {
  rows: T[];
  total: number;
  next: string | null;
}

/** A report: its columns, and how to read one page of it after a cursor. */
export interface Report<T, F = ReportFilter> {
  name: string;
  columns: readonly Column<T>[];
  page(f: F, limit: number, cursor?: string): Promise<Page<T>>;
}

/** The longest timeseries answered, in days (10 years). */
export const MAX_TIMESERIES_DAYS = 3660;
/** Rows per internal page when a CSV streams a whole report. */
export const EXPORT_PAGE = 1000;

export interface Keyset<T, F> {
  name: string;
  columns: readonly Column<T>[];
  /** cursor key types: 'n' number, 's' string */
  shape: string;
  list(f: F, limit: number, after: CursorKey | undefined): Promise<T[]>;
  count(f: F): Promise<number>;
  key(row: T): CursorKey;
}

/** A list paged by a keyset cursor: stable while rows arrive or change. */
export function keysetReport<T, F = ReportFilter>(k: Keyset<T, F>): Report<T, F> {
  return {
    name: k.name,
    columns: k.columns,
    async page(f, limit, cursor) {
      const after = cursor === undefined ? undefined : decodeCursor(k.name, cursor, k.shape);
      const [rows, total] = await Promise.all([k.list(f, limit + 1, after), k.count(f)]);
      const more = rows.length > limit;
      if (more) rows.length = limit;
      return { rows, total, next: more ? encodeCursor(k.name, k.key(rows[rows.length - 1])) : null };
    },
  };
}

/** The (time, ID) a cursor of shape 'ns' (or 'nsn') starts with. */
const orderKey = (after: CursorKey) => ({ time: after[0] as number, id: after[1] as string });

/** A report computed whole (small: one row per campaign), paged by position. */
function computedReport<T>(name: string, columns: readonly Column<T>[], all: (f: ReportFilter) => Promise<T[]>): Report<T> {
  return {
    name,
    columns,
    async page(f, limit, cursor) {
      const offset = cursor === undefined ? 0 : Number(decodeCursor(name, cursor, 'n')[0]);
      const rows = await all(f);
      const slice = rows.slice(offset, offset + limit);
      const end = offset + slice.length;
      return { rows: slice, total: rows.length, next: end < rows.length ? encodeCursor(name, [end]) : null };
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    reports: ReportsService;
  }
}

export class ReportsService {
  readonly orders: Report<OrderRow>;
  readonly abandonedCarts: Report<CartRow>;
  readonly items: Report<ItemRow>;
  readonly summary: Report<SummaryOut>;
  /** orders and revenue per attribution method and currency */
  readonly attribution: Report<AttributionRow>;
  /** contact profiles matching a segment (docs/advanced.md) */
  readonly contacts: Report<ContactRow, SegmentFilter>;

  constructor(private readonly store: Store) {
    const r = store.reports;
    this.orders = keysetReport<OrderRow>({
      name: 'orders',
      columns: ORDER_COLUMNS,
      shape: 'ns',
      list: (f, limit, after) => r.listOrders(f, limit, after && orderKey(after)),
      count: (f) => r.countOrders(f),
      key: (row) => [row.time, row.orderId],
    });
    this.abandonedCarts = keysetReport<CartRow>({
      name: 'abandoned-carts',
      columns: CART_COLUMNS,
      shape: 'ns',
      list: (f, limit, after) => r.listAbandoned(f, limit, after && orderKey(after)),
      count: (f) => r.countAbandoned(f),
      key: (row) => [row.time, row.cartId],
    });
    this.items = keysetReport<ItemRow>({
      name: 'items',
      columns: ITEM_COLUMNS,
      shape: 'nsi',
      list: (f, limit, after) =>
        r.listItems(f, limit, after && { ...orderKey(after), line: after[2] as number }),
      count: (f) => r.countItems(f),
      key: (row) => [row.time, row.orderId, row.line],
    });
    this.summary = computedReport('summary', SUMMARY_COLUMNS, (f) => this.summaryRows(f));
    // direct traffic is one of the methods compared: listed whatever `attributed` says
    this.attribution = computedReport('attribution', ATTRIBUTION_COLUMNS, (f) => this.attributionRows({ ...f, attributed: 'all' }));
    this.contacts = keysetReport<ContactRow, SegmentFilter>({
      name: 'contacts',
      columns: CONTACT_COLUMNS,
      shape: 's',
      list: (f, limit, after) => store.profiles.list(f, limit, after?.[0] as string | undefined),
      count: (f) => store.profiles.count(f),
      key: (row) => [row.contactKey],
    });
  }

  /** Every row of a report, a page at a time (CSV export). */
  async *all<T>(report: Report<T>, f: ReportFilter): AsyncGenerator<T[]> {
    let cursor: string | undefined;
    do {
      const page = await report.page(f, EXPORT_PAGE, cursor);
      if (page.rows.length) yield page.rows;
      cursor = page.next ?? undefined;
    } while (cursor);
  }

  /**
   * Per campaign and currency: the customer's currency first, then the others by code, each
   * highest revenue first (amounts in different currencies are not ranked against each
   * other: 50,000 HUF is not more than 200 EUR). A campaign clicked but without orders or
   * carts in the range gets a row in the customer's currency, so its clicks show.
   */
  async summaryRows(f: ReportFilter): Promise<SummaryOut[]> {
    const r = this.store.reports;
    const [stats, buyers, names, clicks, customer] = await Promise.all([r.stats(f), r.buyers(f), r.campaignNames(f.customerId), r.clicks(f), this.store.customers.get(f.customerId)]);
    const home = customer?.currency ?? 'EUR';
    const active = stats.filter((s) => s.orders !== 0 || s.carts !== 0 || s.abandoned !== 0 || s.recovered !== 0 || s.refunded !== 0n);
    const ordersOf = new Map<string, number>();
    for (const s of active) ordersOf.set(s.campaignId ?? '', (ordersOf.get(s.campaignId ?? '') ?? 0) + s.orders);
    for (const campaignId of clicks.keys()) if (!ordersOf.has(campaignId)) active.push(emptyStats(campaignId, home));
    const rows = active.map<SummaryOut>((s) => {
      const campaignClicks = clicks.get(s.campaignId ?? '') ?? 0;
      return {
        campaignId: s.campaignId,
        campaignName: s.campaignId === null ? null : (names.get(s.campaignId) ?? null),
        currency: s.currency,
        revenue: s.revenue,
        buyers: buyers.get(`${s.campaignId ?? ''}\u0000${s.currency}`) ?? 0,
        orders: s.orders,
        averageOrderValue: s.orders > 0 ? divRound(s.revenue, BigInt(s.orders)) : 0n,
        abandonedCarts: s.abandoned,
        abandonedValue: s.abandonedValue,
        recoveredCarts: s.recovered,
        carts: s.carts,
        conversionRate: s.carts > 0 ? ratio(s.converted, s.carts) : 0,
        clicks: campaignClicks,
        clickConversion: campaignClicks > 0 ? ratio(ordersOf.get(s.campaignId ?? '') ?? 0, campaignClicks) : null,
        refundedOrders: s.refundedOrders,
        refunded: s.refunded,
      };
    });
    return rows.sort(
      (a, b) =>
        +(b.currency === home) - +(a.currency === home) ||
        cmp(a.currency, b.currency) ||
        (a.revenue === b.revenue ? 0 : a.revenue > b.revenue ? -1 : 1) ||
        cmp(a.campaignId ?? '\uffff', b.campaignId ?? '\uffff'),
    );
  }

  /** Per UTC day (and currency) over the range, days without data included as zeros. */
  async timeseries(f: ReportFilter): Promise<DayOut[]> {
    if (f.from !== undefined && f.to !== undefined && (f.to - f.from) / DAY_MS > MAX_TIMESERIES_DAYS) {
      throw badRequest('to', `the timeseries spans at most ${MAX_TIMESERIES_DAYS} days`);
    }
    const days = await this.store.reports.days(f);
    const first = f.from !== undefined ? dayOf(f.from) : days[0]?.day;
    const last = f.to !== undefined ? dayOf(f.to - 1) : days[days.length - 1]?.day;
    if (first === undefined || last === undefined) return [];
    if (last - first + 1 > MAX_TIMESERIES_DAYS) throw badRequest('from', `the timeseries spans at most ${MAX_TIMESERIES_DAYS} days`);
    const currencies = new Set(days.map((d) => d.currency));
    if (currencies.size === 0) {
      const customer = await this.store.customers.get(f.customerId);
      currencies.add(customer?.currency ?? 'EUR');
    }
    const byKey = new Map(days.map((d) => [`${d.day}\u0000${d.currency}`, d]));
    const out: DayOut[] = [];
    const sorted = [...currencies].sort();
    for (let day = first; day <= last; day++) {
      const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
      for (const currency of sorted) {
        const d = byKey.get(`${day}\u0000${currency}`);
        out.push({
          date,
          currency,
          revenue: d?.revenue ?? 0n,
          orders: d?.orders ?? 0,
          abandonedCarts: d?.abandoned ?? 0,
          abandonedValue: d?.abandonedValue ?? 0n,
          refunded: d?.refunded ?? 0n,
        });
      }
    }
    return out;
  }

  /** Per attribution method in a fixed order (`none`, direct traffic, last), then currency. */
  async attributionRows(f: ReportFilter): Promise<AttributionRow[]> {
    const order: readonly string[] = [...ATTRIBUTIONS, 'none'];
    const rows = await this.store.reports.attributions(f);
    return rows
      .filter((a) => a.orders !== 0 || a.refunded !== 0n)
      .sort((a, b) => order.indexOf(a.attribution) - order.indexOf(b.attribution) || cmp(a.currency, b.currency));
  }

  campaigns(customerId: string): Promise<CampaignOut[]> {
    return this.store.reports.campaigns(customerId);
  }

  order(customerId: string, orderId: string) {
    return this.store.reports.getOrder(customerId, orderId);
  }

  cart(customerId: string, cartId: string) {
    return this.store.reports.getCart(customerId, cartId);
  }
}

/** A share rounded to 4 decimals. */
const ratio = (part: number, whole: number) => Math.round((part / whole) * 10_000) / 10_000;

function emptyStats(campaignId: string, currency: string): StatsRow {
  return { campaignId, currency, orders: 0, revenue: 0n, carts: 0, converted: 0, abandoned: 0, abandonedValue: 0n, recovered: 0, refundedOrders: 0, refunded: 0n };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
