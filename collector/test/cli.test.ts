// The real bin as a child process against a temporary SQLite file (docs/collector.md, "CLI").
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { openStore } from '../src/store/store.js';
import { BIN, requireBuilt } from './helpers/build.js';
import { batch, order } from './helpers/fixtures.js';

let dir: string;
let db: string;

/** The real bin, as a child process. */
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, cwd: dir, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The same CLI in this process (for the many argument errors: no process start each). */
async function runHere(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`), env: { DATABASE_URL: '' } });
  return { code, out, err };
}

beforeAll(async () => {
  requireBuilt();
  dir = await mkdtemp(join(tmpdir(), 'emarsys-cli-'));
  db = join(dir, 'cli.db');
}, 120_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('emarsys-collector', () => {
  it('adds a customer, and refuses it twice or with bad values', async () => {
    expect(run('customers', 'add', '112734771', '--name', 'Demo Shop', '--currency', 'HUF', '--db', db)).toEqual({
      code: 0,
      out: 'customer 112734771 added: "Demo Shop", HUF\n',
      err: '',
    });
    const again = run('customers', 'add', '112734771', '--db', db);
    expect(again.code).toBe(1);
    expect(again.err).toBe('error: customer 112734771 already exists\n');
    const bad = await runHere('customers', 'add', '1 2', '--db', db);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('error: customerId: must be 1 to 64 letters, digits, "_" or "-" (got "1 2")');
    expect(bad.err).toContain('usage: emarsys-collector customers add <customerId>');
    expect((await runHere('customers', 'add', '9', '--currency', 'euro', '--db', db)).err).toContain('--currency: must be an ISO 4217 code such as EUR (got "euro")');
    expect((await runHere('customers', 'add', '9', '--abandon-after', '30', '--db', db)).err).toContain('--abandon-after: "30" is not a duration');
    expect((await runHere('customers', 'add', '9', '--colour', 'red', '--db', db)).err).toContain("error: Unknown option '--colour'");
  });

  it('sets a customer\'s maximum order value, attribution window and timeout, and refuses bad values', async () => {
    expect(run('customers', 'add', 'capped', '--max-order-value', '5000', '--db', db)).toMatchObject({ code: 0, out: 'customer capped added: "Customer capped", EUR, maximum order value 5000\n' });
    const set = await runHere('customers', 'set', 'capped', '--max-order-value', '250', '--attribution-days', '7', '--abandon-after', '2d', '--db', db);
    expect(set).toEqual({
      code: 0,
      out: 'customer capped: maximum order value 250 EUR, attribution window 7 days, carts abandoned after 172800 s (a running collector applies it within a minute)\n',
      err: '',
    });
    const store = await openStore(db);
    try {
      expect(await store.customers.get('capped')).toMatchObject({ maxOrderValue: 250, attributionDays: 7, abandonAfterSeconds: 172_800 });
    } finally {
      await store.close();
    }
    const err = async (...args: string[]) => (await runHere('customers', 'set', ...args, '--db', db)).err;
    expect(await err('capped')).toContain('error: give at least one of --max-order-value, --attribution-days, --abandon-after');
    expect(await err('capped', '--max-order-value', '0')).toContain('--max-order-value: must be a whole number from 1 to 10000000 (got "0")');
    expect(await err('capped', '--max-order-value', '99999999')).toContain('from 1 to 10000000 (got "99999999")');
    expect(await err('capped', '--attribution-days', '1.5')).toContain('--attribution-days: must be a whole number from 1 to 365 (got "1.5")');
    expect(await err('nobody', '--attribution-days', '3')).toContain('error: customerId: customer nobody does not exist');
    expect((await runHere('serve', '--keep-rejected', '30', '--db', db)).err).toContain('--keep-rejected: "30" is not a duration');
    expect((await runHere('serve', '--rate-limit-address', 'many', '--db', db)).err).toContain('--rate-limit-address: must be a whole number from 0 to 1000000000 (got "many")');
  });

  it('adds users: a generated password, and the token on a line of its own', async () => {
    const r = run('users', 'add', 'Ada@Example.com', '--customer', '112734771', '--role', 'ecommerce-admin', '--db', db);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('user ada@example.com (ecommerce-admin) added to customer 112734771');
    expect(lines[1]).toMatch(/^password: [A-Za-z0-9_-]{20}$/);
    expect(lines[2]).toMatch(/^token: et_112734771_[0-9a-f]{64}$/);
    const given = run('users', 'add', 'bob@example.com', '--customer', '112734771', '--role', 'admin', '--password', 'long enough pw', '--db', db);
    expect(given.out).not.toContain('password:');
    expect(given.out).toMatch(/\ntoken: et_112734771_[0-9a-f]{64}\n$/);
    // the printed password and token really work
    const store = await openStore(db);
    try {
      const { AuthService } = await import('../src/auth/service.js');
      const auth = new AuthService(store, Date.now);
      const token = lines[2].slice('token: '.length);
      expect((await auth.identify(`Bearer ${token}`, undefined))?.user.email).toBe('ada@example.com');
      await expect(auth.login('112734771', 'ada@example.com', lines[1].slice('password: '.length), '127.0.0.1')).resolves.toMatchObject({ user: { role: 'ecommerce-admin' } });
    } finally {
      await store.close();
    }
    expect((await runHere('users', 'add', 'ada@example.com', '--customer', '112734771', '--role', 'admin', '--db', db)).err).toBe(
      'error: user ada@example.com already exists for customer 112734771\n',
    );
    expect(await runHere('users', 'add', 'x@example.com', '--customer', '404', '--role', 'admin', '--db', db)).toMatchObject({ code: 1, err: expect.stringContaining('customer 404 does not exist') });
    expect(await runHere('users', 'add', 'x@example.com', '--customer', '112734771', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('--role: is required') });
    expect((await runHere('users', 'add', 'nobody', '--customer', '112734771', '--role', 'admin', '--db', db)).err).toContain('email: must be an email address (got "nobody")');
  });

  it("manages users and tokens: list, set-role, tokens create/list/revoke, set-password and remove end the user's access", async () => {
    const ada = run('users', 'add', 'carol@example.com', '--customer', '112734771', '--role', 'ecommerce-admin', '--password', 'carol password', '--db', db);
    const firstToken = ada.out.trimEnd().split('\n')[1].slice('token: '.length);
    const list = run('users', 'list', '--customer', '112734771', '--db', db);
    expect(list.code).toBe(0);
    const rows = list.out.trimEnd().split('\n');
    expect(rows[0]).toBe('email\trole\tcreated');
    expect(rows.slice(1).map((r) => r.split('\t').slice(0, 2).join(' '))).toEqual(['ada@example.com ecommerce-admin', 'bob@example.com admin', 'carol@example.com ecommerce-admin']);
    expect(run('users', 'set-role', 'Carol@example.com', '--customer', '112734771', '--role', 'admin', '--db', db)).toEqual({
      code: 0,
      out: 'user carol@example.com of customer 112734771 is now admin\n',
      err: '',
    });

    const created = run('tokens', 'create', 'carol@example.com', '--customer', '112734771', '--expires', '90d', '--db', db);
    expect(created.code).toBe(0);
    const [about, tokenLine] = created.out.trimEnd().split('\n');
    expect(about).toMatch(/^token [0-9a-f]{16} for carol@example.com of customer 112734771, expires \d{4}-\d\d-\d\dT/);
    expect(tokenLine).toMatch(/^token: et_112734771_[0-9a-f]{64}$/);
    const id = about.split(' ')[1];
    const tokens = run('tokens', 'list', '--customer', '112734771', '--db', db);
    const tokenRows = tokens.out.trimEnd().split('\n');
    expect(tokenRows[0]).toBe('id\tuser\tcreated\texpires\tlast used');
    expect(tokenRows).toHaveLength(5);
    expect(tokenRows.find((r) => r.startsWith(id))).toMatch(new RegExp(`^${id}\tcarol@example.com\t\\S+\t\\d{4}-\\S+\t-$`));
    expect(tokens.out).not.toContain('et_112734771_');
    expect(run('tokens', 'revoke', id, '--customer', '112734771', '--db', db)).toEqual({ code: 0, out: `token ${id} of customer 112734771 revoked\n`, err: '' });
    expect(run('tokens', 'revoke', id, '--customer', '112734771', '--db', db)).toMatchObject({ code: 1, err: `error: tokenId: customer 112734771 has no token ${id}\n` });
    expect((await runHere('tokens', 'create', 'carol@example.com', '--customer', '112734771', '--expires', 'soon', '--db', db)).err).toContain('--expires: "soon" is not a duration');

    const store = await openStore(db);
    const { AuthService } = await import('../src/auth/service.js');
    const auth = new AuthService(store, Date.now);
    try {
      const { session } = await auth.login('112734771', 'carol@example.com', 'carol password', '127.0.0.1');
      const generated = run('users', 'set-password', 'carol@example.com', '--customer', '112734771', '--db', db);
      expect(generated.code).toBe(0);
      const [said, passwordLine] = generated.out.trimEnd().split('\n');
      expect(said).toBe('password of carol@example.com changed; its sessions and tokens no longer work');
      expect(passwordLine).toMatch(/^password: [A-Za-z0-9_-]{20}$/);
      expect(await auth.identify(undefined, session)).toBeUndefined();
      expect(await auth.identify(`Bearer ${firstToken}`, undefined)).toBeUndefined();
      await expect(auth.login('112734771', 'carol@example.com', passwordLine.slice('password: '.length), '127.0.0.1')).resolves.toMatchObject({ user: { role: 'admin' } });
      expect(run('users', 'set-password', 'carol@example.com', '--customer', '112734771', '--password', 'chosen password', '--db', db).out).not.toContain('password:');

      const { session: again } = await auth.login('112734771', 'carol@example.com', 'chosen password', '127.0.0.1');
      expect(run('users', 'remove', 'carol@example.com', '--customer', '112734771', '--db', db)).toEqual({
        code: 0,
        out: 'user carol@example.com removed from customer 112734771; its sessions and tokens no longer work\n',
        err: '',
      });
      expect(await auth.identify(undefined, again)).toBeUndefined();
    } finally {
      await store.close();
    }
    expect(await runHere('users', 'remove', 'carol@example.com', '--customer', '112734771', '--db', db)).toMatchObject({
      code: 1,
      err: 'error: email: customer 112734771 has no user carol@example.com\n',
    });
    expect(await runHere('users', 'set-role', 'ada@example.com', '--customer', '112734771', '--role', 'root', '--db', db)).toMatchObject({
      code: 2,
      err: expect.stringContaining('--role: must be ecommerce-admin or admin (got "root")'),
    });
    expect((await runHere('users', 'list', '--customer', '404', '--db', db)).err).toContain('customer 404 does not exist');
  });

  it('imports campaigns and contacts, or nothing when a line is bad', async () => {
    const campaigns = join(dir, 'campaigns.csv');
    await writeFile(campaigns, 'campaignId,name\n5521,"Spring Sale, 2025"\n5522,Newsletter\n');
    expect(run('import', 'campaigns', campaigns, '--customer', '112734771', '--db', db)).toEqual({ code: 0, out: 'imported 2 campaigns for customer 112734771\n', err: '' });
    const contacts = join(dir, 'contacts.csv');
    await writeFile(contacts, 'contactUid,email\nu1,ada@example.com\nu2,broken\n');
    const bad = run('import', 'contacts', contacts, '--customer', '112734771', '--db', db);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(`${contacts}: line 3: email: must be an email address\nnothing imported: fix the lines above and import again\n`);
    expect((await runHere('import', 'contacts', join(dir, 'missing.csv'), '--customer', '112734771', '--db', db)).err).toContain('file: cannot read');
    expect(await runHere('import', 'people', contacts, '--customer', '112734771', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "import people"') });
    // Excel's "CSV" is windows-1252: refused, naming the line, not stored garbled
    const latin1 = join(dir, 'latin1.csv');
    await writeFile(latin1, Buffer.from('campaignId,name\n5523,Caf\xe9 Week\n', 'latin1'));
    expect(await runHere('import', 'campaigns', latin1, '--customer', '112734771', '--db', db)).toMatchObject({
      code: 1,
      err: expect.stringContaining(`${latin1}: line 2: is not UTF-8 text; save the file as "CSV UTF-8"`),
    });
    const store = await openStore(db);
    try {
      expect(await store.reports.campaigns('112734771')).toEqual([
        { campaignId: '5521', name: 'Spring Sale, 2025' },
        { campaignId: '5522', name: 'Newsletter' },
      ]);
      expect(await store.db.all('SELECT contact_uid FROM contacts')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('lists rejected events, with a customer or all of them', async () => {
    expect(run('rejected', 'list', '--db', db).out).toBe('no rejected events\n');
    const { buildApp } = await import('../src/app.js');
    const app = await buildApp({ db, sweepIntervalMs: 0 });
    await app.inject({ method: 'POST', url: '/v1/events', payload: batch('112734771', [order(), { city: 'a\u0007b', ...order() }]) });
    await app.inject({ method: 'POST', url: '/v1/events', payload: batch('nobody', [order()]) });
    await app.close();
    const all = run('rejected', 'list', '--db', db);
    expect(all.code).toBe(0);
    const lines = all.out.trimEnd().split('\n');
    expect(lines[0]).toBe('last seen\tcount\tcustomer\tclaimed\tsource\treason\traw');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[^\t]+\t1\t-\tnobody\tsdk\tcustomerId: unknown customer "nobody"\t\{"v":1/);
    expect(lines[2]).toMatch(/\t1\t112734771\t-\tsdk\tevents\[1\]\.city: must not contain control characters\t\{/);
    expect(lines[2]).toContain('\t{"city":"a\\u0007b","type":"order"');
    const mine = await runHere('rejected', 'list', '--customer', '112734771', '--db', db);
    expect(mine.out.trimEnd().split('\n')).toHaveLength(2);
    expect((await runHere('rejected', 'list', '--customer', '-', '--db', db)).out).toContain('unknown customer "nobody"');
  });

  it('takes DATABASE_URL where --db is not given', () => {
    const r = spawnSync(process.execPath, [BIN, 'rejected', 'list', '--customer', '112734771'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: db }, cwd: dir });
    expect(r.stdout.split('\n')[0]).toBe('last seen\tcount\tcustomer\tclaimed\tsource\treason\traw');
    const users = spawnSync(process.execPath, [BIN, 'users', 'list', '--customer', '112734771'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: db }, cwd: dir });
    expect(users.stdout.split('\n')[0]).toBe('email\trole\tcreated');
  });

  it('prints usage for no or unknown commands, with exit code 2', async () => {
    const none = run();
    expect(none.code).toBe(2);
    expect(none.err).toContain('error: no command given');
    expect(none.err).toContain('emarsys-collector users add <email> --customer <customerId> --role ecommerce-admin|admin [--password P]');
    expect((await runHere('help')).code).toBe(0);
    expect(await runHere('frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('error: unknown command "frobnicate"') });
    expect(await runHere('rejected', 'list', 'extra', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('unexpected argument "extra"') });
    expect(await runHere('serve', '--port', 'eighty')).toMatchObject({ code: 2, err: expect.stringContaining('--port: must be a number from 0 to 65535') });
    expect(await runHere('rejected', 'list', '--db', '')).toMatchObject({ code: 2, err: expect.stringContaining('--db: must not be empty') });
    expect(await runHere('rejected', 'list', '--db', 'http://x')).toMatchObject({ code: 2, err: expect.stringContaining('--db: unsupported URL "http://"') });
    expect(await runHere('rejected', 'list', '--db', 'postgres://bad url')).toMatchObject({ code: 2, err: expect.stringContaining('--db: is not a valid postgres:// URL') });
  });

  it('says why a PostgreSQL database could not be reached (a wrong port reads as refused), with exit code 1', async () => {
    const r = await runHere('users', 'list', '--customer', '1', '--db', 'postgres://u:p@127.0.0.1:1/x');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: database: not reachable right now .*\(connect ECONNREFUSED 127\.0\.0\.1:1\)/);
  }, 30_000);

  it('decorates an email link through the real bin, keeping its query and fragment', async () => {
    expect(run('links', 'decorate', 'https://shop.example.com/p/drill?color=red&emst=OLD.x#reviews', '--campaign', '5521', '--contact', 'UID9', '--link', '7')).toEqual({
      code: 0,
      out: 'https://shop.example.com/p/drill?color=red&emst=5521.UID9&sc_src=email_5521&sc_uid=UID9&sc_lid=7#reviews\n',
      err: '',
    });
    expect(run('links', 'decorate', 'http://shop.example.com/', '--campaign', 'C 1', '--contact', 'ü/1&x').out).toBe(
      'http://shop.example.com/?emst=C%201.%C3%BC%2F1%26x&sc_src=email_C%201&sc_uid=%C3%BC%2F1%26x\n',
    );
    const cases: [string[], string][] = [
      [['shop.example.com', '--campaign', '1', '--contact', 'u'], 'error: url: "shop.example.com" is not an absolute URL'],
      [['mailto:a@example.com', '--campaign', '1', '--contact', 'u'], 'error: url: "mailto:a@example.com" is not an http(s) link'],
      [['https://s.example/', '--campaign', '55.21', '--contact', 'u'], 'error: --campaign: "55.21" may not contain a dot'],
      [['https://s.example/', '--campaign', '1'], 'error: --contact: is required'],
      [['https://s.example/', '--campaign', '1', '--contact', 'u', '--link', ''], 'error: --link: must be a non-empty string'],
      [['--campaign', '1', '--contact', 'u'], 'error: url: is required'],
    ];
    for (const [args, message] of cases) {
      const r = await runHere('links', 'decorate', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toBe(`${message}\nusage: emarsys-collector links decorate <url> --campaign <campaignId> --contact <contactUid> [--link <linkId>]\n`);
    }
  });

  it('says when serve migrated the database schema, and not when it was up to date', async () => {
    const fresh = join(dir, 'fresh.db');
    const firstLines = async () => {
      const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', fresh], { cwd: dir, env: { ...process.env, DATABASE_URL: '' } });
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (d: Buffer) => {
          text += d.toString();
          if (/listening on/.test(text)) resolve(text);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${text}`)));
      });
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      return out;
    };
    expect(await firstLines()).toMatch(/^emarsys-collector: the database schema was migrated \(applied versions 1, 2, [0-9, ]+\)\n/);
    expect(await firstLines()).toMatch(/^emarsys-collector listening on /);
  }, 30_000);

  it('serves until SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--abandon-after', '90s', '--trust-proxy'], { cwd: dir, env: { ...process.env, DATABASE_URL: '' } });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    });
    try {
      const res = await fetch(`${url}/v1/events`, { method: 'POST', body: batch('112734771', [order({ orderId: 'VIA-SERVE' })]) });
      expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      // --trust-proxy: the scheme and host the proxy names make the dashboard's origin
      const logout = await fetch(`${url}/api/v1/session`, {
        method: 'DELETE',
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'collector.example.com', cookie: `__Host-et_session=112734771.${'0'.repeat(64)}`, origin: 'https://collector.example.com' },
      });
      expect(logout.status).toBe(204);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
