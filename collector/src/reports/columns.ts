// The columns of each report, in order: one definition gives the JSON row, the CSV line and
// the response schema, so the three never drift apart.
import { Type, type TSchema } from '@sinclair/typebox';
import { csvLine, csvNumber, csvText } from '../csv.js';
import { formatMoney, moneyToNumber } from '../money.js';
import type { ContactRow } from '../store/profiles.js';
import type { AttributionRow, CartRow, ItemRow, OrderRow, PurchaseRow } from '../store/reports/index.js';
import type { StoredItem } from '../store/types.js';

export type ColumnType = 'text' | 'integer' | 'number' | 'money' | 'time' | 'date';
type Value = string | number | bigint | null;

export interface Column<T> {
  key: string;
  type: ColumnType;
  get(row: T): Value;
  nullable?: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function jsonRow<T>(columns: readonly Column<T>[], row: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const v = c.get(row);
    out[c.key] = v === null ? null : c.type === 'money' ? moneyToNumber(v as bigint) : c.type === 'time' ? iso(Number(v)) : v;
  }
  return out;
}

export function csvHeader<T>(columns: readonly Column<T>[]): string {
  return csvLine(columns.map((c) => c.key));
}

export function csvRow<T>(columns: readonly Column<T>[], row: T): string {
  return csvLine(
    columns.map((c) => {
      const v = c.get(row);
      if (v === null) return '';
      switch (c.type) {
        case 'text':
        case 'date':
          return csvText(String(v));
        case 'money':
          return formatMoney(v as bigint);
        case 'time':
          return iso(Number(v));
        default:
          return csvNumber(v as number);
      }
    }),
  );
}

function schemaOf(type: ColumnType): TSchema {
  switch (type) {
    case 'text':
    case 'time':
    case 'date':
      return Type.String();
    case 'integer':
      return Type.Integer();
    default:
      return Type.Number();
  }
}

/** The JSON schema of a row (response serialization and docs). */
export function rowSchema<T>(columns: readonly Column<T>[], extra: Record<string, TSchema> = {}) {
  const props: Record<string, TSchema> = {};
  for (const c of columns) props[c.key] = c.nullable ? Type.Union([schemaOf(c.type), Type.Null()]) : schemaOf(c.type);
  return Type.Object({ ...props, ...extra });
}

export const text = <T>(key: string, get: (r: T) => string | null, nullable = true): Column<T> => ({ key, type: 'text', get, nullable });
export const money = <T>(key: string, get: (r: T) => bigint | null, nullable = false): Column<T> => ({ key, type: 'money', get, nullable });
export const integer = <T>(key: string, get: (r: T) => number): Column<T> => ({ key, type: 'integer', get });
export const time = <T>(key: string, get: (r: T) => number | null, nullable = false): Column<T> => ({ key, type: 'time', get, nullable });

/** The columns an order and a cart share, between the ID and the end. */
const PURCHASE_COLUMNS: Column<PurchaseRow>[] = [
  text('email', (r) => r.email),
  text('campaignId', (r) => r.campaignId),
  text('campaignName', (r) => r.campaignName),
  text('contactUid', (r) => r.contactUid),
  money('total', (r) => r.total),
  text('currency', (r) => r.currency, false),
  money('tax', (r) => r.tax, true),
  money('shipping', (r) => r.shipping, true),
  text('city', (r) => r.city),
  text('country', (r) => r.country),
  integer('itemCount', (r) => r.itemCount),
];

export const ORDER_COLUMNS: Column<OrderRow>[] = [
  time('time', (r) => r.time),
  text('orderId', (r) => r.orderId, false),
  ...PURCHASE_COLUMNS,
  text('source', (r) => r.source, false),
  text('attribution', (r) => r.attribution),
  time('clickAt', (r) => r.clickAt, true),
  money('refunded', (r) => r.refunded),
  money('netTotal', (r) => r.total - r.refunded),
  time('cancelledAt', (r) => r.cancelledAt, true),
];

export const CART_COLUMNS: Column<CartRow>[] = [
  time('time', (r) => r.time),
  text('cartId', (r) => r.cartId, false),
  ...PURCHASE_COLUMNS,
  time('abandonedAt', (r) => r.abandonedAt, true),
];

/** The cart detail adds its state and, once ordered, the order that closed it. */
export const CART_DETAIL_COLUMNS: Column<CartRow>[] = [
  ...CART_COLUMNS,
  text('state', (r) => r.state, false),
  text('orderId', (r) => r.orderId),
];

