// The store and app most suites share: opened before the suite's tests, closed after them.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { AppOptions } from '../../src/app.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore, type Engine } from './engines.js';
import { testApp, type testClock } from './fixtures.js';

export interface Suite {
  /** a migrated store on a fresh database of `engine` */
  store: Store;
  /** the store's database URL */
  url: string;
  /** an app on the store with the suite's clock and no sweep or webhook timer */
  app: FastifyInstance;
}

/** Registers the suite's beforeAll/afterAll; the fields are set once beforeAll has run. */
export function testSuite(engine: Engine, clock: ReturnType<typeof testClock>, options: Partial<AppOptions> = {}): Suite {
  let t: Awaited<ReturnType<typeof openTestStore>> | undefined;
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    t = await openTestStore(engine);
    app = await testApp(t.store, { clock: clock.clock, ...options });
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });
  return {
    get store() {
      return t!.store;
    },
    get url() {
      return t!.url;
    },
    get app() {
      return app!;
    },
  };
}
