// The HTTP API's OpenAPI document (/api/openapi.json) is generated from the routes' own
// schemas: every route docs/http-api.md documents is in it, with its request body and its
// answers, so a client generated from it covers the whole API.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openTestStore } from './helpers/engines.js';
import { testApp } from './helpers/fixtures.js';

interface Operation {
  requestBody?: unknown;
  responses?: Record<string, unknown>;
  parameters?: { name: string; in: string }[];
}

/** `| \`METHOD path\` | request | …` rows of docs/http-api.md, as OpenAPI paths. */
function documentedRoutes(): { method: string; path: string; takesBody: boolean }[] {
  const text = readFileSync(join(__dirname, '..', '..', 'docs', 'http-api.md'), 'utf8');
  return [...text.matchAll(/^\| `(GET|POST|PUT|DELETE) ([^`?]+)[^`]*` \|([^|\n]*)\|(?:([^|\n]*)\|)?/gm)].map((m) => {
    const raw = m[2].trim();
    const absolute = /^\/(api|v1|upages)\//.test(raw) ? raw : `/api/v1/customers/:customerId/${raw.replace(/^\//, '')}`;
    // the request column; the advanced API's table has the roles first
    const request = /^\s*`?(admin|ecommerce-admin)/.test(m[3]) ? (m[4] ?? '') : m[3];
    const method = m[1].toLowerCase();
    return { method, path: absolute.replace(/:([A-Za-z]+)/g, '{$1}'), takesBody: method !== 'get' && /^\s*(`\{|\{|a `Batch`)/.test(request) };
  });
}

describe('the OpenAPI document', () => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let app: FastifyInstance;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    t = await openTestStore('sqlite');
    app = await testApp(t.store);
    const res = await app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it("documents every error code the collector answers in docs/http-api.md's error table", () => {
    const src = join(__dirname, '..', 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('cli.ts'));
    const codes = new Set<string>();
    for (const f of files) {
      const text = readFileSync(join(src, f), 'utf8');
      for (const m of text.matchAll(/(?:HttpError\(|super\(|\[)\d{3}, '([a-z_]+)'/g)) codes.add(m[1]);
    }
    expect(codes.size).toBeGreaterThan(12);
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'http-api.md'), 'utf8');
    const table = new Set([...doc.matchAll(/^\| \d{3} \| ([^|]+)\|/gm)].flatMap((m) => [...m[1].matchAll(/`([a-z_]+)`/g)].map((c) => c[1])));
    expect([...codes].filter((c) => !table.has(c)).sort()).toEqual([]);
  });

  it("names each route's real parameters, each with a schema object", () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const p of op.parameters ?? []) expect(typeof (p as { schema?: unknown }).schema, `${method} ${path} ${p.name}`).toBe('object');
      }
    }
    const names = (path: string) => (doc.paths[path].get.parameters ?? []).map((p) => p.name);
    expect(names('/v1/pixel.gif')).toEqual(['customerId', 'e']);
    expect(names('/upages/ti.php')).toEqual(expect.arrayContaining(['ems_customer', 'order', 'total', 'code[]', 'price[]', 'quantity[]']));
  });

  it('is OpenAPI 3.1 with the credentials the API takes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/customers/{customerId}/orders'].get).toMatchObject({ security: [{ token: [] }, { session: [] }] });
  });

  it('has every route docs/http-api.md documents, with its body and its answers', () => {
    const routes = documentedRoutes();
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes.filter((r) => !doc.paths[r.path]?.[r.method]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
    for (const r of routes) {
      const op = doc.paths[r.path][r.method];
      expect(Object.keys(op.responses ?? {}).some((code) => /^2/.test(code)), `${r.method} ${r.path} answers`).toBe(true);
      if (r.takesBody) expect(op.requestBody, `${r.method} ${r.path} body`).toBeDefined();
    }
  });

  it('documents no route that does not exist, and no static file', () => {
    const routes = new Set(documentedRoutes().map((r) => `${r.method} ${r.path}`));
    const undocumented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).filter((k) => !routes.has(k));
    expect(undocumented).toEqual([]);
  });
});
