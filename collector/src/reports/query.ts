// The common query parameters of every report (docs/http-api.md), checked and turned into a
// store filter: from/to as a half-open range of epoch ms, attribution, paging, format.
import { Type, type Static } from '@sinclair/typebox';
import { LIMITS, TEXT_PATTERN } from '../../../src/protocol/index.js';
import { badRequest } from '../errors.js';
import type { ReportFilter } from '../store/reports/index.js';

export const ReportQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40 })),
    to: Type.Optional(Type.String({ maxLength: 40 })),
    campaign: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.text, pattern: TEXT_PATTERN })),
    attributed: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('all')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);
export type ReportQuery = Static<typeof ReportQuery>;

export const DEFAULT_LIMIT = 50;

export interface ParsedQuery<F = ReportFilter> {
  filter: F;
  /** undefined when not given (a CSV without `limit` is the whole report) */
  limit?: number;
  cursor?: string;
  format: 'json' | 'csv';
}

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,3})?)?(Z|[+-][0-9]{2}:[0-9]{2})$/;
const DAY_MS = 86_400_000;

/** A date (YYYY-MM-DD, UTC) or an ISO timestamp with a time zone → epoch ms; `end` moves a date to the next day. */
export function parseInstant(text: string, field: string, end: boolean): number {
  const d = DATE.exec(text);
  if (d) {
    const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
    if (new Date(ms).toISOString().slice(0, 10) !== text) throw badRequest(field, `${JSON.stringify(text)} is not a real date`);
    return end ? ms + DAY_MS : ms;
  }
  if (TIMESTAMP.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw badRequest(field, `${JSON.stringify(text)} is not a real time`);
    return end ? ms + 1 : ms; // `to` is inclusive
  }
  throw badRequest(field, 'must be a date (YYYY-MM-DD) or an ISO timestamp with a time zone (2024-05-01T12:00:00Z)');
}

export function parseReportQuery(customerId: string, q: ReportQuery): ParsedQuery {
  const from = q.from === undefined ? undefined : parseInstant(q.from, 'from', false);
  const to = q.to === undefined ? undefined : parseInstant(q.to, 'to', true);
  if (from !== undefined && to !== undefined && to <= from) throw badRequest('to', 'must not be before from');
  const filter: ReportFilter = { customerId, attributed: q.attributed ?? 'email' };
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  if (q.campaign !== undefined) filter.campaignId = q.campaign;
  return { filter, limit: q.limit, cursor: q.cursor, format: q.format ?? 'json' };
}
