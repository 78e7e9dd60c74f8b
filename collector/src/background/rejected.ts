// Deletes rejected events not seen again for `keepMs` (`serve --keep-rejected`, default 30
// days), so the rejected-events table stays bounded however long refused traffic goes on.
import { periodic, type Periodic } from './periodic.js';
import type { Store } from '../store/store.js';

/** `runOnce()` answers how many rejections it deleted. */
export type RejectedPurge = Periodic<number>;

declare module 'fastify' {
  interface FastifyInstance {
    rejectedPurge: RejectedPurge;
  }
}

export interface RejectedPurgeOptions {
  store: Store;
  clock: () => number;
  keepMs: number;
  /** 0 disables the timer */
  intervalMs: number;
  onError?: (err: unknown) => void;
}

export function createRejectedPurge(o: RejectedPurgeOptions): RejectedPurge {
  return periodic(() => o.store.rejected.deleteSeenBefore(o.clock() - o.keepMs), o.intervalMs, o.onError);
}
