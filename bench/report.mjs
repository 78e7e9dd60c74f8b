// Renders BENCHMARKS.md from the parts' results: each figure next to its baseline or bar,
// their ratio, ✓ or the shortfall with what the profile says and a plan.
const f0 = (x) => (x == null || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const f1 = (x) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(1));
const f2 = (x) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(2));
const pct = (x) => (x == null || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(0)} %`);
const ok = (met) => (met ? '✓' : '✗');

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function provenance(entry, run) {
  if (!entry) return '_Not measured yet: run `node bench/run.mjs` with this part._';
  const when = entry.finishedAt?.slice(0, 16).replace('T', ' ');
  const same = entry.runId === run.id;
  return `_${same ? 'This run' : `Earlier run (${when} UTC)`}: \`${entry.command}\`, ${f1(entry.seconds)} s._`;
}

function failure(entry) {
  if (entry?.error) return `**The part failed:**\n\n\`\`\`\n${entry.error}\n\`\`\``;
  if (entry?.result?.skipped) return `**Skipped:** ${entry.result.skipped}.`;
  return null;
}

// ---------------------------------------------------------------- size
function sizeSection(e, run, bars) {
  const out = ['## SDK size', provenance(e, run)];
  const fail = failure(e);
  if (fail) return [...out, fail].join('\n\n');
  if (!e) return out.join('\n\n');
  out.push(
    'Bytes of the built browser scripts; gzip at level 9, brotli at quality 11. The bar is on gzip.',
    table(
      ['file', 'raw', 'gzip', 'brotli', 'gzip budget', 'gzip ÷ budget', 'bar'],
      e.result.rows.map((r) =>
        r.missing
          ? [`\`${r.file}\``, 'not built', '–', '–', f0(r.budgetGzip), '–', '✗']
          : [`\`${r.file}\``, f0(r.raw), f0(r.gzip), f0(r.brotli), f0(r.budgetGzip), pct(r.ratio), ok(r.met)],
      ),
    ),
  );
  for (const r of e.result.rows) {
    bars.push({ bar: `\`${r.file}\` ≤ ${f0(r.budgetGzip)} B gzipped`, figure: r.missing ? 'not built' : `${f0(r.gzip)} B`, baseline: `${f0(r.budgetGzip)} B budget`, ratio: r.missing ? '–' : pct(r.ratio), met: !!r.met });
    if (!r.missing && !r.met)
      out.push(`**Shortfall (${r.file}):** ${f0(r.gzip - r.budgetGzip)} B over. Plan: check what the bundle pulls in (\`npx rollup -c --configPlugin typescript\` with a visualiser, or read the minified output), move rarely used paths behind the pixel fallback, shorten repeated property names (terser's \`mangle.properties\` with the \`_\` prefix convention already in rollup.config.ts).`);
  }
  return out.join('\n\n');
}

// ---------------------------------------------------------------- page cost
function pageSection(e, run, bars) {
  const out = ['## SDK cost on the page', provenance(e, run)];
  const fail = failure(e);
  if (fail) return [...out, fail].join('\n\n');
  if (!e) return out.join('\n\n');
  const r = e.result;
  const plausible = r.rows.find((x) => x.id === 'plausible');
  out.push(
    `A Thank You page in headless ${r.browser} (ours: \`bench/pages/sdk.html\`, the recommended install of docs/sdk.md, whose first line holds the stub and \`init()\`, and an inline \`order()\`), each load in a fresh browser context (empty cache and storage), ` +
      `${r.iterations} loads each of the empty page, ours and Plausible's (the bar's three) and ${r.otherIterations ?? r.iterations} of the others, after ${r.warmup} warm-up load${r.warmup === 1 ? '' : 's'}, ` +
      'interleaved (one load of each variant per round, every other round in the reverse order); medians. Main-thread time is the ' +
      'DevTools protocol\'s `Performance.getMetrics` `TaskDuration` (all main-thread tasks of the page, in thread CPU time) read 250 ms ' +
      'after the order (or the peer\'s one purchase-like event) reached the endpoint (a local stub collector answering like the real one), ' +
      'before the bench evaluates anything in the page. The baseline is the same page without tracking. The peers are their npm builds ' +
      '(`bench/pages/<peer>.html`), each configured to send that one event and nothing else; sizes are the script as served, gzipped at level 9.',
    table(
      ['page', 'main-thread time', 'over the empty page', '× Plausible\'s addition', 'script time', 'style + layout', 'JS heap', 'script gzip', '`order()` to settled (wall)'],
      r.rows.map((x) => [
        x.label + (x.error ? ` (error: ${x.error})` : ''),
        `${f1(x.taskMs)} ms`,
        x.id === 'empty' ? '–' : `+${f1(x.extraTaskMs)} ms`,
        x.vsPlausible == null ? '–' : f2(x.vsPlausible),
        `${f1(x.scriptMs)} ms`,
        `${f1(x.layoutMs)} ms`,
        `${f0(x.heapKB)} KB`,
        x.gzipBytes == null ? '–' : `${f0(x.gzipBytes)} B`,
        x.orderToSettledMs == null ? '–' : `${f1(x.orderToSettledMs)} ms`,
      ]),
    ),
  );
  const p = r.paired;
  if (p)
    out.push(
      `**Ours against Plausible's, round by round** (the two loads of a round ran back to back, so what slows the machine for a while slows both): ` +
        `over ${p.n} rounds our page took ${f2(Math.abs(p.median))} ms ${p.median > 0 ? 'more' : 'less'} main-thread time than Plausible's at the median ` +
        `(quartiles ${f2(p.q1)} to ${f2(p.q3)} ms), and less in ${p.lighter} of the ${p.n} rounds.`,
    );
  if (r.profile) {
    out.push(
      `**Where our page's time goes** (a sampling CPU profile, DevTools \`Profiler\` at 100 µs, of ${r.profile.runs} more loads of the SDK page; ` +
        'self time per load, inflated by the profiler itself, so read the shares, not the milliseconds; `sdk:` rows are functions of the minified ' +
        'build, by line and column of dist/emarsys-track.min.js):',
      table(['where', 'self time per load'], Object.entries(r.profile.byPlace).map(([k, v]) => [k, `${f1(v)} ms`])),
      table(['function', 'self time per load'], r.profile.top.map((x) => [`\`${x.fn}\``, `${f2(x.ms)} ms`])),
    );
  }
  const sdk = r.rows.find((x) => x.id === 'sdk');
  if (sdk && plausible?.extraTaskMs != null)
    bars.push({ bar: 'SDK main-thread cost (load + order) ≤ Plausible\'s (load + one event)', figure: `+${f1(sdk.extraTaskMs)} ms`, baseline: `+${f1(plausible.extraTaskMs)} ms Plausible`, ratio: `${f2(sdk.vsPlausible)}×`, met: sdk.extraTaskMs <= plausible.extraTaskMs });
  else if (sdk) bars.push({ bar: 'SDK main-thread cost (load + order)', figure: `+${f1(sdk.extraTaskMs)} ms`, baseline: `${f1(r.rows[0].taskMs)} ms empty page`, ratio: `${f2(sdk.ratio)}×`, met: null });
  return out.join('\n\n');
}

