// What the figures were measured on.
import { cpus, freemem, loadavg, release, totalmem, type } from 'node:os';
import { execFileSync } from 'node:child_process';
import { findChromium } from './browser.mjs';

export async function machineInfo() {
  const c = cpus();
  let sqlite = null;
  try {
    sqlite = execFileSync(process.execPath, ['-e', "const D=require('better-sqlite3');console.log(new D(':memory:').prepare('select sqlite_version() v').get().v)"], {
      encoding: 'utf8',
      cwd: new URL('../..', import.meta.url).pathname,
    }).trim();
  } catch {}
  let chromium = null;
  try {
    const p = (await findChromium()).executablePath;
    chromium = execFileSync(p, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {}
  return {
    cores: c.length,
    cpuModel: c[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    os: `${type()} ${release()}`,
    sqlite,
    chromium,
  };
}
