// Listens: opens the store (or takes one), builds the app, binds the port. `cli.ts serve`
// and `demo` use it; tests that need a real port use it too.
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';

export interface ServerOptions extends AppOptions {
  port: number;
  host: string;
}

export interface RunningServer {
  app: FastifyInstance;
  /** http://host:port actually bound (port 0 picks a free one) */
  url: string;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const app = await buildApp(options);
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { app, url: `http://${host}:${port}`, close: () => app.close() };
}
