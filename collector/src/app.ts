// Builds the collector's Fastify app (it does not listen: server.ts does). Tests call
// `buildApp` and use `app.inject`, or listen on a free port as a browser would.
import { createServer } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import { createSweeper } from './abandonment/sweeper.js';
import { AuthService } from './auth/service.js';
import { createRejectedPurge } from './background/rejected.js';
import { DEFAULT_ABANDON_AFTER_MINUTES, DEFAULT_KEEP_REJECTED_MS, DEFAULT_OUTBOX_INTERVAL_MS, DEFAULT_SWEEP_INTERVAL_MS } from './config.js';
import { HttpError } from './errors.js';
import { DEFAULT_INGEST_RATE_LIMITS, IngestLimiter, type IngestRateLimits } from './ingest/limits.js';
import { DefaultIngestService } from './ingest/service.js';
import { PurchaseService } from './purchases/service.js';
import { RefundService } from './refunds/service.js';
import { ReportsService } from './reports/service.js';
import { customerRoutes } from './routes/customers.js';
import { errorHandler } from './routes/errors.js';
import { eventRoutes } from './routes/events.js';
import legacyPixelRoutes from './routes/legacy-pixel.js';
import { pixelRoutes } from './routes/pixel.js';
import { securityHeaders } from './routes/security-headers.js';
import { sessionRoutes } from './routes/session.js';
import { openapi } from './routes/openapi.js';
import { staticRoutes } from './routes/static.js';
import { openStore, type Store } from './store/store.js';
import { NoQuery, typeboxValidatorCompiler } from './validation/fastify.js';
import type { RetryPolicy } from './webhooks/backoff.js';
import { systemResolver, type Resolver } from './webhooks/destination.js';
import { createOutboxWorker } from './webhooks/worker.js';

export interface AppOptions {
  /** an open store (the caller closes it), or… */
  store?: Store;
  /** …a SQLite path or postgres:// URL to open (closed with the app) */
  db?: string;
  /** epoch ms; injectable for tests (default Date.now) */
  clock?: () => number;
  /** abandoned-cart timeout unless the customer sets one (default 30) */
  abandonAfterMinutes?: number;
  /** how often the sweep runs; 0 disables the timer (tests call app.sweeper.runOnce()) */
  sweepIntervalMs?: number;
  /** how often webhook deliveries are sent (default 5000); 0 disables the timer (tests call app.outbox.runOnce()) */
  outboxIntervalMs?: number;
  /** the longest a request may take to arrive, headers and body (default 30 s): a body sent a byte at a time holds a connection no longer */
  requestTimeoutMs?: number;
  /** webhook retries (default: 20 attempts over about 24 h) */
  webhookRetry?: RetryPolicy;
  logger?: FastifyServerOptions['logger'];
  /** trust X-Forwarded-* from a reverse proxy (for the Secure cookie flag and client IPs) */
  trustProxy?: boolean;
  /** ingest rate limits (default 3000 requests a minute per client address, 6000 events a minute per customer; 0 turns one off) */
  rateLimits?: Partial<IngestRateLimits>;
  /** rejected events not seen again for this long are deleted (default 30 days) */
  keepRejectedMs?: number;
  /** how often that purge runs (default hourly); 0 disables the timer (tests call app.rejectedPurge.runOnce()) */
  rejectedPurgeIntervalMs?: number;
  /** let webhooks reach loopback, private and link-local addresses (on-premises receivers; default false) */
  allowPrivateWebhooks?: boolean;
  /** how webhook hosts resolve (default: the system's DNS; tests inject names) */
  webhookResolver?: Resolver;
}

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    clock: () => number;
    ingestLimiter: IngestLimiter;
  }
}

const HOUR_MS = 3_600_000;

