export async function runReports() { return { skipped: 'not written yet' }; }
