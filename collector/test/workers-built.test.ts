// The store's threads (the SQLite queue's, PostgreSQL's projection) run compiled JavaScript (a worker cannot run the
// TypeScript sources vitest runs). The global setup rebuilds the collector whenever a source
// is newer than the build (helpers/build.ts); this holds that promise, so an edit to the
// projector can never be tested against the old code the threads would otherwise run.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_DIR, newestSource } from './helpers/build.js';

describe('the store threads under the test runner', () => {
  it('run a build at least as new as every collector source', () => {
    const store = join(COLLECTOR_DIR, 'dist', 'collector', 'src', 'store');
    for (const worker of ['queue/appender.js', 'queue/applier.js', 'log/projection-thread.js']) {
      expect(statSync(join(store, worker)).mtimeMs, `${worker} is older than the sources: the global setup must rebuild`).toBeGreaterThanOrEqual(newestSource());
    }
  });
});
