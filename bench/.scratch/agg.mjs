import { reportChunks, Aggregates, FULL } from '../generate.mjs';
const a = new Aggregates();
let t = performance.now();
for (const c of reportChunks(FULL, Date.now(), a)) {}
console.log('gen', ((performance.now() - t) / 1000).toFixed(1));
console.log('sizes', a.daily.size, a.buyerDays.size, a.campaignBuyers.size, a.totals.size);
t = performance.now();
const tb = a.tables();
console.log('tables()', ((performance.now() - t) / 1000).toFixed(1), Object.entries(tb).map(([k, v]) => `${k}=${v.rows.length}`).join(' '));
