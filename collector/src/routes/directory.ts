// The directory by API (docs/http-api.md, "Directory"): name a campaign, give a contact's email. Allowed to the
// customer's admin and ecommerce-admin users.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { CampaignId, CampaignNameText, ContactUid, Email } from '../directory/entries.js';
import { ErrorBody } from './errors.js';
import { CustomerParams } from './reports.js';

const roles = ['admin', 'ecommerce-admin'] as const;
const CampaignParams = Type.Object({ customerId: CustomerParams.properties.customerId, campaignId: CampaignId });
const ContactParams = Type.Object({ customerId: CustomerParams.properties.customerId, contactUid: ContactUid });
const CampaignBody = Type.Object({ name: CampaignNameText }, { additionalProperties: false });
const ContactBody = Type.Object({ email: Email }, { additionalProperties: false });

export async function directoryRoutes(app: FastifyInstance): Promise<void> {
  app.put(
    '/campaigns/:campaignId',
    {
      config: { roles },
      schema: {
        params: CampaignParams,
        body: CampaignBody,
        response: { 200: Type.Object({ campaignId: Type.String(), name: Type.String() }), '4xx': ErrorBody },
      },
    },
    async (req: FastifyRequest<{ Params: Static<typeof CampaignParams>; Body: Static<typeof CampaignBody> }>) => {
      const { customerId, campaignId } = req.params;
      await app.store.directory.putCampaigns(customerId, [{ campaignId, name: req.body.name }], app.clock());
      return { campaignId, name: req.body.name };
    },
  );

  app.put(
    '/contacts-directory/:contactUid',
    {
      config: { roles },
      schema: {
        params: ContactParams,
        body: ContactBody,
        response: { 200: Type.Object({ contactUid: Type.String(), email: Type.String() }), '4xx': ErrorBody },
      },
    },
    async (req: FastifyRequest<{ Params: Static<typeof ContactParams>; Body: Static<typeof ContactBody> }>) => {
      const { customerId, contactUid } = req.params;
      await app.store.directory.putContacts(customerId, [{ contactUid, email: req.body.email }], app.clock());
      return { contactUid, email: req.body.email };
    },
  );
}
