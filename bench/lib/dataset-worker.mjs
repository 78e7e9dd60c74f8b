// Generates a dataset in a worker thread, so SQLite's (synchronous) load runs on one core
// while the main thread feeds PostgreSQL on the other.
import { parentPort, workerData } from 'node:worker_threads';
import { reportDataset } from '../generate.mjs';

try {
  const r = await reportDataset(workerData.engine, workerData.options);
  parentPort.postMessage({ ok: true, result: r });
} catch (e) {
  parentPort.postMessage({ ok: false, error: String(e.stack ?? e) });
}