// ---------------------------------------------------------------- ingest
/** What to do about a large share of the main thread's profile, by where the code lives. */
function hint(w, p) {
  const fns = (where, n = 3) =>
    p.top
      .filter((t) => t.where === where)
      .slice(0, n)
      .map((t) => `\`${t.fn}\` (${t.location}, ${t.pctOfBusy.toFixed(1)} %)`)
      .join(', ');
  if (w.where === 'better-sqlite3') return `SQLite calls on the main thread (${fns('better-sqlite3')}): ingest writes belong on the queue's threads; look for a read or write on the request path.`;
  if (w.where === 'collector') return `the collector's own code: ${fns('collector')}: parsing, checking and normalising each event (JSON.parse of the body, the compiled TypeBox checks, exact money as bigint).`;
  if (/fastify|find-my-way|light-my-request|avvio|@fastify/.test(w.where))
    return `Fastify (${fns(w.where)}): keep \`/v1/events\` free of per-request hooks that only other routes need (cookies, sessions, auth), and make sure no error object is created on the success path (\`createError\` in the profile).`;
  if (/typebox|ajv|fast-json-stringify/.test(w.where)) return `validation/serialisation (${fns(w.where)}): compile schemas once at start-up, never per request.`;
  if (/pino|thread-stream|sonic-boom/.test(w.where)) return 'logging per request: log ingest at `warn` and above only.';
  if (w.where === '(garbage collector)') return 'garbage collection: the parsed body, the normalised records and their copies to the append thread (structured clone): fewer intermediate objects per event.';
  if (w.where === 'native') return `system calls and handoffs (${fns('native')}): socket writes, and the \`postMessage\` to the append thread and back.`;
  if (w.where === 'node internals' || w.where === '(program)') return 'HTTP parsing, sockets and the runtime: what the bare server pays too; it shrinks per event with batching.';
  return null;
}

/** Seconds after the load until the reports held every acknowledged event (null: not within the wait). */
const caughtUp = (x) => (x.caughtUpMs === undefined ? '–' : x.caughtUpMs === null ? 'not within 60 s' : `${f1(x.caughtUpMs / 1000)} s`);

/** CPU µs per request: the server's threads (main thread), the load generator. */
const cpuCell = (x) => (x.cpu ? `${f0(x.cpu.allUs)} (${f0(x.cpu.mainUs)}) + ${f0(x.loadUs)}` : '–');

