import type { RollupOptions, Plugin } from 'rollup';
import typescript from '@rollup/plugin-typescript';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const ts = (): Plugin => typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], declaration: false, noEmitOnError: true });

// Browser builds: every byte counts (budgets in scripts/size.mjs, checked in test/size.test.ts). `_`-prefixed
// properties are internal and renamed.
const min = (preamble?: string) =>
  terser({
    ecma: 2021,
    // (inline: 1 and 3 passes: the same code as the defaults, a few bytes smaller; true and
    // false as 1 and 0: no boolean literal of ours is serialised or compared strictly)
    compress: { passes: 3, pure_getters: true, unsafe_arrows: true, hoist_funs: true, inline: 1, booleans_as_integers: true },
    mangle: { properties: { regex: /^_/ } },
    format: { comments: false, preamble },
  });

const config: RollupOptions[] = [
  {
    // Script-tag build: reads data-* config and replays the stub's queue. No "use strict"
    // banner: the modules are strict code anyway (no `with`, no sloppy-only constructs).
    input: 'src/browser.ts',
    output: {
      file: 'dist/emarsys-track.min.js',
      format: 'iife',
      strict: false,
      // V8's compile hint: every function is compiled with the script (off the main thread, as
      // the script streams in) rather than one by one on the main thread at its first call.
      // About 1.5 ms of the Thank You page's main-thread time (BENCHMARKS.md) for 29 bytes.
      plugins: [min('//# allFunctionsCalledOnLoad')],
    },
    plugins: [resolve({ browser: true }), ts()],
  },
  {
    // The dataLayer and Web Extend adapters: a second script, so the core keeps its budget.
    input: 'src/adapters/index.ts',
    output: { file: 'dist/emarsys-track-adapters.min.js', format: 'iife', strict: false, plugins: [min()] },
    plugins: [resolve({ browser: true }), ts()],
  },
  {
    // Bundler build: `import { createTracker } from 'emarsys-track'`.
    input: 'src/index.ts',
    output: { file: 'dist/emarsys-track.mjs', format: 'es' },
    plugins: [resolve({ browser: true }), ts()],
  },
  {
    // Drop-in for the Suite's legacy emstrack.js (docs/legacy.md).
    input: 'src/legacy/emstrack.ts',
    output: { file: 'dist/emstrack.js', format: 'iife', strict: false, plugins: [min()] },
    plugins: [resolve({ browser: true }), ts()],
  },
  {
    // Node helpers for shops' servers: buildPixelUrl, trackPurchase, decorateLink.
    input: 'src/server/index.ts',
    output: { file: 'dist/server.mjs', format: 'es' },
    external: [/^node:/],
    plugins: [ts()],
  },
  {
    input: 'src/protocol/index.ts',
    output: { file: 'dist/protocol.mjs', format: 'es' },
    external: [/^@sinclair\/typebox/],
    plugins: [ts()],
  },
];

export default config;
