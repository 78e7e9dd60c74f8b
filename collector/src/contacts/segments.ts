// The query of GET /contacts (docs/advanced.md, Segments): filters on the contact profiles,
// in days counted back from the collector's clock, plus the reports' paging and format.
import { Type, type Static } from '@sinclair/typebox';
import { Currency, LIMITS, MONEY_PATTERN, TEXT_PATTERN } from '../../../src/protocol/index.js';
import { badRequest } from '../errors.js';
import { parseMoney } from '../money.js';
import { ReportQuery, type ParsedQuery } from '../reports/query.js';
import type { SegmentFilter } from '../store/profiles.js';

const DAY_MS = 86_400_000;
const Days = Type.Optional(Type.Integer({ minimum: 1, maximum: 3660 }));
const Count = Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 }));
const CampaignId = Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.text, pattern: TEXT_PATTERN }));

export const SegmentQuery = Type.Object(
  {
    abandonedWithinDays: Days,
    noPurchaseSinceAbandon: Type.Optional(Type.Boolean()),
    minAbandonedCarts: Count,
    noPurchaseForDays: Days,
    purchasedWithinDays: Days,
    minOrders: Count,
    maxOrders: Count,
    minTotalValue: Type.Optional(Type.String({ pattern: MONEY_PATTERN })),
    currency: Type.Optional(Currency),
    firstCampaign: CampaignId,
    lastCampaign: CampaignId,
    limit: ReportQuery.properties.limit,
    cursor: ReportQuery.properties.cursor,
    format: ReportQuery.properties.format,
  },
  { additionalProperties: false },
);
export type SegmentQuery = Static<typeof SegmentQuery>;

/** `now` is the collector's clock; `currency` the customer's, unless the query names one. */
export function parseSegmentQuery(customerId: string, q: SegmentQuery, now: number, customerCurrency: string): ParsedQuery<SegmentFilter> {
  if (q.minOrders !== undefined && q.maxOrders !== undefined && q.maxOrders < q.minOrders) throw badRequest('maxOrders', 'must not be less than minOrders');
  const since = (days: number | undefined) => (days === undefined ? undefined : now - days * DAY_MS);
  const filter: SegmentFilter = { customerId, currency: q.currency ?? customerCurrency };
  const set = <K extends keyof SegmentFilter>(key: K, value: SegmentFilter[K] | undefined) => {
    if (value !== undefined) filter[key] = value;
  };
  set('abandonedSince', since(q.abandonedWithinDays));
  set('noPurchaseSinceAbandon', q.noPurchaseSinceAbandon || undefined);
  set('minAbandonedCarts', q.minAbandonedCarts);
  set('noPurchaseSince', since(q.noPurchaseForDays));
  set('purchasedSince', since(q.purchasedWithinDays));
  set('minOrders', q.minOrders);
  set('maxOrders', q.maxOrders);
  set('minTotalValue', q.minTotalValue === undefined ? undefined : parseMoney(q.minTotalValue));
  set('firstCampaignId', q.firstCampaign);
  set('lastCampaignId', q.lastCampaign);
  return { filter, limit: q.limit, cursor: q.cursor, format: q.format ?? 'json' };
}
