// The store's background thread (SQLite's apply thread, PostgreSQL's projection thread) yields
// the CPU to requests: on Linux it runs at nice 19 under SCHED_IDLE (set with `chrt`), and
// nothing else of the collector does (the append thread answers requests: it keeps its turn).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.js';
import { ENGINES, createTestDatabase, type TestDatabase } from './helpers/engines.js';

const SCHED_IDLE = 5;

const hasChrt = (() => {
  try {
    execFileSync('chrt', ['--help'], { stdio: 'ignore' });
    return existsSync('/proc/thread-self');
  } catch {
    return false;
  }
})();

/** This process's threads: scheduling policy and nice value, from /proc. */
function threads(): { tid: number; policy: number; nice: number }[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const policy = Number(/^policy\s*:\s*(\d+)/m.exec(readFileSync(`/proc/self/task/${tid}/sched`, 'utf8'))![1]);
      // fields after the command name, which is in parentheses and may hold spaces: nice is the 19th field
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      return [{ tid: Number(tid), policy, nice }];
    } catch {
      return []; // a thread that ended meanwhile
    }
  });
}

async function idleThreads(): Promise<{ tid: number; policy: number; nice: number }[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const idle = threads().filter((t) => t.policy === SCHED_IDLE);
    if (idle.length || Date.now() > deadline) return idle;
    await new Promise((r) => setTimeout(r, 50));
  }
}

let test: TestDatabase | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  await test?.drop();
  store = test = undefined;
});

describe.skipIf(!hasChrt).each(ENGINES)('the background thread on %s', (engine) => {
  it('runs at nice 19 under SCHED_IDLE, and is the only thread that does', async () => {
    test = await createTestDatabase(engine);
    store = await openStore(test.url);
    const idle = await idleThreads();
    expect(idle).toHaveLength(1);
    expect(idle[0].nice).toBe(19);
    // the test's own thread (the request thread of a collector) keeps its turn
    expect(readFileSync('/proc/thread-self/sched', 'utf8')).toMatch(/^policy\s*:\s*0$/m);
  });
});