function ingestSection(e, run, bars, machine) {
  const out = ['## Ingest throughput', provenance(e, run)];
  if (e?.error) return [...out, failure(e)].join('\n\n');
  if (!e) return out.join('\n\n');
  const r = e.result;
  out.push(
    `\`autocannon\`, ${r.connections} connections (many shoppers at once: the collector commits the requests that arrive together in one transaction, so it is only kept busy with many in flight), no pipelining, against 127.0.0.1; each run first warms up for 2 s (on another customer, not counted), ` +
      `then sends a fixed number of requests sized from the warm-up's rate to take about ${r.seconds} s (the "measured" column), so every request gets its answer. Bodies are realistic SDK batches ` +
      '(`text/plain`, half carts and half orders, 1–5 items each, campaign attribution, unique event/order/cart IDs; ≈0.6 KB per event). ' +
      'The load generator runs on the same 2 cores as the server. The baseline is a bare `node:http` server that reads the body and answers 204, ' +
      'measured in the same run with the same bodies, before and after the collector runs; the higher of the two is the baseline. ' +
      '"Stored" is counted through the reports API on a freshly restarted collector. ' +
      '**CPU per request** is read from Linux\'s `/proc` for the measured window: the server process (all its threads, in brackets its main thread alone) + the load generator (this process). ' +
      '**Caught up** is how long after the last answer a report read returned with every answered event in it: on SQLite the collector answers once an event is durable in its ingest queue and applies the queue to the tables right behind (docs/collector.md, "Ingest: log, then project"); reports wait for it.',
  );
  const rows = [];
  for (const shape of r.shapes) {
    const b = r.baseline[shape.id];
    if (b) {
      const both = [r.bare?.before?.[shape.id], r.bare?.after?.[shape.id]].filter(Boolean).map((x) => f0(x.rps));
      rows.push([`bare node:http (baseline; before / after: ${both.join(' / ')} req/s)`, shape.perRequest, `${f0(b.requests)} in ${f1(b.seconds)} s`, f0(b.rps), f0(b.eventsPerSec), `${b.latency.p50} / ${b.latency.p99} ms`, f0(b.errors + b.non2xx), '1.00', cpuCell(b), '–', '–', '–']);
    }
    for (const [engine, byShape] of Object.entries(r.engines ?? {})) {
      const x = byShape[shape.id];
      if (!x) continue;
      if (x.error) {
        rows.push([`collector, ${engine}`, shape.perRequest, `error: ${x.error.split('\n')[0].slice(0, 160)}`, '', '', '', '', '', '', '', '', '']);
        continue;
      }
      const d = x.durability ?? {};
      rows.push([
        `collector, ${engine}`,
        shape.perRequest,
        `${f0(x.requests)} in ${f1(x.seconds)} s`,
        f0(x.rps),
        f0(x.eventsPerSec),
        `${x.latency.p50} / ${x.latency.p99} ms`,
        f0(x.errors + x.non2xx + x.timeouts) + (x.rejected ? ` (+${x.rejected} events rejected)` : ''),
        f2(x.ratio),
        cpuCell(x),
        caughtUp(x),
        `${f0(d.acknowledged)} / ${f0(d.stored)}`,
        ok(d.equal),
      ]);
    }
  }
  out.push(table(['server', 'events / request', 'measured', 'requests/s', 'events/s', 'latency p50 / p99', 'errors', '× bare req/s', 'CPU µs / request: server (main) + load', 'caught up', 'acknowledged / stored', 'stored = acknowledged'], rows));
  if (r.skipped) out.push(`**Collector runs skipped:** ${r.skipped}.`);
  if (r.commitFloorMs && !r.commitFloorMs.error) {
    out.push(
      `The floor under durable ingest on this machine, measured in the same run: one transaction committing one 600-byte row costs ` +
        Object.entries(r.commitFloorMs).map(([k, v]) => `**${f2(v)} ms** on ${k === 'sqlite' ? 'SQLite (WAL, `synchronous = FULL`, as the collector opens it)' : 'PostgreSQL (defaults, `fsync` on)'}`).join(' and ') +
        '. Committing once per request would cap a single writer at the inverse of that, whatever the code; committing the requests that arrive together in one transaction (the collector\'s group commit) is what lifts the cap.',
    );
  }

  let shortfall = false;
  for (const shape of r.shapes) {
    const x = r.engines?.sqlite?.[shape.id];
    const b = r.baseline[shape.id];
    if (!b) continue;
    const met = !!x && !x.error && x.ratio >= 0.5;
    if (!met) shortfall = true;
    bars.push({ bar: `ingest on SQLite ≥ ½ bare req/s (${shape.label})`, figure: x && !x.error ? `${f0(x.rps)} req/s` : 'not measured', baseline: `${f0(b.rps)} req/s bare`, ratio: x && !x.error ? f2(x.ratio) : '–', met });
  }
  for (const [engine, byShape] of Object.entries(r.engines ?? {})) {
    for (const shape of r.shapes) {
      const x = byShape[shape.id];
      if (!x) continue;
      const d = x.durability;
      bars.push({ bar: `every acknowledged event durable (${engine}, ${shape.label})`, figure: d ? `${f0(d.stored)} stored` : 'not measured', baseline: d ? `${f0(d.acknowledged)} acknowledged` : '–', ratio: d && d.acknowledged ? f2(d.stored / d.acknowledged) : '–', met: !!d?.equal });
    }
  }

  const p = r.profile;
  if (p && !p.error) {
    out.push(
      '### Where the time goes',
      `\`node --cpu-prof\` of the collector (SQLite, 1 event per request) under the same load, ${f0(p.rps)} req/s while profiled, the measured window only (start-up, warm-up and shutdown left out): ` +
        `${f0(p.busyMs)} ms of the main thread busy, ${f0(p.idleMs)} ms idle (waiting for requests). "Busy" includes time blocked in system calls made from JavaScript, such as the fsync inside SQLite's COMMIT. Self time, by where the code lives:`,
      table(['where', 'self time', 'share of busy'], p.byWhere.map((w) => [w.where, `${f0(w.selfMs)} ms`, `${w.pctOfBusy.toFixed(1)} %`])),
      'Top functions by self time:',
      table(['function', 'location', 'self time', 'share of busy'], p.top.map((t) => [`\`${t.fn}\``, t.location ? `\`${t.location}\`` : t.where, `${f0(t.selfMs)} ms`, `${t.pctOfBusy.toFixed(1)} %`])),
    );
  } else if (p?.error) out.push(`Profile: failed (${p.error}).`);
  if (shortfall) {
    const plan = [];
    // the CPU budget: both processes share 2 cores; half the bare rate leaves this much per request
    const x = r.engines?.sqlite?.single;
    const b = r.baseline.single;
    if (x?.cpu && b?.cpu && x.loadUs) {
      const cores = machine?.cores ?? 2;
      const budget = (cores * 1e6) / (b.rps / 2) - x.loadUs;
      plan.push(
        `- **CPU** (1 event per request): ${cores} cores give ${f0(cores * 1e6)} µs of CPU per second to share between the server and the load generator. ` +
          `Half the bare rate (${f0(b.rps / 2)} req/s) leaves at most **${f0(budget)} µs per request** for the collector, all threads together, once the load generator has taken its ${f0(x.loadUs)} µs; ` +
          `it spent **${f0(x.cpu.allUs)} µs** (${f0(x.cpu.mainUs)} on its main thread; the bare server ${f0(b.cpu.allUs)}). The rest is the append thread (duplicate lookups, the queue commit), ` +
          'the apply thread (about 100 µs per event to write orders, items, carts, aggregates and profiles; at the lowest priority, and while requests queue it leaves entries younger than 10 s for after the burst: the "caught up" column), and V8\'s helper threads (garbage collection). ' +
          'Plan: the main thread within budget first (parse, check and normalise without copies: the structured clone to the append thread duplicates the records), then the append path (an append-only file with `fdatasync` instead of a SQLite table costs about a third of the commit, measured here at ~0.35 ms against ~1 ms), and apply less per event (multi-row statements per table per batch).',
      );
    }
    if (p && !p.error) {
      for (const w of p.byWhere.slice(0, 5)) {
        const h = hint(w, p);
        if (h) plan.push(`- main thread, **${w.where}** (${w.pctOfBusy.toFixed(0)} % of its busy time): ${h}`);
      }
      const idle = p.idleMs / (p.idleMs + p.busyMs);
      if (idle > 0.2)
        plan.push(`- main thread **idle** ${(idle * 100).toFixed(0)} % of the window: with ${r.connections} connections, each waits for its group's queue commit (the latency column), and the CPU is shared with the other threads and the load generator.`);
    }
    out.push("**Shortfall.** What the CPU and the profile say, and the plan:", plan.join('\n') || '- see the top functions above.');
  }
  return out.join('\n\n');
}

