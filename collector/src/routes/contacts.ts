// Contacts (docs/advanced.md): segments of the contact profiles (ecommerce-admin), and the
// erasure of one contact's personal data (admin).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { parseSegmentQuery, SegmentQuery } from '../contacts/segments.js';
import { ContactUid, Email } from '../directory/entries.js';
import { HttpError } from '../errors.js';
import { CONTACT_COLUMNS, rowSchema } from '../reports/columns.js';
import type { ErasureTarget } from '../store/erasure.js';
import { ErrorBody } from './errors.js';
import { CustomerParams, pageSchema, sendReport } from './reports.js';

const ContactParams = Type.Object({ customerId: CustomerParams.properties.customerId, contactUid: ContactUid });
const EmailQuery = Type.Object({ email: Email }, { additionalProperties: false });
/** Whom to erase: an email (in the body, never in a URL that logs would keep) or a contact UID. */
const EraseBody = Type.Object(
  { email: Type.Optional(Email), contactUid: Type.Optional(ContactUid) },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, errorMessage: 'must name either "email" or "contactUid"' },
);
/** When `DELETE /contacts?email=` was deprecated (RFC 9745 `Deprecation`: `@` epoch seconds): the email belongs in a body. */
const EMAIL_QUERY_DEPRECATED = '@1796342400';

const Erased = Type.Object({
  erased: Type.Object({
    contactUids: Type.Array(Type.String()),
    emails: Type.Array(Type.String()),
    orders: Type.Integer(),
    carts: Type.Integer(),
    profiles: Type.Integer(),
    directory: Type.Integer(),
    webhookDeliveries: Type.Integer(),
    rejectedEvents: Type.Integer(),
  }),
});

export async function contactRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/contacts',
    { schema: { params: CustomerParams, querystring: SegmentQuery, response: { 200: pageSchema(rowSchema(CONTACT_COLUMNS)), '4xx': ErrorBody } } },
    async (req: FastifyRequest<{ Params: Static<typeof CustomerParams>; Querystring: SegmentQuery }>, reply: FastifyReply) => {
      const customer = await app.store.customers.get(req.params.customerId);
      if (!customer) throw new HttpError(404, 'unknown_customer', 'customerId: no such customer');
      return sendReport(reply, app.reports.contacts, parseSegmentQuery(customer.customerId, req.query, app.clock(), customer.currency));
    },
  );

  const erase = async (customerId: string, target: ErasureTarget) => ({ erased: await app.store.erasure.erase(customerId, target) });
  const admin = { roles: ['admin'] as const };

  app.delete(
    '/contacts/:contactUid',
    { config: admin, schema: { params: ContactParams, response: { 200: Erased, '4xx': ErrorBody } } },
    async (req: FastifyRequest<{ Params: Static<typeof ContactParams> }>) => erase(req.params.customerId, { contactUid: req.params.contactUid }),
  );

  app.post(
    '/contacts/erase',
    { config: admin, schema: { params: CustomerParams, body: EraseBody, response: { 200: Erased, '4xx': ErrorBody } } },
    async (req: FastifyRequest<{ Params: Static<typeof CustomerParams>; Body: Static<typeof EraseBody> }>) => erase(req.params.customerId, req.body),
  );

  // Deprecated: the email in the URL ends up in proxy and server logs. Kept for existing callers.
  app.delete(
    '/contacts',
    { config: admin, schema: { params: CustomerParams, querystring: EmailQuery, response: { 200: Erased, '4xx': ErrorBody } } },
    async (req: FastifyRequest<{ Params: Static<typeof CustomerParams>; Querystring: Static<typeof EmailQuery> }>, reply: FastifyReply) => {
      reply.header('deprecation', EMAIL_QUERY_DEPRECATED).header('link', `<./contacts/erase>; rel="successor-version"`);
      return erase(req.params.customerId, { email: req.query.email });
    },
  );
}