export const ITEM_COLUMNS: Column<ItemRow>[] = [
  time('time', (r) => r.time),
  text('sku', (r) => r.sku, false),
  text('name', (r) => r.name),
  text('category', (r) => r.category),
  money('price', (r) => r.price),
  integer('quantity', (r) => r.quantity),
  text('orderId', (r) => r.orderId, false),
  text('campaignId', (r) => r.campaignId),
  text('campaignName', (r) => r.campaignName),
];

/** Items inside an order or cart detail. */
export const LINE_COLUMNS: Column<StoredItem>[] = [
  text('sku', (r) => r.sku, false),
  text('name', (r) => r.name),
  text('category', (r) => r.category),
  money('price', (r) => r.price),
  integer('quantity', (r) => r.quantity),
];

export interface SummaryOut {
  campaignId: string | null;
  campaignName: string | null;
  currency: string;
  revenue: bigint;
  buyers: number;
  orders: number;
  averageOrderValue: bigint;
  abandonedCarts: number;
  abandonedValue: bigint;
  recoveredCarts: number;
  carts: number;
  conversionRate: number;
  clicks: number;
  /** orders per click of the campaign (all currencies); null without clicks */
  clickConversion: number | null;
  refundedOrders: number;
  refunded: bigint;
}

export const SUMMARY_COLUMNS: Column<SummaryOut>[] = [
  text('campaignId', (r) => r.campaignId),
  text('campaignName', (r) => r.campaignName),
  text('currency', (r) => r.currency, false),
  money('revenue', (r) => r.revenue),
  integer('buyers', (r) => r.buyers),
  integer('orders', (r) => r.orders),
  money('averageOrderValue', (r) => r.averageOrderValue),
  integer('abandonedCarts', (r) => r.abandonedCarts),
  money('abandonedValue', (r) => r.abandonedValue),
  integer('recoveredCarts', (r) => r.recoveredCarts),
  integer('carts', (r) => r.carts),
  { key: 'conversionRate', type: 'number', get: (r) => r.conversionRate },
  integer('clicks', (r) => r.clicks),
  { key: 'clickConversion', type: 'number', get: (r) => r.clickConversion, nullable: true },
  integer('refundedOrders', (r) => r.refundedOrders),
  money('refunded', (r) => r.refunded),
  money('netRevenue', (r) => r.revenue - r.refunded),
];

export interface DayOut {
  date: string;
  currency: string;
  revenue: bigint;
  orders: number;
  abandonedCarts: number;
  abandonedValue: bigint;
  refunded: bigint;
}

export const TIMESERIES_COLUMNS: Column<DayOut>[] = [
  { key: 'date', type: 'date', get: (r) => r.date },
  text('currency', (r) => r.currency, false),
  money('revenue', (r) => r.revenue),
  integer('orders', (r) => r.orders),
  integer('abandonedCarts', (r) => r.abandonedCarts),
  money('abandonedValue', (r) => r.abandonedValue),
  money('refunded', (r) => r.refunded),
  money('netRevenue', (r) => r.revenue - r.refunded),
];

/** Revenue per attribution method: how much each way of finding the campaign brought. */
export const ATTRIBUTION_COLUMNS: Column<AttributionRow>[] = [
  text('attribution', (r) => r.attribution, false),
  text('currency', (r) => r.currency, false),
  integer('orders', (r) => r.orders),
  money('revenue', (r) => r.revenue),
  money('refunded', (r) => r.refunded),
  money('netRevenue', (r) => r.revenue - r.refunded),
];

export interface CampaignOut {
  campaignId: string;
  name: string | null;
}

export const CAMPAIGN_COLUMNS: Column<CampaignOut>[] = [text('campaignId', (r) => r.campaignId, false), text('name', (r) => r.name)];

/** A contact in a segment; `totalOrderValue` is in `currency` (the segment's). */
export const CONTACT_COLUMNS: Column<ContactRow>[] = [
  text('contactUid', (r) => r.contactUid),
  text('email', (r) => r.email),
  integer('orders', (r) => r.orders),
  money('totalOrderValue', (r) => r.totalOrderValue),
  text('currency', (r) => r.currency, false),
  time('lastOrderAt', (r) => r.lastOrderAt, true),
  money('lastOrderValue', (r) => r.lastOrderValue, true),
  text('lastOrderCurrency', (r) => r.lastOrderCurrency),
  integer('abandonedCarts', (r) => r.abandonedCarts),
  time('lastAbandonedAt', (r) => r.lastAbandonedAt, true),
  text('firstCampaignId', (r) => r.firstCampaignId),
  text('firstCampaignName', (r) => r.firstCampaignName),
  text('lastCampaignId', (r) => r.lastCampaignId),
  text('lastCampaignName', (r) => r.lastCampaignName),
  time('lastCampaignAt', (r) => r.lastCampaignAt, true),
];
