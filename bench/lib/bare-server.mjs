// The ingest baseline: the least a Node HTTP server can do for a POST, read the body and
// answer 204. Run as its own process, like the collector, so both face the same client.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(204, { 'access-control-allow-origin': '*' });
    res.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
