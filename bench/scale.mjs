// PostgreSQL, the production engine, as it is deployed: one and two collector processes on
// one database next to the bare node:http baseline in the same run (`pg-ingest`), and a
// sustained load at a fixed offered rate on each engine (`sustained`): acknowledged against
// stored, and how long after the load the reports hold everything acknowledged.
import { SHAPES, bareRuns, collectorRun } from './ingest.mjs';
import { collectorBuilt } from './lib/proc.mjs';
import { log } from './lib/util.mjs';

const SINGLE = SHAPES.find((s) => s.id === 'single');
const CONNECTIONS = 50;

export async function runPgIngest(ctx, { quick = false } = {}) {
  const seconds = quick ? 2 : 5;
  const shapes = [SINGLE];
  const bare = { before: await bareRuns('before', { connections: CONNECTIONS, seconds, shapes }) };
  const out = { connections: CONNECTIONS, seconds, shape: SINGLE, bare, runs: [] };
  if (!collectorBuilt()) return { ...out, skipped: 'the collector is not built (collector/dist/collector/src/cli.js missing)' };
  for (const collectors of [1, 2]) {
    try {
      out.runs.push({ collectors, ...(await collectorRun('postgres', SINGLE, ctx, { seconds, connections: CONNECTIONS, collectors })) });
    } catch (e) {
      log(`pg-ingest with ${collectors} collector(s) failed: ${e.message}`);
      out.runs.push({ collectors, error: String(e.message ?? e).slice(0, 1500) });
    }
  }
  bare.after = await bareRuns('after', { connections: CONNECTIONS, seconds, shapes });
  // the higher baseline counts, so a quieter moment on a shared machine never flatters the collector
  out.baseline = [bare.before.single, bare.after.single].reduce((a, b) => (b.rps > a.rps ? b : a));
  for (const r of out.runs) if (!r.error) r.ratio = r.rps / out.baseline.rps;
  return out;
}

/**
 * The sustained runs. Each offers a fixed rate for the whole run: `share` of the rate the
 * collectors answered at full speed in the warm-up, at most `maxRate` requests per second.
 * Below saturation on purpose: the run shows whether the writes behind the answers keep up
 * over a minute (and the minute stays a minute on a slower machine), not where answering
 * saturates (the `ingest` and `pg-ingest` parts show that). On PostgreSQL the projection
 * runs at the lowest CPU priority beside two collectors' answering, so its share is lower: the
 * highest rate it keeps up with on this machine (about half of full speed, measured).
 */
export const SUSTAINED = [
  { engine: 'sqlite', collectors: 1, share: 0.7, maxRate: 3000 },
  { engine: 'postgres', collectors: 2, share: 0.5, maxRate: 3000 },
];

export async function runSustained(ctx, { quick = false } = {}) {
  const seconds = quick ? 5 : 60;
  const out = { seconds, connections: CONNECTIONS, runs: [] };
  if (!collectorBuilt()) return { ...out, skipped: 'the collector is not built (collector/dist/collector/src/cli.js missing)' };
  for (const s of SUSTAINED) {
    try {
      const offered = (fullSpeed) => Math.min(s.maxRate, fullSpeed * s.share);
      out.runs.push({ ...s, ...(await collectorRun(s.engine, SINGLE, ctx, { seconds, connections: CONNECTIONS, collectors: s.collectors, offered, name: `sustained_${s.engine}` })) });
    } catch (e) {
      log(`sustained ${s.engine} failed: ${e.message}`);
      out.runs.push({ ...s, error: String(e.message ?? e).slice(0, 1500) });
    }
  }
  return out;
}