// ---------------------------------------------------------------- PostgreSQL, several collectors
const loadCells = (x) => [`${f0(x.requests)} in ${f1(x.seconds)} s`, f0(x.rps), `${x.latency.p50} / ${x.latency.p99} ms`, f0(x.errors + x.non2xx + x.timeouts)];
const durabilityCells = (x) => [caughtUp(x), `${f0(x.durability?.acknowledged)} / ${f0(x.durability?.stored)}`, ok(!!x.durability?.equal)];

function pgIngestSection(e, run, bars) {
  const out = ['## Ingest on PostgreSQL, one and two collectors', provenance(e, run)];
  const fail = failure(e);
  if (fail) return [...out, fail].join('\n\n');
  if (!e) return out.join('\n\n');
  const r = e.result;
  const b = r.baseline;
  out.push(
    `The \`ingest\` part's load (1 event per request, ${r.connections} connections, a ${r.seconds} s measured run after a 2 s warm-up) on PostgreSQL with its defaults (\`fsync\` on), ` +
      'against one collector process, then against two processes on the same database with the connections split evenly between them (as behind a load balancer; latency is the worse of the two). ' +
      'The baseline is the bare `node:http` server in the same run, before and after; the higher counts. "Stored" is counted on a freshly started collector; "caught up" is how long after the last answer the reports held every acknowledged event: at full speed every append slot is busy, so the collectors answer first and leave entries younger than 10 s in the log, projecting the backlog after the burst (docs/collector.md, "Ingest: log, then project"). ' +
      "PostgreSQL's CPU is that of its postmaster and every backend (appending, projecting, autovacuum) during the measured window, read from `/proc`.",
    table(
      ['server', 'measured', 'requests/s', 'latency p50 / p99', 'errors', '× bare req/s', 'CPU µs / request: collectors (main) + load', 'PostgreSQL CPU µs / request', 'caught up', 'acknowledged / stored', 'stored = acknowledged'],
      [
        [`bare node:http (baseline; before / after: ${f0(r.bare.before?.single?.rps)} / ${f0(r.bare.after?.single?.rps)} req/s)`, ...loadCells(b), '1.00', cpuCell(b), '–', '–', '–', '–'],
        ...r.runs.map((x) =>
          x.error
            ? [`PostgreSQL, ${x.collectors} collector${x.collectors > 1 ? 's' : ''}`, `error: ${x.error.split('\n')[0].slice(0, 160)}`, '', '', '', '', '', '', '', '', '✗']
            : [`PostgreSQL, ${x.collectors} collector${x.collectors > 1 ? 's' : ''}`, ...loadCells(x), f2(x.ratio), cpuCell(x), x.dbUs == null ? '–' : f0(x.dbUs), ...durabilityCells(x)],
        ),
      ],
    ),
  );
  const two = r.runs.find((x) => x.collectors === 2);
  bars.push({ bar: 'ingest on PostgreSQL, two collectors ≥ ¼ bare req/s', figure: two && !two.error ? `${f0(two.rps)} req/s` : 'not measured', baseline: `${f0(b.rps)} req/s bare`, ratio: two && !two.error ? f2(two.ratio) : '–', met: !!two && !two.error && two.ratio >= 0.25 });
  for (const x of r.runs) {
    bars.push({ bar: `every acknowledged event stored once (PostgreSQL, ${x.collectors} collector${x.collectors > 1 ? 's' : ''})`, figure: x.durability ? `${f0(x.durability.stored)} stored` : 'not measured', baseline: x.durability ? `${f0(x.durability.acknowledged)} acknowledged` : '–', ratio: x.durability?.acknowledged ? f2(x.durability.stored / x.durability.acknowledged) : '–', met: !!x.durability?.equal });
  }
  return out.join('\n\n');
}

