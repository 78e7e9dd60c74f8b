// One autocannon load run against 127.0.0.1, bounded in count and time. It runs a fixed
// number of requests (not a duration), so every request sent gets its answer and the
// events acknowledged can be compared exactly with the events stored afterwards.
import autocannon from 'autocannon';
import { cpuPerRequest, cpuTimes, treeCpuMs } from './cpu.mjs';
import { log } from './util.mjs';

function fire({ port, path, factory, amount, duration, rate, connections, timeoutMs }) {
  const tally = { ok: 0, accepted: 0, duplicates: 0, rejected: 0, statuses: {}, badBodies: 0, sample: '', t0: performance.now(), tLast: 0 };
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: `http://127.0.0.1:${port}${path}`,
        connections,
        pipelining: 1,
        ...(amount ? { amount } : { duration }),
        ...(rate ? { overallRate: rate } : {}),
        timeout: 10,
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'http://shop.example' },
        requests: [
          {
            // the factory may vary its bodies by the time they are sent (bench/hostile.mjs)
            setupRequest: (req, context) => {
              const sentAt = performance.now();
              if (context) context.sentAt = sentAt;
              return { ...req, body: factory.next(sentAt) };
            },
            onResponse: (status, body, context) => {
              tally.tLast = performance.now();
              tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
              if (status < 200 || status > 299) {
                if (!tally.sample) tally.sample = `${status} ${String(body).slice(0, 300)}`;
                return;
              }
              tally.ok++;
              if (status === 204 || !body) {
                tally.accepted += factory.eventsPerRequest; // the bare server: nothing to parse
                return;
              }
              try {
                const r = JSON.parse(body);
                const accepted = r.accepted ?? 0;
                tally.accepted += accepted;
                factory.answered?.(context?.sentAt, accepted);
                tally.duplicates += r.duplicates ?? 0;
                tally.rejected += r.rejected?.length ?? 0;
                if (r.rejected?.length && !tally.sample) tally.sample = `rejected: ${JSON.stringify(r.rejected).slice(0, 300)}`;
              } catch {
                tally.badBodies++;
              }
            },
          },
        ],
      },
      (err, result) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve({ result, tally });
      },
    );
    // Hard bound in time: stop the run if it has not finished (answers then go missing,
    // which the report shows as unacknowledged requests).
    const timer = setTimeout(() => inst.stop(), timeoutMs);
  });
}

/**
 * `fire` against each of `ports` at once (several collectors on one database, as behind a
 * load balancer), the connections, amount and rate split evenly, the answers tallied together.
 * Latency percentiles cannot be merged: the worst collector's are kept.
 */
async function fireAll({ ports, amount, rate, connections, ...rest }) {
  const n = ports.length;
  const runs = await Promise.all(
    ports.map((port) => fire({ ...rest, port, connections: Math.ceil(connections / n), amount: amount && Math.ceil(amount / n), rate: rate && rate / n })),
  );
  if (n === 1) return runs[0];
  const sum = (f) => runs.reduce((s, r) => s + f(r), 0);
  const max = (f) => Math.max(...runs.map(f));
  const statuses = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.tally.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    result: {
      requests: { sent: sum((r) => r.result.requests.sent ?? r.result.requests.total), total: sum((r) => r.result.requests.total) },
      latency: { p50: max((r) => r.result.latency.p50), p99: max((r) => r.result.latency.p99), max: max((r) => r.result.latency.max), average: max((r) => r.result.latency.average) },
      errors: sum((r) => r.result.errors),
      timeouts: sum((r) => r.result.timeouts),
      non2xx: sum((r) => r.result.non2xx),
    },
    tally: {
      ok: sum((r) => r.tally.ok),
      accepted: sum((r) => r.tally.accepted),
      duplicates: sum((r) => r.tally.duplicates),
      rejected: sum((r) => r.tally.rejected),
      badBodies: sum((r) => r.tally.badBodies),
      statuses,
      sample: runs.map((r) => r.tally.sample).find(Boolean) ?? '',
      t0: Math.min(...runs.map((r) => r.tally.t0)),
      tLast: max((r) => r.tally.tLast),
    },
  };
}

