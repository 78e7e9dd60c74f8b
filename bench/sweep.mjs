export async function runSweep() { return { skipped: 'not written yet' }; }
