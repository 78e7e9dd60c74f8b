// `npm run size`: raw, gzip and brotli bytes of the browser bundles, against the gzip
// budgets below. Exits 1 when a bundle is over budget. test/size.test.ts holds the same
// budgets over the built files.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Gzipped bytes allowed, by file under the repository root. */
export const BUDGETS = { 'dist/emarsys-track.min.js': 3000, 'dist/emstrack.js': 1500, 'dist/emarsys-track-adapters.min.js': 1600 };

/** Sizes of a file's bytes: gzip at level 9 (as `gzip -9`), brotli at its best quality. */
export function measure(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

export const pathOf = (file) => resolve(dirname(fileURLToPath(import.meta.url)), '..', file);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let over = false;
  for (const [file, budget] of Object.entries(BUDGETS)) {
    if (!existsSync(pathOf(file))) {
      console.log(`${file}: not built, skipped (npm run build:sdk builds it)`);
      continue;
    }
    const { raw, gzip, brotli } = measure(readFileSync(pathOf(file)));
    const verdict = gzip <= budget ? `${budget - gzip} under` : `${gzip - budget} OVER`;
    over ||= gzip > budget;
    console.log(`${file}: ${raw} B raw, ${gzip} B gzip (budget ${budget}: ${verdict}), ${brotli} B brotli`);
  }
  process.exitCode = over ? 1 : 0;
}
