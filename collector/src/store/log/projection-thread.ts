// PostgreSQL's projection thread (projection.ts): its own connections, the lowest CPU
// priority, and news of its progress for the readers waiting in the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { PostgresDatabase } from '../postgres.js';
import { lowestPriority, takeQueued } from '../thread.js';
import type { FromProjection, ProjectionData, ToProjection } from './postgres-log.js';
import { ProjectionWorker } from './projection.js';

const port = parentPort!;
const post = (m: FromProjection) => port.postMessage(m);
lowestPriority();

const db = new PostgresDatabase((workerData as ProjectionData).url, { max: 2 });
const worker = new ProjectionWorker(
  db,
  (lowest, heard) => post({ type: 'progress', lowest, heard }),
  (message) => post({ type: 'failed', message }),
  () => takeQueued(port, take),
);

function take(m: ToProjection): void {
  if (m.type === 'wake') worker.wake(m.urgent, m.reader);
  else if (m.type === 'served') worker.served(m.reader);
  else if (m.type === 'busy') worker.busy();
  else
    void worker
      .close()
      .then(() => db.close())
      .finally(() => port.close());
}

port.on('message', take);