function sustainedSection(e, run, bars) {
  const out = ['## Sustained load', provenance(e, run)];
  const fail = failure(e);
  if (fail) return [...out, fail].join('\n\n');
  if (!e) return out.join('\n\n');
  const r = e.result;
  out.push(
    `${r.seconds} s of load at a fixed offered rate (autocannon's \`overallRate\`, 1 event per request, ${r.connections} connections): a share of the rate the collectors answered at full speed in a 2 s warm-up on another customer, capped (the "offered" column), so the run keeps its length and shows whether the writes behind the answers keep up; ` +
      'SQLite with one collector, PostgreSQL (`fsync` on) with two collectors on one database. "Caught up" is how long after the last answer the reports (or the count behind them) held every acknowledged event; ' +
      '"stored" is counted on a freshly started collector. The bar: caught up within 10 s, stored = acknowledged.',
    table(
      ['engine', 'collectors', 'offered: share × full speed (cap)', 'measured', 'answered req/s', 'latency p50 / p99', 'errors', 'caught up', 'acknowledged / stored', 'stored = acknowledged'],
      r.runs.map((x) =>
        x.error
          ? [x.engine, x.collectors, '–', `error: ${x.error.split('\n')[0].slice(0, 160)}`, '', '', '', '', '', '✗']
          : [x.engine, x.collectors, `${f0(x.offeredRate)} req/s: ${pct(x.share)} × ${f0(x.fullSpeedRate)} (${f0(x.maxRate)})`, ...loadCells(x).slice(0, 1), f0(x.rps), ...loadCells(x).slice(2), ...durabilityCells(x)],
      ),
    ),
  );
  for (const x of r.runs) {
    const met = !x.error && x.caughtUpMs != null && x.caughtUpMs <= 10_000 && !!x.durability?.equal;
    bars.push({ bar: `sustained ${r.seconds} s at ${f0(x.offeredRate)} req/s (${x.engine}, ${x.collectors} collector${x.collectors > 1 ? 's' : ''}): caught up within 10 s, stored = acknowledged`, figure: x.error ? 'failed' : `caught up in ${caughtUp(x)}, ${f0(x.durability?.stored)} stored`, baseline: x.error ? '–' : `10 s; ${f0(x.durability?.acknowledged)} acknowledged`, ratio: x.caughtUpMs != null ? f2(x.caughtUpMs / 10_000) : '–', met });
  }
  return out.join('\n\n');
}

