// Group commit (ingest/group-commit.ts): requests that arrive together are written together,
// and the committer says when requests queue for their answers (ingest/saturation.ts).
import { describe, expect, it } from 'vitest';
import { GroupCommitter } from '../src/ingest/group-commit.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function committer(writeMs: number, concurrency: number) {
  const groups: number[][] = [];
  let busy = 0;
  const c = new GroupCommitter<number, number>(
    async (items) => {
      groups.push(items);
      await sleep(writeMs);
      return items.map((i) => i * 2);
    },
    concurrency,
    () => busy++,
  );
  return { c, groups, busy: () => busy };
}

/** `clients` in a closed loop for `ms`, as a load generator keeps its connections. */
async function closedLoop(c: GroupCommitter<number, number>, clients: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      while (Date.now() < until) await c.submit(i);
    }),
  );
}

describe('group commit', () => {
  it('writes the requests that arrive together in one group and answers each', async () => {
    const { c, groups } = committer(5, 1);
    expect(await Promise.all([1, 2, 3].map((i) => c.submit(i)))).toEqual([2, 4, 6]);
    expect(groups).toEqual([[1, 2, 3]]);
  });

  it('says it is busy while many requests wait for their answers', async () => {
    const { c, busy } = committer(20, 4);
    await closedLoop(c, 40, 500);
    expect(busy()).toBeGreaterThanOrEqual(2);
  });

  it('says nothing under a load whose answers come without a queue', async () => {
    const { c, busy } = committer(3, 4);
    // a few clients, and one request a millisecond from elsewhere
    const loop = closedLoop(c, 4, 500);
    const until = Date.now() + 500;
    const pending: Promise<number>[] = [];
    while (Date.now() < until) {
      pending.push(c.submit(1));
      await sleep(1);
    }
    await Promise.all([loop, ...pending]);
    expect(busy()).toBe(0);
  });
});
