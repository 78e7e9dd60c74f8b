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
const NoQuery = Type.Object({}, { additionalProperties: false });

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
    { config: admin, schema: { params: ContactParams, querystring: NoQuery, response: { 200: Erased, '4xx': ErrorBody } } },
    async (req: FastifyRequest<{ Params: Static<typeof ContactParams> }>) => erase(req.params.customerId, { contactUid: req.params.contactUid }),
  );

  app.delete(
    '/contacts',
    { config: admin, schema: { params: CustomerParams, querystring: EmailQuery, response: { 200: Erased, '4xx': ErrorBody } } },
    async (req: FastifyRequest<{ Params: Static<typeof CustomerParams>; Querystring: Static<typeof EmailQuery> }>) =>
      erase(req.params.customerId, { email: req.query.email }),
  );
}