// ---------------------------------------------------------------- reports
function reportsSection(e, run, bars) {
  const out = ['## Reports at scale', provenance(e, run)];
  const fail = failure(e);
  if (fail) return [...out, fail].join('\n\n');
  if (!e) return out.join('\n\n');
  const r = e.result;
  const d = r.dataset ?? {};
  out.push(
    `Data: ${f0(d.orders)} orders with ${f0(d.items)} item lines, ${f0(d.carts)} carts (${f0(d.abandoned)} abandoned, the rest closed by an order, 5 % of those recovered) ` +
      `over ${d.campaigns} campaigns and ${d.days} days (10 % direct traffic), one customer, with the campaign and contact directory; generated by \`bench/generate.mjs\` straight into the collector's schema, ` +
      `aggregates included (${r.generation.map((g) => `${g.engine}: ${g.cached ? `reused from the cache, generated earlier in ${f0(g.seconds)} s` : `${f1(g.seconds)} s`}`).join('; ')}). ` +
      `Each report's first page (default \`limit\` 50, JSON) is fetched over HTTP from the real collector with an API token. ` +
      `**Cold**: the first request for that report to a just-started collector${r.engines?.postgres ? ' (PostgreSQL restarted too, so its shared buffers are empty; the OS page cache is not dropped)' : ''}, measured on ${r.coldRuns ?? 1} fresh starts per row: the median counts, the worst is shown in brackets; the process and its database connections are warmed first by 4 concurrent requests for an order ID that does not exist (auth, routing, one primary-key probe each), so cold measures the data, not the connection set-up. ` +
      `**Warm**: the median and p95 of ${r.warmRuns} more requests. The bar is ${r.barMs} ms, applied to cold, warm and warm p95. ${r.queryNote ?? ''}`,
  );
  for (const [engine, x] of Object.entries(r.engines ?? {})) {
    if (x.error) {
      out.push(`### ${engine}`, `Failed: \`${x.error.slice(0, 800)}\``);
      bars.push({ bar: `each report's first page < ${r.barMs} ms (${engine})`, figure: 'failed', baseline: `${r.barMs} ms bar`, ratio: '–', met: false });
      continue;
    }
    out.push(
      `### ${engine}`,
      table(
        ['report', 'filter', 'rows matching', 'cold', 'warm', 'warm p95', 'SQL', 'in-process', '× bar (worst)', 'bar'],
        x.rows.map((q) =>
          q.error
            ? [q.report, q.filterLabel, '', '', '', '', '', '', '', `error: ${q.error.slice(0, 160)}`]
            : [q.report, q.filterLabel, f0(q.total), `${f1(q.coldMs)} ms${q.coldMaxMs !== undefined && (q.coldRuns ?? 1) > 1 ? ` (${f1(q.coldMaxMs)})` : ''}`, `${f1(q.warmMs)} ms`, `${f1(q.warmP95Ms)} ms`, q.sqlMs == null ? '–' : `${f1(q.sqlMs)} ms (${q.statements} stmts)`, q.inProcessMs == null ? '–' : `${f1(q.inProcessMs)} ms`, f2(Math.max(q.coldMs, q.warmMs, q.warmP95Ms) / r.barMs), ok(q.met)],
        ),
      ),
    );
    if (x.check) {
      out.push(
        x.check.error
          ? `Dataset check failed: ${x.check.error}`
          : `Dataset check (the report totals come from the aggregates, the data from the raw rows): orders report total (all traffic) ${f0(x.check.orders.report)} vs ${f0(x.check.orders.generated)} generated, abandoned carts ${f0(x.check.abandoned.report)} vs ${f0(x.check.abandoned.generated)}: ${x.check.ok ? '✓ consistent' : '✗ **inconsistent**: the generator no longer matches the collector\'s aggregates; fix `bench/generate.mjs`'}.`,
      );
    }
    const good = x.rows.filter((q) => !q.error);
    const worst = good.reduce((a, q) => (!a || Math.max(q.coldMs, q.warmMs, q.warmP95Ms) > Math.max(a.coldMs, a.warmMs, a.warmP95Ms) ? q : a), null);
    const met = x.rows.length > 0 && x.rows.every((q) => q.met);
    bars.push({ bar: `each report's first page < ${r.barMs} ms (${engine}, ${f0(d.orders)} orders)`, figure: worst ? `slowest ${f1(Math.max(worst.coldMs, worst.warmMs, worst.warmP95Ms))} ms (${worst.report}, ${worst.filterLabel})` : '–', baseline: `${r.barMs} ms bar`, ratio: worst ? f2(Math.max(worst.coldMs, worst.warmMs, worst.warmP95Ms) / r.barMs) : '–', met });
    const slow = x.rows.filter((q) => !q.met);
    if (slow.length) {
      const inDb = slow.filter((q) => q.sqlMs >= 20);
      const outside = slow.filter((q) => q.sqlMs != null && q.sqlMs < 20);
      const unknown = slow.filter((q) => q.sqlMs == null && !q.error);
      if (unknown.length) out.push(`No in-process SQL timing for ${unknown.map((q) => `${q.report} (${q.filterLabel})`).join(', ')} (see the dataset check line).`);
      out.push(`**Shortfall on ${engine}:** ${slow.map((q) => `${q.report} (${q.filterLabel})`).join(', ')}.`);
      if (outside.length)
        out.push(`Outside the database: ${outside.map((q) => `${q.report} (${q.filterLabel}): SQL ${f1(q.sqlMs)} ms of cold ${f1(q.coldMs)} / warm ${f1(q.warmMs)} ms`).join('; ')}. The time is in the process (first-call work per route and statement: compiling serialisers, preparing statements) or on the machine (load), not in the query plan.`);
      if (inDb.length) out.push('In the database, the slowest statement of each, with its plan:', ...(x.plans ?? []));
    }
  }
  return out.join('\n\n');
}

// ---------------------------------------------------------------- sweep
function sweepSection(e, run, bars) {
  const out = ['## Abandoned-cart sweep', provenance(e, run)];
  const fail = failure(e);
  if (fail) return [...out, fail].join('\n\n');
  if (!e) return out.join('\n\n');
  const r = e.result;
  out.push(r.method);
  const consistent = (x) => !x.error && x.abandoned === (x.swept ?? x.carts) && x.inStats === (x.swept ?? x.carts);
  out.push(
    table(
      ['engine', 'expired carts', 'sweep time', 'carts/s', 'one UPDATE (baseline)', '× baseline', 'swept / marked abandoned / in the aggregates', 'consistent'],
      Object.entries(r.engines).map(([engine, x]) =>
        x.error
          ? [engine, f0(r.carts), `error: ${x.error.slice(0, 200)}`, '', '', '', '', '✗']
          : [
              engine,
              f0(x.carts),
              x.capped ? `${f1(x.seconds)} s projected (${f0(x.swept)} swept in ${f1(x.measuredSeconds)} s)` : `${f2(x.seconds)} s`,
              f0(x.perSecond),
              `${f2(x.baselineSeconds)} s`,
              f1(x.ratio),
              `${f0(x.swept ?? x.carts)} / ${f0(x.abandoned)} / ${f0(x.inStats)}`,
              ok(consistent(x)),
            ],
      ),
    ),
  );
  for (const [engine, x] of Object.entries(r.engines)) {
    bars.push({ bar: `sweep ${f0(r.carts)} expired carts (${engine}); no bar, every swept cart consistent`, figure: x.error ? 'failed' : `${f1(x.seconds)} s${x.capped ? ' (projected)' : ''}`, baseline: x.error ? '–' : `${f2(x.baselineSeconds)} s one UPDATE`, ratio: x.error ? '–' : `${f1(x.ratio)}×`, met: consistent(x) });
  }
  return out.join('\n\n');
}

