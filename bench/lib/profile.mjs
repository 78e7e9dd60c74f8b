// Summarises a V8 .cpuprofile (from `node --cpu-prof`) into top self-time functions and a
// breakdown by where the code lives (collector source, a dependency, Node internals, GC).
import { readFileSync } from 'node:fs';
import { ROOT } from './util.mjs';

function where(url) {
  if (!url) return 'native';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (path.includes('/collector/dist/collector/src/')) return 'collector';
  if (path.includes('/collector/dist/src/protocol/')) return 'protocol';
  return path.startsWith(ROOT) ? path.slice(ROOT.length + 1) : path;
}

function shortUrl(url) {
  if (!url) return '';
  let p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('/node_modules/');
  if (nm >= 0) return p.slice(nm + '/node_modules/'.length);
  if (p.startsWith(ROOT)) p = p.slice(ROOT.length + 1);
  return p;
}

/**
 * Reads a .cpuprofile and returns { totalMs, idleMs, busyMs, top: [...], byWhere: [...] }.
 * `fromUs`/`toUs` (process.hrtime in µs: the profile's clock) keep only that window, e.g.
 * the load, leaving out start-up and shutdown.
 */
export function summarizeProfile(file, { top = 15, fromUs = -Infinity, toUs = Infinity } = {}) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples, timeDeltas } = prof;
  let t = prof.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i];
    if (t < fromUs || t > toUs) continue;
    // timeDeltas[i] is the time before sample i; attribute the next delta to sample i.
    const dt = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const fns = new Map();
  const places = new Map();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    totalUs += us;
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idleUs += us;
      continue;
    }
    const special = name.startsWith('(') && !callFrame.url;
    const place = special ? name : where(callFrame.url);
    const key = special ? name : `${name} ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`;
    const f = fns.get(key) ?? { fn: name, location: special ? '' : `${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`, where: place, us: 0 };
    f.us += us;
    fns.set(key, f);
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const pct = (us) => (busyUs ? (100 * us) / busyUs : 0);
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: busyUs / 1000,
    samples: samples.length,
    top: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ fn: f.fn, location: f.location, where: f.where, selfMs: f.us / 1000, pctOfBusy: pct(f.us) })),
    byWhere: [...places.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([place, us]) => ({ where: place, selfMs: us / 1000, pctOfBusy: pct(us) })),
  };
}
