// Webhooks (docs/advanced.md): a customer's admin registers URLs for `order.placed` and
// `cart.abandoned`, sees each one's delivery status, lists its deliveries (dead ones stay
// listable), sends a dead delivery again once the receiver is fixed, and rotates the secret.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { TEXT_PATTERN } from '../../../src/protocol/constants.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { ReportQuery } from '../reports/query.js';
import { integer, rowSchema, text, time, type Column } from '../reports/columns.js';
import { keysetReport } from '../reports/service.js';
import type { Delivery, DeliveryState, WebhookStatus } from '../store/webhooks.js';
import { PrivateAddressError, resolveDestination, type DestinationPolicy } from '../webhooks/destination.js';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../store/outbox-payloads.js';
import { newWebhookSecret } from '../webhooks/signature.js';
import { ErrorBody, NoContent } from './errors.js';
import { CustomerParams, pageSchema, sendReport } from './reports.js';

/** Webhooks per customer: each one is a delivery for every event. */
export const MAX_WEBHOOKS = 20;

const WebhookId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const HookParams = Type.Object({ customerId: CustomerParams.properties.customerId, webhookId: WebhookId });
const DeliveryParams = Type.Object({ ...HookParams.properties, deliveryId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });
const EventName = Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e)));
const NewWebhook = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, pattern: TEXT_PATTERN }),
    events: Type.Array(EventName, { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);
const DeliveriesQuery = Type.Object(
  {
    state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')])),
    limit: ReportQuery.properties.limit,
    cursor: ReportQuery.properties.cursor,
    format: ReportQuery.properties.format,
  },
  { additionalProperties: false },
);

const NullableText = Type.Union([Type.String(), Type.Null()]);
const Hook = Type.Object({ webhookId: Type.String(), url: Type.String(), events: Type.Array(Type.String()), createdAt: Type.String() });
const HookStatus = Type.Object({
  ...Hook.properties,
  pending: Type.Integer(),
  dead: Type.Integer(),
  lastSuccessAt: NullableText,
  lastError: NullableText,
  lastErrorAt: NullableText,
  failingSince: NullableText,
});
const Created = Type.Object({ ...Hook.properties, secret: Type.String() });
const Rotated = Type.Object({ webhookId: Type.String(), secret: Type.String(), previousSecretExpiresAt: Type.String() });

/** How long a rotated-out secret keeps signing beside the new one: a day to deploy the new one. */
const ROTATION_OVERLAP_MS = 24 * 3_600_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function statusJson(w: WebhookStatus) {
  return {
    webhookId: w.webhookId,
    url: w.url,
    events: w.events,
    createdAt: iso(w.createdAt)!,
    pending: w.pending,
    dead: w.dead,
    lastSuccessAt: iso(w.lastSuccessAt),
    lastError: w.lastError,
    lastErrorAt: iso(w.lastErrorAt),
    failingSince: iso(w.failingSince),
  };
}

/**
 * An absolute http(s) URL whose host is public (unless private receivers are allowed); anything
 * else is a 400 naming `url`. A name that does not resolve yet is taken: its deliveries say
 * `unreachable` until it does, and every delivery checks the address again.
 */
async function receiverUrl(text: string, destinations: DestinationPolicy): Promise<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badRequest('url', 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest('url', `must use http or https (not ${url.protocol.slice(0, 20)})`);
  if (!destinations.allowPrivate) {
    try {
      await resolveDestination(url, destinations);
    } catch (err) {
      if (err instanceof PrivateAddressError) throw badRequest('url', err.message);
    }
  }
  return text;
}

export const DELIVERY_COLUMNS: Column<Delivery>[] = [
  text('deliveryId', (r) => r.deliveryId, false),
  text('event', (r) => r.event, false),
  text('state', (r) => r.state, false),
  integer('attempts', (r) => r.attempts),
  time('createdAt', (r) => r.createdAt),
  time('nextAttemptAt', (r) => r.nextAttemptAt, true),
  time('lastAttemptAt', (r) => r.lastAttemptAt, true),
  text('lastError', (r) => r.lastError),
  time('deliveredAt', (r) => r.deliveredAt, true),
];

interface DeliveryFilter {
  customerId: string;
  webhookId: string;
  state?: DeliveryState;
}

type P<T> = FastifyRequest<{ Params: T }>;

export async function webhookRoutes(app: FastifyInstance): Promise<void> {
  const admin = { roles: ['admin'] as const };
  const hooks = app.store.webhooks;
  const deliveries = keysetReport<Delivery, DeliveryFilter>({
    name: 'deliveries',
    columns: DELIVERY_COLUMNS,
    shape: 'ns',
    list: (f, limit, after) => hooks.deliveries(f.customerId, f.webhookId, f.state, limit, after && { createdAt: after[0] as number, id: after[1] as string }),
    count: (f) => hooks.countDeliveries(f.customerId, f.webhookId, f.state),
    key: (row) => [row.createdAt, row.deliveryId],
  });

  const mustExist = async (customerId: string, webhookId: string) => {
    if (!(await hooks.exists(customerId, webhookId))) throw notFound('webhookId', 'no such webhook');
  };

  app.post(
    '/webhooks',
    { config: admin, schema: { params: CustomerParams, body: NewWebhook, response: { 201: Created, '4xx': ErrorBody } } },
    async (req: FastifyRequest<{ Params: Static<typeof CustomerParams>; Body: Static<typeof NewWebhook> }>, reply: FastifyReply) => {
      const url = await receiverUrl(req.body.url, app.webhookDestinations);
      const events = WEBHOOK_EVENTS.filter((e) => req.body.events.includes(e)) as WebhookEvent[];
      const webhook = { webhookId: `wh_${randomBytes(8).toString('hex')}`, url, events, createdAt: app.clock() };
      const secret = newWebhookSecret();
      if (!(await hooks.add(req.params.customerId, webhook, secret, MAX_WEBHOOKS))) {
        throw new HttpError(409, 'conflict', `webhooks: this customer already has ${MAX_WEBHOOKS}, the most allowed; delete one first`);
      }
      return reply.code(201).send({ ...webhook, createdAt: iso(webhook.createdAt)!, secret });
    },
  );

  app.get(
    '/webhooks',
    { config: admin, schema: { params: CustomerParams, response: { 200: pageSchema(HookStatus), '4xx': ErrorBody } } },
    async (req: P<Static<typeof CustomerParams>>) => {
      const rows = (await hooks.list(req.params.customerId)).map(statusJson);
      return { rows, total: rows.length, next: null };
    },
  );

  app.delete(
    '/webhooks/:webhookId',
    { config: admin, schema: { params: HookParams, response: { 204: NoContent, '4xx': ErrorBody } } },
    async (req: P<Static<typeof HookParams>>, reply: FastifyReply) => {
      if (!(await hooks.remove(req.params.customerId, req.params.webhookId))) throw notFound('webhookId', 'no such webhook');
      return reply.code(204).send();
    },
  );

  app.post(
    '/webhooks/:webhookId/rotate-secret',
    { config: admin, schema: { params: HookParams, response: { 200: Rotated, '4xx': ErrorBody } } },
    async (req: P<Static<typeof HookParams>>) => {
      const { customerId, webhookId } = req.params;
      const secret = newWebhookSecret();
      const previousSecretExpiresAt = app.clock() + ROTATION_OVERLAP_MS;
      if (!(await hooks.rotateSecret(customerId, webhookId, secret, previousSecretExpiresAt))) throw notFound('webhookId', 'no such webhook');
      return { webhookId, secret, previousSecretExpiresAt: iso(previousSecretExpiresAt)! };
    },
  );

  app.get(
    '/webhooks/:webhookId/deliveries',
    { config: admin, schema: { params: HookParams, querystring: DeliveriesQuery, response: { 200: pageSchema(rowSchema(DELIVERY_COLUMNS)), '4xx': ErrorBody } } },
    async (req: FastifyRequest<{ Params: Static<typeof HookParams>; Querystring: Static<typeof DeliveriesQuery> }>, reply: FastifyReply) => {
      const { customerId, webhookId } = req.params;
      await mustExist(customerId, webhookId);
      const q = req.query;
      const filter: DeliveryFilter = q.state ? { customerId, webhookId, state: q.state } : { customerId, webhookId };
      return sendReport(reply, deliveries, { filter, limit: q.limit, cursor: q.cursor, format: q.format ?? 'json' });
    },
  );

  app.post(
    '/webhooks/:webhookId/deliveries/:deliveryId/retry',
    { config: admin, schema: { params: DeliveryParams, response: { 200: Type.Object({ deliveryId: Type.String(), state: Type.Literal('pending') }), '4xx': ErrorBody } } },
    async (req: P<Static<typeof DeliveryParams>>) => {
      const { customerId, webhookId, deliveryId } = req.params;
      await mustExist(customerId, webhookId);
      if (!(await hooks.retry(customerId, webhookId, deliveryId, app.clock()))) throw notFound('deliveryId', 'no dead delivery with this ID');
      return { deliveryId, state: 'pending' as const };
    },
  );
}