// ---------------------------------------------------------------- faults
function faultsSection(e, run, bars) {
  const out = ['## Delivery fault matrix', provenance(e, run)];
  const fail = failure(e);
  if (fail) return [...out, fail].join('\n\n');
  if (!e) return out.join('\n\n');
  const r = e.result;
  out.push(
    `A real headless Chromium loads a shop page (\`bench/pages/shop.html\`: the install stub and the SDK) and calls \`emarsysTrack.order(…)\` ` +
      `${r.ordersPerFault} times per fault against the real collector (SQLite); the fault is injected around those calls. "Sent" counts the ` +
      '`order()` calls; "stored" counts distinct order IDs in the orders report (and every stored row must carry the right total, once). ' +
      `After the fault clears the bench waits up to ${r.retryWaitMs / 1000} s for the SDK's own retries; if orders are still missing it opens one more ` +
      `shop page in the same browser (queued events are retried on the next page) and waits up to ${r.nextPageWaitMs / 1000} s more. ` +
      'Faults 1–3 go through a local proxy that counts delivery attempts and can answer 500; the restarts go straight to the collector. ' +
      'For "PostgreSQL restarted", two collectors run on one PostgreSQL database while Node sends them a steady load beside the page (each request sent again after a 503 or a refused connection, as the SDK does); ' +
      'PostgreSQL gets a fast shutdown, the orders are made while it is down, and it starts again: the load\'s events must be stored exactly as acknowledged and both collectors must still run.',
    table(
      ['fault', 'sent', 'stored', 'stored by retries alone', 'needed a next page', 'delivery attempts seen', '`order()` promises', 'no event lost'],
      r.rows.map((x) => [
        x.label +
          (x.load ? `; the load beside it: ${f0(x.load.acknowledged)} events acknowledged, ${f0(x.load.stored)} stored, ${f0(x.load.refused)} answers 503 or refused and sent again, the collectors ${x.load.collectorsRunning ? 'kept running' : '**exited**'}` : '') +
          (x.error ? ` (error: ${x.error})` : ''),
        x.sent,
        x.stored,
        x.storedByRetry == null ? '–' : `${x.storedByRetry} (${f1((x.retryMs ?? 0) / 1000)} s)`,
        x.nextPageUsed ? 'yes' : 'no',
        x.direct ?? x.id === 'restart' ? '– (direct)' : `${x.attemptsSeen}${x.failedAnswers ? ` (${x.failedAnswers} answered 500)` : ''}`,
        Object.entries(x.settled ?? {}).map(([k, v]) => `${v}× ${k}`).join(', '),
        ok(x.met),
      ]),
    ),
  );
  for (const x of r.rows) bars.push({ bar: `no event lost: ${x.label}${x.load ? ', and none of the load\'s' : ''}`, figure: `${x.stored} stored`, baseline: `${x.sent} sent`, ratio: x.sent ? f2(x.stored / x.sent) : '–', met: !!x.met });
  return out.join('\n\n');
}

// ---------------------------------------------------------------- hostile mix
function hostileSection(e, run, bars) {
  const out = ['## Hostile mix', provenance(e, run)];
  const fail = failure(e);
  if (fail) return [...out, fail].join('\n\n');
  if (!e) return out.join('\n\n');
  const r = e.result;
  out.push(
    `Good SDK traffic (batches of ${r.perRequest} events, ${r.connections} connections, one run after a 1 s warm-up) against the real collector, ` +
      `alone and with one request in ${r.hostileEvery} hostile, in turn: ${r.kinds.join(', ')} (every hostile body different, as an attacker varies them). ` +
      `Clean and mixed traffic alternate within the run, ${f0(r.phaseMs)} ms at a time (${r.phases.join(', ')}, repeated: ABBA), so a busy moment of the shared machine, or the tables growing, weighs on both alike; ` +
      `what a request acknowledged counts for the phase it was sent in, from ${f0(r.settleMs)} ms into it (before that, the previous phase's requests are still being answered); ${r.phaseCount} phases count, after a clean lead-in of one phase that does not (the run's connections are new), and the run goes on past them, repeating one clean body (answered as a duplicate, nothing to apply) until it ends. ` +
      'The rate is the good events acknowledged per second (the mean of the phases; each phase\'s rate in the last column); the bar is the mix keeping at least 0.8 of the clean rate. Stored counts the events in the reports ' +
      'of a restarted collector: it must equal the events acknowledged (hostile requests acknowledge none). The rejected-events table (with its indexes) is measured ' +
      'before the run and after it. The load comes from one address, so the per-address limit is set out of reach and the per-customer one off.',
    table(
      ['engine', 'clean events/s', 'mixed events/s', 'mixed ÷ clean', 'hostile requests', 'acknowledged / stored', 'rejected table growth per hostile request', 'rejected rows', 'each phase, clean; mixed (events/s)'],
      Object.entries(r.engines).map(([engine, x]) =>
        x.error
          ? [engine, `error: ${x.error.slice(0, 200)}`, '', '', '', '', '', '', '']
          : [
              engine,
              f0(x.clean.eventsPerSec),
              f0(x.mixed.eventsPerSec),
              f2(x.ratio),
              f0(x.hostileRequests),
              `${f0(x.acknowledged)} / ${f0(x.stored)} ${ok(x.equal)}`,
              `${f0(x.rejected.bytesPerHostile)} B`,
              `${f0(x.rejected.rowsBefore)} → ${f0(x.rejected.rowsAfter)}`,
              `${(x.clean.phases ?? []).map(f0).join(', ')}; ${(x.mixed.phases ?? []).map(f0).join(', ')}`,
            ],
      ),
    ),
  );
  for (const [engine, x] of Object.entries(r.engines)) {
    bars.push({ bar: `hostile mix (${engine}): good traffic ≥ 0.8 of its clean rate`, figure: x.error ? 'failed' : `${f0(x.mixed.eventsPerSec)} events/s`, baseline: x.error ? '–' : `${f0(x.clean.eventsPerSec)} events/s clean`, ratio: x.error ? '–' : f2(x.ratio), met: !x.error && x.ratio >= 0.8 });
    bars.push({ bar: `hostile mix (${engine}): nothing acknowledged lost`, figure: x.error ? 'failed' : `${f0(x.stored)} stored`, baseline: x.error ? '–' : `${f0(x.acknowledged)} acknowledged`, ratio: x.error || !x.acknowledged ? '–' : f2(x.stored / x.acknowledged), met: !x.error && x.equal });
  }
  return out.join('\n\n');
}

