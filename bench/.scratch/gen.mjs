import { reportDataset } from '../generate.mjs';
import { startPostgres } from '../lib/pg.mjs';
const which = process.argv[2];
const t = performance.now();
if (which === 'sqlite') console.log(await reportDataset('sqlite', {}));
else { const pg = await startPostgres(); try { console.log(await reportDataset('postgres', { pg })); } finally { await pg.stop(); } }
console.log('s', (performance.now() - t) / 1000, 'rss MB', process.memoryUsage().rss / 1e6);
