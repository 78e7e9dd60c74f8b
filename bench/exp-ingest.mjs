// scratch (not committed)
import { join } from 'node:path';
import { measureLoad } from './lib/load.mjs';
import { batchFactory, WARM_CUSTOMER_ID } from './lib/events.mjs';
import { startBareServer, startCollector, stop } from './lib/proc.mjs';
import { prepareDb, removeSqlite } from './lib/collector.mjs';
import { freePort } from './lib/util.mjs';
const per = Number(process.argv[2] ?? 1);
const what = (process.argv[3] ?? 'bare,sqlite').split(',');
const f = (t) => ({ factory: batchFactory({ perRequest: per, prefix: `${t}-${Date.now().toString(36)}` }), warmFactory: batchFactory({ perRequest: per, prefix: `w${t}-${Date.now().toString(36)}`, customerId: WARM_CUSTOMER_ID }) });
for (const w of what) {
  const port = await freePort();
  let proc;
  if (w === 'bare') proc = await startBareServer(port);
  else { const db = `/tmp/exp/${w}.db`; removeSqlite(db); await prepareDb(db); proc = await startCollector({ port, db, env: { NODE_OPTIONS: process.env.XNODE ?? '', EXP: w, NOCKPT: process.env.NOCKPT ?? '', NOAPPLY: process.env.NOAPPLY ?? '', QSYNC: process.env.QSYNC ?? '' } }); }
  try { await measureLoad({ port, ...f(w), connections: 50, seconds: 5, label: w }); } finally { await stop(proc); }
}
if (process.argv[4] === 'prof') {
  const { summarizeProfile } = await import('./lib/profile.mjs');
  const { readdirSync, mkdirSync, rmSync } = await import('node:fs');
  const dir = '/tmp/exp/prof'; rmSync(dir, { recursive: true, force: true }); mkdirSync(dir);
  const port = await freePort(); const db = '/tmp/exp/p.db'; removeSqlite(db); await prepareDb(db);
  const proc = await startCollector({ port, db, cpuProfDir: dir, env: { EXP: what[0] } });
  let run; try { run = await measureLoad({ port, ...f('p'), connections: 50, seconds: 5, warmSeconds: 1, label: 'prof' }); } finally { await stop(proc); }
  const file = join(dir, readdirSync(dir)[0]);
  const s = summarizeProfile(file, { top: 30, ...run.window });
  console.log(s.totalMs, s.idleMs, s.busyMs); for (const t of s.top.slice(0, 16)) console.log(t.selfMs.toFixed(0).padStart(6), t.fn, t.location);
}
