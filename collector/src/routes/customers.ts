// Everything under /api/v1/customers/:customerId: the reports, the directory and the
// advanced API (purchases, contacts, webhooks) and the account's users and tokens, behind
// one access hook (after the dashboard-origin check for cookie-authenticated changes).
import type { FastifyInstance } from 'fastify';
import { customerAccessHook, dashboardOriginHook } from '../auth/hook.js';
import { accountRoutes } from './accounts.js';
import { contactRoutes } from './contacts.js';
import { directoryRoutes } from './directory.js';
import { purchaseRoutes } from './purchases.js';
import { refundRoutes } from './refunds.js';
import { reportRoutes } from './reports.js';
import { webhookRoutes } from './webhooks.js';

export async function customerRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', dashboardOriginHook);
  app.addHook('onRequest', customerAccessHook(app.auth));
  await app.register(reportRoutes);
  await app.register(directoryRoutes);
  await app.register(purchaseRoutes);
  await app.register(refundRoutes);
  await app.register(contactRoutes);
  await app.register(webhookRoutes);
  await app.register(accountRoutes);
}
