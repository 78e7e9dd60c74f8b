// The reports (docs/http-api.md, "Reports") as JSON or CSV. A JSON report is one page; a CSV without `limit`
// or `cursor` is the whole report, streamed.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TEXT_PATTERN } from '../../../src/protocol/constants.js';
import { CustomerId } from '../../../src/protocol/schema.js';
import { notFound } from '../errors.js';
import {
  CAMPAIGN_COLUMNS,
  CART_DETAIL_COLUMNS,
  LINE_COLUMNS,
  ORDER_COLUMNS,
  TIMESERIES_COLUMNS,
  csvHeader,
  csvRow,
  jsonRow,
  rowSchema,
  type Column,
} from '../reports/columns.js';
import { DEFAULT_LIMIT, ReportQuery, parseReportQuery, type ParsedQuery } from '../reports/query.js';
import { EXPORT_PAGE, type Report } from '../reports/service.js';
import type { StoredItem } from '../store/types.js';
import { ErrorBody } from './errors.js';

export const CustomerParams = Type.Object({ customerId: CustomerId });
const IdParam = (name: string) => Type.Object({ customerId: CustomerParams.properties.customerId, [name]: Type.String({ minLength: 1, maxLength: 512, pattern: TEXT_PATTERN }) });

const WholeQuery = Type.Object(
  {
    from: ReportQuery.properties.from,
    to: ReportQuery.properties.to,
    campaign: ReportQuery.properties.campaign,
    attributed: ReportQuery.properties.attributed,
    format: ReportQuery.properties.format,
  },
  { additionalProperties: false },
);
const FormatQuery = Type.Object({ format: ReportQuery.properties.format }, { additionalProperties: false });

export const pageSchema = (row: TSchema) =>
  Type.Object({ rows: Type.Array(row), total: Type.Integer(), next: Type.Union([Type.String(), Type.Null()]) });

type Req<Q, P = Static<typeof CustomerParams>> = FastifyRequest<{ Querystring: Q; Params: P }>;

export function csvReply(reply: FastifyReply, name: string): FastifyReply {
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
}

/** One page as JSON; as CSV one page (with `limit` or `cursor`) or the whole list, streamed. */
export async function sendReport<T, F>(reply: FastifyReply, report: Report<T, F>, q: ParsedQuery<F>) {
  if (q.format === 'json') {
    const page = await report.page(q.filter, q.limit ?? DEFAULT_LIMIT, q.cursor);
    return { rows: page.rows.map((r) => jsonRow(report.columns, r)), total: page.total, next: page.next };
  }
  csvReply(reply, report.name);
  if (q.limit !== undefined || q.cursor !== undefined) {
    const page = await report.page(q.filter, q.limit ?? DEFAULT_LIMIT, q.cursor);
    reply.header('x-total-count', String(page.total));
    if (page.next) reply.header('x-next-cursor', page.next);
    return reply.send(csvHeader(report.columns) + page.rows.map((r) => csvRow(report.columns, r)).join(''));
  }
  const first = await report.page(q.filter, EXPORT_PAGE);
  reply.header('x-total-count', String(first.total));
  async function* lines() {
    yield csvHeader(report.columns);
    let page = first;
    for (;;) {
      yield page.rows.map((r) => csvRow(report.columns, r)).join('');
      if (!page.next) return;
      page = await report.page(q.filter, EXPORT_PAGE, page.next);
    }
  }
  return reply.send(Readable.from(lines()));
}

function sendWhole<T>(reply: FastifyReply, name: string, columns: readonly Column<T>[], rows: T[], format: 'json' | 'csv' | undefined) {
  if (format === 'csv') return csvReply(reply, name).send(csvHeader(columns) + rows.map((r) => csvRow(columns, r)).join(''));
  return { rows: rows.map((r) => jsonRow(columns, r)), total: rows.length, next: null };
}

export async function reportRoutes(app: FastifyInstance): Promise<void> {
  // Reads wait (a bounded time) for what this collector answered; events other collectors
  // answered may still be on their way into the tables: say from when (docs/http-api.md).
  app.addHook('onSend', async (req: FastifyRequest<{ Params: { customerId?: string } }>, reply, payload) => {
    const customerId = req.params.customerId;
    if (req.method !== 'GET' || !customerId || reply.statusCode !== 200) return payload;
    const since = await app.store.events.pendingSince?.(customerId);
    if (since !== null && since !== undefined) reply.header('x-data-up-to', new Date(since).toISOString());
    return payload;
  });
  const listed = <T>(path: string, report: () => Report<T>) =>
    app.get(
      path,
      { schema: { params: CustomerParams, querystring: ReportQuery, response: { 200: pageSchema(rowSchema(report().columns)), '4xx': ErrorBody } } },
      async (req: Req<ReportQuery>, reply) => sendReport(reply, report(), parseReportQuery(req.params.customerId, req.query)),
    );

  listed('/orders', () => app.reports.orders);
  listed('/abandoned-carts', () => app.reports.abandonedCarts);
  listed('/items', () => app.reports.items);
  listed('/summary', () => app.reports.summary);
  listed('/attribution', () => app.reports.attribution);

  app.get(
    '/timeseries',
    { schema: { params: CustomerParams, querystring: WholeQuery, response: { 200: pageSchema(rowSchema(TIMESERIES_COLUMNS)), '4xx': ErrorBody } } },
    async (req: Req<Static<typeof WholeQuery>>, reply) => {
      const q = parseReportQuery(req.params.customerId, req.query);
      return sendWhole(reply, 'timeseries', TIMESERIES_COLUMNS, await app.reports.timeseries(q.filter), q.format);
    },
  );

  app.get(
    '/campaigns',
    { schema: { params: CustomerParams, querystring: FormatQuery, response: { 200: pageSchema(rowSchema(CAMPAIGN_COLUMNS)), '4xx': ErrorBody } } },
    async (req: Req<Static<typeof FormatQuery>>, reply) =>
      sendWhole(reply, 'campaigns', CAMPAIGN_COLUMNS, await app.reports.campaigns(req.params.customerId), req.query.format),
  );

  /** An order or a cart with its items, by ID. */
  const detail = <T>(
    path: string,
    id: 'orderId' | 'cartId',
    columns: readonly Column<T>[],
    get: (customerId: string, id: string) => Promise<(T & { items: StoredItem[] }) | undefined>,
    missing: string,
  ) =>
    app.get(
      path,
      {
        schema: {
          params: IdParam(id),
          response: { 200: rowSchema(columns, { items: Type.Array(rowSchema(LINE_COLUMNS)) }), '4xx': ErrorBody },
        },
      },
      async (req: Req<object, { customerId: string } & Record<typeof id, string>>) => {
        const row = await get(req.params.customerId, req.params[id]);
        if (!row) throw notFound(id, missing);
        return { ...jsonRow(columns, row), items: row.items.map((i) => jsonRow(LINE_COLUMNS, i)) };
      },
    );

  detail('/orders/:orderId', 'orderId', ORDER_COLUMNS, (customerId, orderId) => app.reports.order(customerId, orderId), 'no such order');
  detail('/abandoned-carts/:cartId', 'cartId', CART_DETAIL_COLUMNS, (customerId, cartId) => app.reports.cart(customerId, cartId), 'no such cart');
}
