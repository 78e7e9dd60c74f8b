// A log line in the JSON shape of Fastify's logger (pino: level 50 is error), for the parts
// that run beside it without it: the store's ingest threads report through this, so a log
// shipper reads every line of the collector's stderr alike.
export function logError(message: string): void {
  process.stderr.write(`${JSON.stringify({ level: 50, time: Date.now(), pid: process.pid, msg: `emarsys-collector: ${message}` })}\n`);
}
