import { defineConfig } from 'vitest/config';

// Two cores: files run in parallel up to that, and the slow suites (PostgreSQL, browser)
// share one engine each through global setup rather than starting their own.
export default defineConfig({
  test: {
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 120_000,
    projects: [
      {
        test: {
          name: 'sdk',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          environment: 'jsdom',
        },
      },
      {
        test: {
          name: 'collector',
          include: ['collector/test/**/*.test.ts'],
          environment: 'node',
          // one embedded PostgreSQL for the run; each test file makes its own database
          globalSetup: ['collector/test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
