// CPU time a server process spends (all its threads, and its main thread alone), read from
// Linux's /proc: what a request costs the machine, not just its main thread.
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function ticks(statPath) {
  // fields after the command name, which is in parentheses and may hold spaces
  const stat = readFileSync(statPath, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

/** { all, main } CPU milliseconds so far of process `pid` (or of several, summed), or null off Linux. */
export function cpuTimes(pid) {
  try {
    const out = { all: 0, main: 0 };
    for (const p of [pid].flat()) {
      out.all += ticks(`/proc/${p}/stat`) * TICK_MS;
      out.main += ticks(`/proc/${p}/task/${p}/stat`) * TICK_MS;
    }
    return out;
  } catch {
    return null;
  }
}

/** CPU spent between two readings, per request. */
export function cpuPerRequest(before, after, requests) {
  if (!before || !after || !requests) return null;
  return { allUs: ((after.all - before.all) * 1000) / requests, mainUs: ((after.main - before.main) * 1000) / requests, allMs: after.all - before.all };
}
