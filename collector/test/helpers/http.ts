// Talking to a test app: ingest posts and authenticated report reads.
import type { FastifyInstance } from 'fastify';

export function postEvents(app: FastifyInstance, payload: string, contentType = 'text/plain;charset=UTF-8') {
  return app.inject({ method: 'POST', url: '/v1/events', payload, headers: { 'content-type': contentType, origin: 'https://shop.example' } });
}

export async function getJson<T = { rows: Record<string, unknown>[]; total: number; next: string | null }>(
  app: FastifyInstance,
  url: string,
  token: string,
): Promise<T> {
  const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

/** Every row of a report, following `next` cursors. */
export async function allRows(app: FastifyInstance, url: string, token: string, limit = 1000): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  const sep = url.includes('?') ? '&' : '?';
  do {
    const page: { rows: Record<string, unknown>[]; next: string | null } = await getJson(
      app,
      `${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      token,
    );
    rows.push(...page.rows);
    cursor = page.next;
  } while (cursor);
  return rows;
}
