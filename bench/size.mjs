// SDK size: raw, gzip (level 9) and brotli (quality 11) bytes of the browser builds,
// against the size budgets (gzipped).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { ROOT } from './lib/util.mjs';

export const BUDGETS = [
  { file: 'dist/emarsys-track.min.js', budgetGzip: 3000 },
  { file: 'dist/emstrack.js', budgetGzip: 1500 },
  { file: 'dist/emarsys-track-adapters.min.js', budgetGzip: 1600 },
];

export async function runSize() {
  const rows = BUDGETS.map(({ file, budgetGzip }) => {
    const path = join(ROOT, file);
    if (!existsSync(path)) return { file, budgetGzip, missing: true };
    const buf = readFileSync(path);
    const gzip = gzipSync(buf, { level: 9 }).length;
    const brotli = brotliCompressSync(buf, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length;
    return { file, budgetGzip, raw: buf.length, gzip, brotli, ratio: gzip / budgetGzip, met: gzip <= budgetGzip };
  });
  return { rows };
}
