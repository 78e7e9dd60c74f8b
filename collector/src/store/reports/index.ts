// Report queries (docs/http-api.md, "Reports"): query.ts builds them, lists.ts and
// aggregates.ts answer them.
export { ReportRepository } from './aggregates.js';
export type { AttributionRow, DayRow, StatsRow, SummaryRow } from './aggregates.js';
export type { CartRow, ItemKey, ItemRow, OrderKey, OrderRow, PurchaseRow } from './lists.js';
export { splitRange, type ReportFilter } from './query.js';
