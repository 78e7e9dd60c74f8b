// Everything under /api/v1/customers/:customerId: the reports and the directory, behind
// one access hook.
import type { FastifyInstance } from 'fastify';
import { customerAccessHook } from '../auth/hook.js';
import { directoryRoutes } from './directory.js';
import { reportRoutes } from './reports.js';

export async function customerRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', customerAccessHook(app.auth));
  await app.register(reportRoutes);
  await app.register(directoryRoutes);
}
