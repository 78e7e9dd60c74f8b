// A tiny HTTP proxy in front of the collector (127.0.0.1 only) that can be switched to
// answer 500 to everything, and counts the delivery attempts it sees.
import { createServer, request } from 'node:http';

export function startFaultProxy(targetPort) {
  const state = { mode: 'pass', requests: 0, failed: 0, events: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method !== 'OPTIONS') {
        state.requests++;
        if (req.url.startsWith('/v1/events')) {
          try {
            state.events += JSON.parse(body.toString()).events?.length ?? 0;
          } catch {}
        }
      }
      if (state.mode === '500' && req.method !== 'OPTIONS') {
        state.failed++;
        res.writeHead(500, { 'content-type': 'application/json', 'access-control-allow-origin': req.headers.origin ?? '*' });
        return res.end('{"error":"internal","message":"bench: injected fault"}');
      }
      const up = request(
        { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${targetPort}` } },
        (r) => {
          res.writeHead(r.statusCode, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy()); // the collector is down: the browser sees a network error
      up.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        state,
        setMode: (m) => (state.mode = m),
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      }),
    );
  });
}
