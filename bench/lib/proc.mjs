// Child processes: the collector (through its CLI), the bare baseline server, CLI commands.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, sleep } from './util.mjs';

const PRELOAD_EXIT = join(ROOT, 'bench', 'lib', 'exit-on-signal.mjs');

/** Spawns `node args…`, keeping the last 8 KB of its output for error messages. */
export function spawnNode(args, { env, nodeFlags = [] } = {}) {
  const child = spawn(process.execPath, [...nodeFlags, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (b) => {
    tail = (tail + b.toString()).slice(-8192);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  return { child, exited, output: () => tail };
}

/** Runs one CLI command to completion and returns its stdout. */
export function runCli(args, { env, timeoutMs = 60_000 } = {}) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) res(out);
      else rej(new Error(`emarsys-collector ${args.join(' ')} exited ${code}: ${(err || out).trim().slice(-2000)}`));
    });
  });
}

/** Polls until something answers HTTP on 127.0.0.1:port (any status). */
export async function waitForHttp(port, { timeoutMs = 30_000, proc } = {}) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  proc?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`process exited before listening on ${port}:\n${proc.output()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms${proc ? `:\n${proc.output()}` : ''}`);
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stop(proc, { graceMs = 10_000, signal = 'SIGTERM' } = {}) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return proc?.exited;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  const r = await proc.exited;
  clearTimeout(timer);
  return r;
}

export function collectorBuilt() {
  return existsSync(CLI);
}

/**
 * The bench's load comes from one address: the per-address rate limit is set out of reach
 * (its cost still paid on every request) and the per-customer one is off.
 */
const LOAD_FROM_ONE_ADDRESS = ['--rate-limit-address', '1000000000', '--rate-limit-customer', '0'];

/**
 * Starts `emarsys-collector serve` on 127.0.0.1:port against `db` (a SQLite path or a
 * postgres:// URL) and waits until it answers. `cpuProfDir` runs it under `node --cpu-prof`.
 */
export async function startCollector({ port, db, abandonAfter, cpuProfDir, env } = {}) {
  const args = [CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', '--db', db, ...LOAD_FROM_ONE_ADDRESS];
  if (abandonAfter) args.push('--abandon-after', abandonAfter);
  const nodeFlags = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir, '--import', PRELOAD_EXIT] : [];
  const proc = spawnNode(args, { env, nodeFlags });
  await waitForHttp(port, { proc });
  return proc;
}

/** The baseline: a bare node:http server that reads the body and answers 204. */
export async function startBareServer(port) {
  const proc = spawnNode([join(ROOT, 'bench', 'lib', 'bare-server.mjs'), String(port)]);
  await waitForHttp(port, { proc });
  return proc;
}