export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  if (!options.store && !options.db) throw new Error('buildApp: give `store` or `db`');
  const store = options.store ?? (await openStore(options.db!));
  const clock = options.clock ?? Date.now;

  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    // Node checks the request timeout on an interval (30 s by default): often enough here that
    // a slow request is cut near its limit. Idle keep-alive connections stay open 72 s, as
    // Fastify's own server keeps them (longer than a load balancer's usual 60 s, so it never
    // reuses one the collector just closed)
    serverFactory: (handler) =>
      Object.assign(createServer({ requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) }, handler), {
        keepAliveTimeout: 72_000,
      }),
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    // reports and logins are small; the ingest route sets its own 512 KiB limit
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 600 },
    // a URL the router cannot decode gets the API's error answer too, not Fastify's own
    frameworkErrors: (err, req, reply) => errorHandler(err, req, reply),
  });
  app.setValidatorCompiler(typeboxValidatorCompiler);
  // Fastify's own JSON parser (prototype poisoning refused), except that an empty body is no
  // body: many HTTP clients send `content-type: application/json` on every request, and a
  // route whose body is optional (a cancel, a DELETE) must not fail for it
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => (body === '' ? done(null, undefined) : json(req, String(body), done)));
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    const e = new HttpError(404, 'not_found', `route: ${req.method} ${req.url.split('?')[0].slice(0, 200)} does not exist`);
    return reply.code(404).send({ error: e.code, message: e.message });
  });

  // limits per client address are counted by @fastify/rate-limit, asked by the ingest routes themselves
  await app.register(fastifyRateLimit, { global: false });
  const ingestLimiter = new IngestLimiter(app, { ...DEFAULT_INGEST_RATE_LIMITS, ...options.rateLimits }, clock);
  const ingest = new DefaultIngestService({ store, clock, limiter: ingestLimiter });
  const rejectedPurge = createRejectedPurge({
    store,
    clock,
    keepMs: options.keepRejectedMs ?? DEFAULT_KEEP_REJECTED_MS,
    intervalMs: options.rejectedPurgeIntervalMs ?? HOUR_MS,
    onError: (err) => app.log.error({ err }, 'rejected-events purge failed'),
  });
  const sweeper = createSweeper({
    store,
    clock,
    abandonAfterMinutes: options.abandonAfterMinutes ?? DEFAULT_ABANDON_AFTER_MINUTES,
    intervalMs: options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
    onError: (err) => app.log.error({ err }, 'abandoned-cart sweep failed'),
  });

  const webhookDestinations = { allowPrivate: options.allowPrivateWebhooks ?? false, resolve: options.webhookResolver ?? systemResolver };
  const outbox = createOutboxWorker({
    store,
    clock,
    destinations: webhookDestinations,
    intervalMs: options.outboxIntervalMs ?? DEFAULT_OUTBOX_INTERVAL_MS,
    retry: options.webhookRetry,
    onError: (err) => app.log.error({ err }, 'webhook delivery pass failed'),
  });

  // shared services, decorated at the root so every plugin sees them
  app.decorate('store', store);
  app.decorate('clock', clock);
  app.decorate('ingest', ingest);
  app.decorate('ingestLimiter', ingestLimiter);
  app.decorate('rejectedPurge', rejectedPurge);
  app.decorate('sweeper', sweeper);
  app.decorate('outbox', outbox);
  app.decorate('webhookDestinations', webhookDestinations);
  app.decorate('purchases', new PurchaseService(store, ingest, clock));
  app.decorate('refunds', new RefundService(store, clock));
  app.decorate('auth', new AuthService(store, clock));
  app.decorate('reports', new ReportsService(store));

  app.addHook('onRequest', securityHeaders);
  // an API route that names no query parameters refuses any (a typo must not pass unnoticed)
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1/') && !route.schema?.querystring) route.schema = { ...route.schema, querystring: NoQuery };
  });
  await app.register(openapi);

  for (const plugin of [eventRoutes, pixelRoutes, legacyPixelRoutes, staticRoutes]) await app.register(plugin);
  // only the session and the API read the session cookie: the cookie plugin's hooks stay off
  // the ingest routes, which run for every shopper's request
  await app.register(async (signedIn) => {
    await signedIn.register(fastifyCookie);
    await signedIn.register(sessionRoutes);
    await signedIn.register(customerRoutes, { prefix: '/api/v1/customers/:customerId' });
  });

  app.addHook('onReady', async () => {
    sweeper.start();
    outbox.start();
    rejectedPurge.start();
  });
  app.addHook('onClose', async () => {
    await sweeper.stop();
    await outbox.stop();
    await rejectedPurge.stop();
    await ingest.drain();
    if (!options.store) await store.close();
  });
  return app;
}