/**
 * Warm up (`warmSeconds`, at full speed), then measure about `seconds`: a fixed number of
 * requests sized from the warm-up's rate, or with `offered` (the warm-up's requests per
 * second → the rate to offer), `rate × seconds` requests offered at that rate.
 * `ports` spreads the load over several collectors (`pid` then lists their processes).
 * Returns the measured run's figures; `total` counts what the measured customer was sent.
 */
export async function measureLoad({ port, ports = [port], path = '/v1/events', factory, warmFactory, connections = 10, seconds = 8, warmSeconds = 2, offered, label, pid, dbPid }) {
  const pids = [pid].flat().filter(Boolean);
  const total = { sent: 0, ok: 0, accepted: 0, duplicates: 0, rejected: 0, errors: 0, timeouts: 0 };
  const add = ({ result, tally }) => {
    total.sent += result.requests.sent ?? result.requests.total;
    total.ok += tally.ok;
    total.accepted += tally.accepted;
    total.duplicates += tally.duplicates;
    total.rejected += tally.rejected;
    total.errors += result.errors;
    total.timeouts += result.timeouts;
  };
  // Warm-up: `warmSeconds` of the same load for another customer (its events are not
  // counted); its rate sizes the measured run. autocannon ends runs on a 1 s tick, so
  // rates are timed here, from the start to the last answer.
  const warm = await fireAll({ ports, path, factory: warmFactory, duration: warmSeconds, connections, timeoutMs: warmSeconds * 1000 + 15_000 });
  const warmRate = warm.tally.ok / Math.max(0.05, (warm.tally.tLast - warm.tally.t0) / 1000);
  const rate = offered ? Math.max(1, Math.round(offered(warmRate))) : undefined;
  // a fixed number of requests either way, so every one sent gets its answer and is counted
  const amount = rate ? Math.round(rate * seconds) : Math.max(connections * 10, Math.round(warmRate * seconds));
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const cpuBefore = pids.length ? cpuTimes(pids) : null;
  const dbBefore = dbPid ? treeCpuMs(dbPid) : null;
  const ownBefore = process.cpuUsage();
  const main = await fireAll({ ports, path, factory, amount, rate, connections, timeoutMs: seconds * 4000 + 10_000 });
  const cpuAfter = pids.length ? cpuTimes(pids) : null;
  const dbAfter = dbPid ? treeCpuMs(dbPid) : null;
  const own = process.cpuUsage(ownBefore);
  const toUs = Number(process.hrtime.bigint() / 1000n);
  add(main);
  const { result, tally } = main;
  const secs = (tally.tLast - tally.t0) / 1000;
  const rps = tally.ok / secs;
  const out = {
    label,
    connections,
    ...(rate ? { offeredRate: rate, fullSpeedRate: warmRate } : {}),
    eventsPerRequest: factory.eventsPerRequest,
    requests: result.requests.total,
    seconds: secs,
    rps,
    eventsPerSec: tally.accepted / secs,
    latency: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statuses: tally.statuses,
    rejected: tally.rejected,
    duplicates: tally.duplicates,
    badBodies: tally.badBodies,
    sample: tally.sample,
    total,
    window: { fromUs, toUs },
    cpu: cpuPerRequest(cpuBefore, cpuAfter, tally.ok),
    /** the load generator's own CPU (this process: autocannon and the bodies) per request */
    loadUs: tally.ok ? (own.user + own.system) / tally.ok : null,
    /** the database server's CPU (PostgreSQL: all its processes) per request */
    dbUs: dbBefore !== null && dbAfter !== null && tally.ok ? ((dbAfter - dbBefore) * 1000) / tally.ok : null,
  };
  log(
    `${label}: ${rps.toFixed(0)} req/s, ${out.eventsPerSec.toFixed(0)} events/s, p50 ${out.latency.p50} ms, p99 ${out.latency.p99} ms, ` +
      `errors ${out.errors}, non-2xx ${out.non2xx}${tally.sample ? ` (${tally.sample})` : ''}`,
  );
  return out;
}
