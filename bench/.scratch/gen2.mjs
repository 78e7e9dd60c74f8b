import { reportDataset } from '../generate.mjs';
import { startPostgres } from '../lib/pg.mjs';
const ds = { orders: 200_000, carts: 60_000, campaigns: 100, days: 365, contacts: 40_000 };
const which = process.argv[2];
if (which === 'sqlite') await reportDataset('sqlite', { dataset: ds });
else { const pg = await startPostgres(); try { await reportDataset('postgres', { pg, dataset: ds }); } finally { await pg.stop(); } }
