// The shop side for browser runs: serves bench/pages/*.html (with {{placeholders}} filled
// from the query string) and the built scripts under /js/, and optionally a stub collector
// (POST /v1/events, pixels) that answers like the real one and counts what it received.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './util.mjs';

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
/**
 * The recommended install's first line exactly as the docs tell shops to paste it (the stub and
 * the shop's init()), with its example customer ID and endpoint as {{customer}} and {{endpoint}}.
 */
function installStub() {
  const m = /<script>(!function[^<]*emarsysTrack\.init\([^<]*)<\/script>/.exec(readFileSync(join(ROOT, 'docs/sdk.md'), 'utf8'));
  if (!m) throw new Error('no install line (the stub and init()) found in docs/sdk.md');
  return `<script>${m[1].replace('112734771', '{{customer}}').replace('https://collector.example.com', '{{endpoint}}')}</script>`;
}

/** Other trackers' browser builds, from their npm packages (the page-cost peers). */
export const PEERS = {
  '/peers/plausible.js': '@plausible-analytics/tracker/plausible.js',
  '/peers/snowplow.js': '@snowplow/browser-tracker/dist/index.umd.min.js',
  '/peers/posthog.js': 'posthog-js/dist/array.js',
};

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8' };

export function startShop({ stubCollector = false } = {}) {
  const received = { requests: 0, events: 0, eventIds: new Set(), byRoute: {} };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const route = url.pathname;
    // Other trackers' endpoints (the page-cost peers) are answered as ours: anything POSTed.
    if (stubCollector && (route === '/v1/events' || route === '/v1/pixel.gif' || route === '/upages/ti.php' || (req.method === 'POST' && !route.startsWith('/js/')))) {
      const cors = { 'access-control-allow-origin': req.headers.origin ?? '*', 'access-control-allow-credentials': 'true' };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST, GET', 'access-control-allow-headers': 'content-type' });
        return res.end();
      }
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.requests++;
        received.byRoute[route] = (received.byRoute[route] ?? 0) + 1;
        if (route === '/v1/events') {
          let n = 0;
          try {
            const b = JSON.parse(body);
            for (const e of b.events ?? []) {
              n++;
              received.eventIds.add(e.id);
            }
          } catch {}
          received.events += n;
          res.writeHead(200, { ...cors, 'content-type': 'application/json' });
          return res.end(JSON.stringify({ accepted: n, duplicates: 0, rejected: [] }));
        }
        received.events++;
        if (req.method === 'POST') {
          res.writeHead(200, { ...cors, 'content-type': 'application/json' });
          return res.end('{"status":1}');
        }
        res.writeHead(200, { ...cors, 'content-type': 'image/gif', 'cache-control': 'no-store' });
        res.end(GIF);
      });
      return;
    }
    try {
      let file;
      if (route.startsWith('/js/')) file = join(ROOT, 'dist', route.slice(4).replace(/\.\.+/g, ''));
      else if (PEERS[route]) file = join(ROOT, 'node_modules', PEERS[route]);
      else file = join(ROOT, 'bench', 'pages', route.slice(1).replace(/\.\.+/g, '') || 'index.html');
      const ext = file.slice(file.lastIndexOf('.'));
      let body = readFileSync(file);
      if (ext === '.html') {
        body = body.toString().replace('<!--STUB-->', installStub).replace(/\{\{(\w+)\}\}/g, (_, k) => (url.searchParams.get(k) ?? '').replace(/[<>"'&]/g, ''));
      }
      res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        port,
        origin: `http://127.0.0.1:${port}`,
        received,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
