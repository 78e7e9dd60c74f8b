// A worker thread of the store (the SQLite queue's append and apply threads, PostgreSQL's
// projection thread), replaced when it dies.
import { execFileSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';

/**
 * A compiled worker, by its path under store/ (`queue/applier`). Under vitest this module runs
 * from its .ts source, and the workers from the build, which the test setup keeps current
 * (DEVELOPERS.md).
 */
function workerFile(name: string): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? join(here, '..', '..', '..', 'dist', 'collector', 'src', 'store', `${name}.js`) : join(here, '..', `${name}.js`);
  if (!existsSync(file)) throw new Error(`the store's ${name} thread is not built (${file} is missing): run npm run build`);
  return file;
}

/**
 * Called in a worker: it yields the CPU to the request thread. Linux gives each thread its own
 * nice value, and its own scheduling policy: SCHED_IDLE (set with util-linux's `chrt`, which
 * Node cannot do itself) runs the thread only on a CPU nothing else wants, and never makes a
 * waking request thread wait for it, where nice 19 still takes its turns (BENCHMARKS.md, "Ingest
 * throughput": single-event ingest on SQLite answered about a fifth more requests a second).
 * Without `chrt` the thread keeps nice 19.
 */
export function lowestPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return;
    setPriority(tid, 19);
    execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5000 });
  } catch {
    // not Linux, or no chrt: the thread keeps what it got
  }
}

/**
 * Called in a worker: hands `take` the messages already queued on `port`, at once. At the lowest
 * CPU priority, under load, a thread may resume before its event loop delivers the news sent
 * meanwhile (pressure, readers, closing), and would decide by the last it had: it calls this
 * before each decision.
 */
export function takeQueued<T>(port: MessagePort, take: (m: T) => void): void {
  for (let m; (m = receiveMessageOnPort(port)); ) take(m.message as T);
}

export class Thread<In, Out> {
  private worker: Worker | null = null;
  private stopped = false;
  /** restarts in a row without a message in between: each waits twice as long (a disk that refuses) */
  private failures = 0;

  /** `died` is told why a thread stopped before `stop`; a new one starts right after (with `data()` anew). */
  constructor(
    private readonly name: string,
    private readonly data: () => unknown,
    private readonly receive: (m: Out) => void,
    private readonly died: (why: string) => void,
  ) {
    this.start();
  }

  private start(): void {
    const worker = new Worker(workerFile(this.name), { workerData: this.data() });
    worker.on('message', (m: Out) => {
      this.failures = 0;
      this.receive(m);
    });
    const restart = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.stopped) return;
      this.died(why);
      setTimeout(() => this.stopped || this.start(), Math.min(30_000, 200 * 2 ** this.failures++)).unref();
    };
    worker.on('error', (err: Error & { code?: string }) => restart(err.message || err.code || String(err)));
    worker.on('exit', (code) => restart(`exit code ${code}`));
    this.worker = worker;
  }

  /** False while the thread is being replaced (the message is not sent). */
  post(m: In): boolean {
    this.worker?.postMessage(m);
    return this.worker !== null;
  }

  /** Sends `last` and waits for the thread to exit. */
  async stop(last: In): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage(last);
    await exited;
  }
}
