// What the collector serves besides its API: the dashboard at /, the demo shop at /shop/,
// the legacy pages at /legacy/, the SDK builds at /js/ and uPlot at /vendor/uplot/. Folders are found from the package,
// never from the working directory; a missing one answers a 404 saying how to get it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { assetPaths, type AssetPaths } from '../config.js';
import { HttpError } from '../errors.js';

/** The dashboard shows hostile shop data; scripts may only come from the collector itself. */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function dashboardHeaders(reply: FastifyReply, path: string): void {
  reply.header('x-content-type-options', 'nosniff');
  if (path.endsWith('.html')) reply.header('content-security-policy', DASHBOARD_CSP).header('cache-control', 'no-cache');
}

function where(paths: AssetPaths): string {
  const link = (href: string, text: string) => `<li><a href="${href}">${text}</a></li>`;
  return `<!doctype html><meta charset="utf-8"><title>emarsys-track collector</title>
<h1>emarsys-track collector</h1>
<p>The dashboard is not installed at <code>${escapeHtml(paths.dashboard)}</code> (expected <code>index.html</code>).</p>
<ul>
${link('/shop/', 'Demo shop: /shop/')}
${link('/js/emarsys-track.min.js', 'SDK: /js/emarsys-track.min.js')}
${link('/js/emstrack.js', 'Legacy drop-in: /js/emstrack.js')}
<li>Ingest: <code>POST /v1/events</code>, <code>GET /v1/pixel.gif</code>, <code>GET /upages/ti.php</code></li>
<li>Reports: <code>/api/v1/customers/:customerId/…</code> (see docs/http-api.md)</li>
</ul>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function missing(app: FastifyInstance, prefix: string, what: string, fix: string): void {
  app.get(`${prefix}*`, async () => {
    throw new HttpError(404, 'not_found', `${what}: not available here; ${fix}`);
  });
}

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  const paths = assetPaths();

  const hasDashboard = existsSync(paths.dashboard);
  if (hasDashboard) {
    await app.register(fastifyStatic, { root: paths.dashboard, prefix: '/', index: false, setHeaders: dashboardHeaders });
  }
  app.get('/', async (_req, reply: FastifyReply) => {
    if (hasDashboard && existsSync(join(paths.dashboard, 'index.html'))) {
      reply.header('content-security-policy', DASHBOARD_CSP).header('cache-control', 'no-cache');
      return reply.sendFile('index.html', paths.dashboard);
    }
    return reply.type('text/html; charset=utf-8').send(where(paths));
  });

  const folders: [string, string, string, string][] = [
    ['/shop', paths.shop, 'demo shop', 'examples/shop/ is missing from this installation'],
    ['/legacy', paths.legacy, 'legacy integration pages', 'examples/legacy/ is missing from this installation'],
    ['/js', paths.sdk, 'SDK build', 'run "npm run build" at the repository root'],
    ['/vendor/uplot', paths.uplot, 'uPlot', 'install the collector\'s dependencies ("npm install")'],
  ];
  for (const [prefix, root, what, fix] of folders) {
    if (!existsSync(root)) {
      missing(app, `${prefix}/`, what, fix);
      continue;
    }
    await app.register(fastifyStatic, {
      root,
      prefix,
      decorateReply: false,
      redirect: true,
      index: prefix === '/shop' || prefix === '/legacy' ? ['index.html'] : false,
      setHeaders: (reply: FastifyReply) => {
        reply.header('x-content-type-options', 'nosniff');
        if (prefix === '/js') reply.header('access-control-allow-origin', '*');
      },
    });
  }
}
