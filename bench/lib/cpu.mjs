// CPU time a server process spends (all its threads, and its main thread alone), read from
// Linux's /proc: what a request costs the machine, not just its main thread.
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function fields(statPath) {
  // fields after the command name, which is in parentheses and may hold spaces
  const stat = readFileSync(statPath, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function ticks(statPath) {
  const f = fields(statPath);
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

/**
 * CPU milliseconds so far of a server made of processes (PostgreSQL: the postmaster and its
 * backends): the root, its live children, and the children it has reaped (cutime + cstime).
 */
export function treeCpuMs(rootPid) {
  try {
    const f = fields(`/proc/${rootPid}/stat`);
    let t = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    for (const child of readFileSync(`/proc/${rootPid}/task/${rootPid}/children`, 'utf8').split(' ').filter(Boolean)) {
      try {
        t += ticks(`/proc/${child}/stat`);
      } catch {
        // exited between the two reads: its time is in the root's cutime from now on
      }
    }
    return t * TICK_MS;
  } catch {
    return null;
  }
}