// ---------------------------------------------------------------- poison
function poisonSection(e, run, bars) {
  const out = ['## Poison', provenance(e, run)];
  const fail = failure(e);
  if (fail || !e) return [...out, fail ?? ''].join('\n\n');
  const r = e.result;
  out.push(
    `${f0(r.events)} orders appended through the real log (groups of 50) and applied by the projector, clean and with one in every ${r.every} ` +
      'refused by the tables (a trigger refuses its SKU): the failing entry is found inside its batch (its rows, tried again in halves) and set aside with its reason, the rest applied. ' +
      `The rate runs from the first append until every answered event is applied. ${r.runs ? `Each kind in ${r.runs / 2} runs of ${f0((r.events * 2) / r.runs)} orders, each on a database of its own, in turn (clean, poisoned, poisoned, clean: a slow moment of the shared machine weighs on both alike); a kind's rate is its events over its runs' time. ` : ''}The bar is the poisoned rate at least half the clean one.`,
    table(
      ['engine', 'clean events/s', 'poisoned events/s', 'poisoned ÷ clean', 'set aside', 'stored'],
      Object.entries(r.engines).map(([engine, x]) => [engine, f0(x.clean.eventsPerSec), f0(x.poisoned.eventsPerSec), f2(x.ratio), `${f0(x.poisoned.setAside)} of ${f0(x.expectedAside)}`, f0(x.poisoned.stored)]),
    ),
  );
  for (const [engine, x] of Object.entries(r.engines)) {
    bars.push({ bar: `poison (${engine}): one bad entry in ${r.every} keeps apply ≥ ½ its clean rate`, figure: `${f0(x.poisoned.eventsPerSec)} events/s`, baseline: `${f0(x.clean.eventsPerSec)} events/s clean`, ratio: f2(x.ratio), met: x.ratio >= 0.5 && x.poisoned.setAside === x.expectedAside });
  }
  return out.join('\n\n');
}

export function renderReport({ entries, machine, run }) {
  const bars = [];
  const sections = [
    sizeSection(entries.size, run, bars),
    pageSection(entries['page-cost'], run, bars),
    ingestSection(entries.ingest, run, bars, machine),
    pgIngestSection(entries['pg-ingest'], run, bars),
    sustainedSection(entries.sustained, run, bars),
    reportsSection(entries.reports, run, bars),
    sweepSection(entries.sweep, run, bars),
    faultsSection(entries.faults, run, bars),
    hostileSection(entries.hostile, run, bars),
    poisonSection(entries.poison, run, bars),
  ];
  const m = machine;
  if (run.parts.length === run.allParts.length && !run.command.includes('--quick')) {
    const total = run.seconds + (run.buildSeconds ?? 0);
    bars.push({ bar: 'the whole `npm run bench` within 10 minutes on this machine', figure: `${f0(total)} s${run.buildSeconds != null ? ' (build included)' : ' (build not included)'}`, baseline: '600 s', ratio: f2(total / 600), met: total <= 600 });
  }
  const head = [
    '# Benchmarks',
    '_Written by `npm run bench` (`bench/run.mjs`); do not edit by hand. Every figure is compared with a baseline or bar measured or fixed in the same run._',
    table(
      ['', ''],
      [
        ['command', `\`${run.command}\` (parts: ${run.parts.join(', ')}; ${f0(run.seconds)} s${run.buildSeconds != null ? ` after a ${f0(run.buildSeconds)} s build, ${f0(run.seconds + run.buildSeconds)} s in all` : ', after the build'})`],
        ['date', `${run.id.slice(0, 16).replace('T', ' ')} UTC`],
        ['machine', `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory, load average at start ${m.loadAverage.join(' / ')}`],
        ['software', `Node ${m.node}, ${m.os}${m.sqlite ? `, SQLite ${m.sqlite}` : ''}${m.postgres ? `, PostgreSQL ${m.postgres}` : ''}${m.chromium ? `, ${m.chromium}` : ''}`],
        ['reproduce', `\`npm run bench\` (everything), or \`npm run build && node bench/run.mjs ingest\` for one part (${run.allParts.join(', ')})`],
      ],
    ),
    '## The bars',
    table(
      ['bar', 'figure', 'baseline / bar', 'ratio', 'met'],
      bars.map((b) => [b.bar, b.figure, b.baseline, b.ratio, b.met === null ? '(info)' : ok(b.met)]),
    ),
  ];
  return [...head, ...sections].join('\n\n') + '\n';
}
