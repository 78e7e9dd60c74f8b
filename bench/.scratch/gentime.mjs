import { reportChunks, Daily, FULL } from '../generate.mjs';
import { copyLines } from '../lib/pg-copy.mjs';
let t = performance.now(); let n = 0;
const d = new Daily();
for (const c of reportChunks(FULL, Date.now(), d)) n += c.orders.length;
console.log('js rows', n, ((performance.now() - t) / 1000).toFixed(1), 's');
t = performance.now(); let bytes = 0;
for (const c of reportChunks({ ...FULL, orders: 200000, carts: 60000 }, Date.now(), new Daily())) bytes += copyLines(c.orders).length + copyLines(c.items).length + copyLines(c.carts).length;
console.log('copy text for 20%', ((performance.now() - t) / 1000).toFixed(1), 's', bytes);
