// emarsys-collector: the collector's command line (docs/collector.md, "CLI"). Each command parses its own
// options with node:util parseArgs; bad arguments print the reason and the usage (exit 2),
// failures print the reason (exit 1).
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pathToFileURL } from 'node:url';
import { CURRENCY_PATTERN } from '../../src/protocol/index.js';
import { CUSTOMER_ID_PATTERN, EMAIL_PATTERN, TEXT_PATTERN } from '../../src/protocol/constants.js';
import { decorateLink } from '../../src/server/decorate-link.js';
import { AuthService } from './auth/service.js';
import { DEFAULT_ABANDON_AFTER_MINUTES, DEFAULT_HOST, DEFAULT_KEEP_REJECTED_MS, DEFAULT_PORT, parseDatabaseTarget, parseDuration, resolveDatabase } from './config.js';
import { importDirectoryCsv } from './directory/service.js';
import { DatabaseUnavailableError, HttpError } from './errors.js';
import { DEFAULT_INGEST_RATE_LIMITS } from './ingest/limits.js';
import { MAX_ORDER_VALUE_CEILING } from './store/customers.js';
import { openStore, type Store } from './store/store.js';
import { ROLES, type Role } from './store/types.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

/** A bad command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  usage: string;
  summary: string;
  options: Options;
  /** names of the positional arguments, in order */
  args: string[];
  /** runs the command; resolves to the exit code (serve/demo resolve once the server stops) */
  run(values: Values, args: string[], io: Io): Promise<number>;
}

const DB_OPTION: Options = { db: { type: 'string' } };
const CUSTOMER_ID = new RegExp(CUSTOMER_ID_PATTERN);

function need(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name}: is required`);
  return v;
}

function customerIdOf(value: string, field = '--customer'): string {
  if (!CUSTOMER_ID.test(value)) throw new UsageError(`${field}: must be 1 to 64 letters, digits, "_" or "-" (got ${JSON.stringify(value)})`);
  return value;
}

/** A whole number option from `min` to `max`, or undefined when not given. */
function wholeOf(values: Values, name: string, min: number, max: number): number | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  if (!/^[0-9]{1,10}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name}: must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  }
  return Number(v);
}

const maxOrderValueOf = (values: Values) => wholeOf(values, 'max-order-value', 1, MAX_ORDER_VALUE_CEILING);
const attributionDaysOf = (values: Values) => wholeOf(values, 'attribution-days', 1, 365);

/** `--abandon-after` in seconds, or undefined when not given. */
function abandonAfterOf(values: Values): number | undefined {
  const after = values['abandon-after'];
  return typeof after === 'string' ? Math.round(parseDurationArg(after) / 1000) : undefined;
}

const CUSTOMER_LIMIT_OPTIONS: Options = { 'max-order-value': { type: 'string' }, 'abandon-after': { type: 'string' } };

function emailOf(value: string): string {
  if (value.length > 254 || !new RegExp(EMAIL_PATTERN).test(value)) throw new UsageError(`email: must be an email address (got ${JSON.stringify(value)})`);
  return value;
}

function roleOf(values: Values): Role {
  const role = need(values, 'role');
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role: must be ${ROLES.join(' or ')} (got ${JSON.stringify(role)})`);
  return role as Role;
}

function passwordOf(values: Values): string | undefined {
  const password = values.password as string | undefined;
  if (password !== undefined && (password.length < 8 || password.length > 1024)) throw new UsageError('--password: must be 8 to 1024 characters');
  return password;
}

/** Runs `fn` with an AuthService on the store of --db, once the customer is known to exist. */
function withAuth<T>(values: Values, io: Io, customerId: string, fn: (auth: AuthService) => Promise<T>): Promise<T> {
  return withStore(values, io, async (store) => {
    await requireCustomer(store, customerId);
    return fn(new AuthService(store, Date.now));
  });
}

const date = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

function portOf(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`--port: must be a number from 0 to 65535 (got ${JSON.stringify(value)})`);
  return Number(value);
}

/** `--db` (or DATABASE_URL, else the default file); one that names no database is a usage error. */
function databaseOf(values: Values, io: Io): string {
  const target = resolveDatabase(values.db as string | undefined, io.env);
  try {
    parseDatabaseTarget(target);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return target;
}

async function withStore<T>(values: Values, io: Io, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseOf(values, io));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `field`: how the command took the ID (the --customer flag, or `customerId` for `customers set <customerId>`). */
async function requireCustomer(store: Store, customerId: string, field = '--customer'): Promise<void> {
  if (!(await store.customers.get(customerId))) {
    throw new HttpError(404, 'unknown_customer', `${field}: customer ${customerId} does not exist (add it with "emarsys-collector customers add ${customerId}")`);
  }
}

/** Runs until SIGINT/SIGTERM, then closes the server (accepted writes are committed first). */
function untilSignal(close: () => Promise<void>, io: Io): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      io.err(`${signal}: stopping`);
      close().then(
        () => resolve(0),
        (err: unknown) => {
          io.err(`error while stopping: ${(err as Error).message}`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/** JSON log lines on stderr (stdout carries the command's own output). */
function logger(io: Io) {
  return { level: io.env.LOG_LEVEL ?? 'warn', stream: process.stderr };
}

const COMMANDS: Record<string, Command> = {
  serve: {
    usage:
      'emarsys-collector serve [--port 8080] [--host 127.0.0.1] [--db PATH|postgres://…] [--abandon-after 30m] [--trust-proxy] [--allow-private-webhooks] [--keep-rejected 30d] [--rate-limit-address 3000] [--rate-limit-customer 6000]',
    summary: 'run the collector',
    options: {
      ...DB_OPTION,
      port: { type: 'string' },
      host: { type: 'string' },
      'abandon-after': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      'allow-private-webhooks': { type: 'boolean' },
      'keep-rejected': { type: 'string' },
      'rate-limit-address': { type: 'string' },
      'rate-limit-customer': { type: 'string' },
    },
    args: [],
    async run(values, _args, io) {
      const after = values['abandon-after'];
      const abandonAfterMinutes = typeof after === 'string' ? parseDurationArg(after) / 60_000 : DEFAULT_ABANDON_AFTER_MINUTES;
      const keep = values['keep-rejected'];
      const keepRejectedMs = typeof keep === 'string' ? parseDurationArg(keep, '--keep-rejected') : DEFAULT_KEEP_REJECTED_MS;
      const rateLimits = {
        perAddress: wholeOf(values, 'rate-limit-address', 0, 1_000_000_000) ?? DEFAULT_INGEST_RATE_LIMITS.perAddress,
        perCustomer: wholeOf(values, 'rate-limit-customer', 0, 1_000_000_000) ?? DEFAULT_INGEST_RATE_LIMITS.perCustomer,
      };
      const port = portOf(values.port as string | undefined, DEFAULT_PORT);
      const host = (values.host as string | undefined) ?? DEFAULT_HOST;
      const db = databaseOf(values, io);
      const { startServer } = await import('./server.js');
      // behind a reverse proxy: client address and scheme from X-Forwarded-* (the Secure cookie, login throttling, ingest rate limits)
      const trustProxy = values['trust-proxy'] === true;
      const allowPrivateWebhooks = values['allow-private-webhooks'] === true;
      const server = await startServer({ db, port, host, abandonAfterMinutes, trustProxy, allowPrivateWebhooks, keepRejectedMs, rateLimits, logger: logger(io) });
      const migrated = server.app.store.migrated ?? [];
      if (migrated.length) io.out(`emarsys-collector: the database schema was migrated (applied version${migrated.length > 1 ? 's' : ''} ${migrated.join(', ')})`);
      io.out(`emarsys-collector listening on ${server.url} (${server.app.store.description}, carts abandoned after ${abandonAfterMinutes} min)`);
      return untilSignal(server.close, io);
    },
  },

  demo: {
    usage: 'emarsys-collector demo [--port 8080] [--host localhost] [--db PATH|postgres://…]',
    summary: 'run the collector with a demo customer, login, directory and sample data',
    options: { ...DB_OPTION, port: { type: 'string' }, host: { type: 'string' } },
    args: [],
    async run(values, _args, io) {
      const port = portOf(values.port as string | undefined, DEFAULT_PORT);
      const host = (values.host as string | undefined) ?? 'localhost';
      const [{ startServer }, { DEMO_CUSTOMER, demoLink, prepareDemo }] = await Promise.all([import('./server.js'), import('./demo.js')]);
      const store = await openStore(databaseOf(values, io));
      try {
        const demo = await prepareDemo(store, Date.now());
        const server = await startServer({ store, port, host, logger: logger(io) });
        const base = `http://${host === '127.0.0.1' || host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${(server.app.server.address() as { port: number }).port}`;
        io.out(`emarsys-collector demo on ${base} (${store.description})`);
        if (demo.customerCreated) io.out(`sample data: ${demo.sampleOrders} orders and ${demo.sampleCarts} carts over the last 3 weeks`);
        io.out('');
        io.out(`dashboard:   ${base}/`);
        io.out(`  customer ID: ${DEMO_CUSTOMER.customerId}`);
        io.out(`  email:       ${demo.email}`);
        io.out(`  password:    ${demo.password}`);
        io.out('');
        io.out(`email link into the demo shop (campaign 5521, contact u1):`);
        io.out(`  ${demoLink(base)}`);
        return await untilSignal(async () => {
          await server.close();
          await store.close();
        }, io);
      } catch (err) {
        await store.close().catch(() => undefined);
        throw err;
      }
    },
  },

  'customers add': {
    usage: 'emarsys-collector customers add <customerId> [--name NAME] [--currency EUR] [--abandon-after 30m] [--max-order-value 1000000] [--db …]',
    summary: 'register a customer (account)',
    options: { ...DB_OPTION, ...CUSTOMER_LIMIT_OPTIONS, name: { type: 'string' }, currency: { type: 'string' } },
    args: ['customerId'],
    async run(values, [id], io) {
      const customerId = customerIdOf(id, 'customerId');
      const currency = (values.currency as string | undefined) ?? 'EUR';
      if (!new RegExp(CURRENCY_PATTERN).test(currency)) throw new UsageError(`--currency: must be an ISO 4217 code such as EUR (got ${JSON.stringify(currency)})`);
      const name = (values.name as string | undefined) ?? `Customer ${customerId}`;
      if (name === '' || name.length > 512 || !new RegExp(TEXT_PATTERN).test(name)) {
        throw new UsageError('--name: must be 1 to 512 characters without control characters');
      }
      const after = values['abandon-after'];
      const abandonAfterSeconds = abandonAfterOf(values) ?? null;
      const maxOrderValue = maxOrderValueOf(values);
      await withStore(values, io, (store) => store.customers.add({ customerId, name, currency, abandonAfterSeconds, maxOrderValue }, Date.now()));
      const extras = [abandonAfterSeconds === null ? '' : `, carts abandoned after ${after}`, maxOrderValue === undefined ? '' : `, maximum order value ${maxOrderValue}`];
      io.out(`customer ${customerId} added: ${JSON.stringify(name)}, ${currency}${extras.join('')}`);
      return 0;
    },
  },

  'customers set': {
    usage: 'emarsys-collector customers set <customerId> [--max-order-value N] [--attribution-days 30] [--abandon-after 30m] [--db …]',
    summary: "change a customer's maximum order value, attribution window or abandoned-cart timeout",
    options: { ...DB_OPTION, ...CUSTOMER_LIMIT_OPTIONS, 'attribution-days': { type: 'string' } },
    args: ['customerId'],
    async run(values, [id], io) {
      const customerId = customerIdOf(id, 'customerId');
      const settings = { maxOrderValue: maxOrderValueOf(values), attributionDays: attributionDaysOf(values), abandonAfterSeconds: abandonAfterOf(values) };
      if (Object.values(settings).every((v) => v === undefined)) throw new UsageError('give at least one of --max-order-value, --attribution-days, --abandon-after');
      const c = await withStore(values, io, async (store) => {
        await requireCustomer(store, customerId, 'customerId');
        return (await store.customers.update(customerId, settings))!;
      });
      const abandon = c.abandonAfterSeconds === null ? 'the collector default' : `${c.abandonAfterSeconds} s`;
      io.out(
        `customer ${customerId}: maximum order value ${c.maxOrderValue} ${c.currency}, attribution window ${c.attributionDays} days, carts abandoned after ${abandon}` +
          ' (a running collector applies it within a minute)',
      );
      return 0;
    },
  },

  'users add': {
    usage: 'emarsys-collector users add <email> --customer <customerId> --role ecommerce-admin|admin [--password P] [--db …]',
    summary: 'add a user; prints its API token (and the password when generated)',
    options: { ...DB_OPTION, customer: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } },
    args: ['email'],
    async run(values, [email], io) {
      emailOf(email);
      const customerId = customerIdOf(need(values, 'customer'));
      const role = roleOf(values);
      const password = passwordOf(values);
      const made = await withAuth(values, io, customerId, (auth) => auth.createUser(customerId, email, role, password));
      io.out(`user ${made.user.email} (${made.user.role}) added to customer ${customerId}`);
      if (made.generatedPassword) io.out(`password: ${made.generatedPassword}`);
      io.out(`token: ${made.token}`);
      return 0;
    },
  },

  'users list': {
    usage: 'emarsys-collector users list --customer <customerId> [--db …]',
    summary: "list a customer's users",
    options: { ...DB_OPTION, customer: { type: 'string' } },
    args: [],
    async run(values, _args, io) {
      const customerId = customerIdOf(need(values, 'customer'));
      const users = await withAuth(values, io, customerId, (auth) => auth.listUsers(customerId));
      if (users.length === 0) {
        io.out(`customer ${customerId} has no users`);
        return 0;
      }
      io.out(['email', 'role', 'created'].join('\t'));
      for (const u of users) io.out([u.email, u.role, date(u.createdAt)].join('\t'));
      return 0;
    },
  },

  'users remove': {
    usage: 'emarsys-collector users remove <email> --customer <customerId> [--db …]',
    summary: 'remove a user, ending its sessions and revoking its tokens',
    options: { ...DB_OPTION, customer: { type: 'string' } },
    args: ['email'],
    async run(values, [email], io) {
      const customerId = customerIdOf(need(values, 'customer'));
      await withAuth(values, io, customerId, (auth) => auth.removeUser(customerId, emailOf(email)));
      io.out(`user ${email.toLowerCase()} removed from customer ${customerId}; its sessions and tokens no longer work`);
      return 0;
    },
  },

  'users set-password': {
    usage: 'emarsys-collector users set-password <email> --customer <customerId> [--password P] [--db …]',
    summary: 'set (or generate) a password, ending the sessions and revoking the tokens of the user',
    options: { ...DB_OPTION, customer: { type: 'string' }, password: { type: 'string' } },
    args: ['email'],
    async run(values, [email], io) {
      const customerId = customerIdOf(need(values, 'customer'));
      const password = passwordOf(values);
      const set = await withAuth(values, io, customerId, (auth) => auth.setPassword(customerId, emailOf(email), password));
      io.out(`password of ${email.toLowerCase()} changed; its sessions and tokens no longer work`);
      if (set.generated) io.out(`password: ${set.password}`);
      return 0;
    },
  },

  'users set-role': {
    usage: 'emarsys-collector users set-role <email> --customer <customerId> --role ecommerce-admin|admin [--db …]',
    summary: "change a user's role",
    options: { ...DB_OPTION, customer: { type: 'string' }, role: { type: 'string' } },
    args: ['email'],
    async run(values, [email], io) {
      const customerId = customerIdOf(need(values, 'customer'));
      const role = roleOf(values);
      const user = await withAuth(values, io, customerId, (auth) => auth.setRole(customerId, emailOf(email), role));
      io.out(`user ${user.email} of customer ${customerId} is now ${user.role}`);
      return 0;
    },
  },

  'tokens create': {
    usage: 'emarsys-collector tokens create <email> --customer <customerId> [--expires 90d] [--db …]',
    summary: 'create an API token for a user; prints it once',
    options: { ...DB_OPTION, customer: { type: 'string' }, expires: { type: 'string' } },
    args: ['email'],
    async run(values, [email], io) {
      const customerId = customerIdOf(need(values, 'customer'));
      const expires = values.expires as string | undefined;
      const expiresInMs = expires === undefined ? undefined : parseDurationArg(expires, '--expires');
      const made = await withAuth(values, io, customerId, (auth) => auth.createToken(customerId, emailOf(email), expiresInMs));
      io.out(`token ${made.id} for ${email.toLowerCase()} of customer ${customerId}, ${made.expiresAt === null ? 'no expiry' : `expires ${date(made.expiresAt)}`}`);
      io.out(`token: ${made.token}`);
      return 0;
    },
  },

  'tokens list': {
    usage: 'emarsys-collector tokens list --customer <customerId> [--db …]',
    summary: "list a customer's API tokens (IDs, never the tokens)",
    options: { ...DB_OPTION, customer: { type: 'string' } },
    args: [],
    async run(values, _args, io) {
      const customerId = customerIdOf(need(values, 'customer'));
      const tokens = await withAuth(values, io, customerId, (auth) => auth.listTokens(customerId));
      if (tokens.length === 0) {
        io.out(`customer ${customerId} has no API tokens`);
        return 0;
      }
      io.out(['id', 'user', 'created', 'expires', 'last used'].join('\t'));
      for (const t of tokens) io.out([t.id, t.email, date(t.createdAt), date(t.expiresAt), date(t.lastUsedAt)].join('\t'));
      return 0;
    },
  },

  'tokens revoke': {
    usage: 'emarsys-collector tokens revoke <tokenId> --customer <customerId> [--db …]',
    summary: 'revoke an API token (effective on its next request)',
    options: { ...DB_OPTION, customer: { type: 'string' } },
    args: ['tokenId'],
    async run(values, [id], io) {
      const customerId = customerIdOf(need(values, 'customer'));
      await withAuth(values, io, customerId, (auth) => auth.revokeToken(customerId, id));
      io.out(`token ${id} of customer ${customerId} revoked`);
      return 0;
    },
  },

  'import campaigns': importCommand('campaigns', 'campaignId,name'),
  'import contacts': importCommand('contacts', 'contactUid,email'),

  'rejected list': {
    usage: 'emarsys-collector rejected list [--customer <customerId>] [--limit 100] [--db …]',
    summary: 'list rejected events, last seen first, with how often each was seen (customer "-" = none or unknown)',
    options: { ...DB_OPTION, customer: { type: 'string' }, limit: { type: 'string' } },
    args: [],
    async run(values, _args, io) {
      const customer = values.customer as string | undefined;
      const customerId = customer === undefined ? undefined : customer === '-' ? null : customerIdOf(customer);
      const limitText = (values.limit as string | undefined) ?? '100';
      if (!/^[0-9]{1,6}$/.test(limitText) || Number(limitText) < 1) throw new UsageError(`--limit: must be a whole number from 1 (got ${JSON.stringify(limitText)})`);
      const rows = await withStore(values, io, (store) => store.rejected.list(customerId, Number(limitText)));
      if (rows.length === 0) {
        io.out('no rejected events');
        return 0;
      }
      io.out(['last seen', 'count', 'customer', 'claimed', 'source', 'reason', 'raw'].join('\t'));
      for (const r of rows) {
        const when = new Date(r.lastSeenAt).toISOString();
        io.out([when, r.count, r.customerId ?? '-', r.claimedCustomerId || '-', r.source, printable(r.reason, 500), printable(r.raw, 300)].join('\t'));
      }
      return 0;
    },
  },

  'links decorate': {
    usage: 'emarsys-collector links decorate <url> --campaign <campaignId> --contact <contactUid> [--link <linkId>]',
    summary: 'print an email link with the campaign parameters (emst, sc_src, sc_uid, sc_lid) added',
    // --db is accepted like everywhere (docs/collector.md, "CLI"); a link needs no database
    options: { ...DB_OPTION, campaign: { type: 'string' }, contact: { type: 'string' }, link: { type: 'string' } },
    args: ['url'],
    async run(values, [url], io) {
      const campaign = { campaignId: need(values, 'campaign'), contactUid: need(values, 'contact'), linkId: values.link as string | undefined };
      try {
        io.out(decorateLink(url, campaign));
      } catch (err) {
        if (!(err instanceof TypeError)) throw err;
        // decorateLink names its fields; the command line names its options
        throw new UsageError(err.message.replace(/^(campaignId|contactUid|linkId):/, (_, f: string) => `--${LINK_OPTIONS[f]}:`));
      }
      return 0;
    },
  },
};

const LINK_OPTIONS: Record<string, string> = { campaignId: 'campaign', contactUid: 'contact', linkId: 'link' };

/**
 * The file as UTF-8 text. Another encoding (Excel's "CSV" is windows-1252) is refused, naming
 * the first line it garbles: read as UTF-8 it would store `Caf\uFFFD` for every `Café`.
 */
function utf8Text(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const line = bytes.toString('utf8').split('\uFFFD')[0].split('\n').length;
    throw new HttpError(400, 'file', `${file}: line ${line}: is not UTF-8 text; save the file as "CSV UTF-8" and import it again`);
  }
}

function importCommand(kind: 'campaigns' | 'contacts', header: string): Command {
  return {
    usage: `emarsys-collector import ${kind} <file.csv> --customer <customerId> [--db …]`,
    summary: `import ${kind} from a CSV file with the header ${header}`,
    options: { ...DB_OPTION, customer: { type: 'string' } },
    args: ['file.csv'],
    async run(values, [file], io) {
      const customerId = customerIdOf(need(values, 'customer'));
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new HttpError(400, 'file', `file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const text = utf8Text(bytes, file);
      const result = await withStore(values, io, async (store) => {
        await requireCustomer(store, customerId);
        return importDirectoryCsv(store, kind, customerId, text, Date.now());
      });
      if (result.errors.length) {
        for (const e of result.errors.slice(0, 50)) io.err(`${file}: ${e}`);
        if (result.errors.length > 50) io.err(`${file}: … and ${result.errors.length - 50} more bad lines`);
        io.err(`nothing imported: fix the lines above and import again`);
        return 1;
      }
      io.out(`imported ${result.imported} ${kind} for customer ${customerId}`);
      return 0;
    },
  };
}

function parseDurationArg(text: string, field = '--abandon-after'): number {
  try {
    return parseDuration(text, field);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** One line, control characters escaped, cut at `max` characters. */
function printable(text: string, max: number): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'usage: emarsys-collector <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
    '',
    'Every command takes --db (a SQLite file or postgres:// URL; default $DATABASE_URL, else ./.data/emarsys-track.db).',
    'Durations: 90s, 30m, 2h, 30d.',
  ].join('\n');
}

export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length === 0) {
    io.err('error: no command given');
    io.err(usage());
    return 2;
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(usage());
    return 0;
  }
  const name = COMMANDS[argv[0]] ? argv[0] : `${argv[0]} ${argv[1] ?? ''}`.trim();
  const command = COMMANDS[name];
  if (!command) {
    io.err(`error: unknown command "${name}"`);
    io.err(usage());
    return 2;
  }
  const rest = argv.slice(name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${command.usage}`);
    return 0;
  }
  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true }) as typeof parsed;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (parsed.positionals.length !== command.args.length) {
      const expected = command.args.length ? command.args.map((a) => `<${a}>`).join(' ') : 'no arguments';
      throw new UsageError(
        parsed.positionals.length < command.args.length
          ? `${command.args[parsed.positionals.length]}: is required`
          : `unexpected argument ${JSON.stringify(parsed.positionals[command.args.length])} (expected ${expected})`,
      );
    }
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}`);
      io.err(`usage: ${command.usage}`);
      return 2;
    }
    // the operator's own terminal: why the database could not be reached (a wrong port or host
    // reads "connect ECONNREFUSED 127.0.0.1:1"), which an HTTP answer never tells the public
    const cause = err instanceof DatabaseUnavailableError && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    io.err(`error: ${(err as Error).message}${cause}`);
    return 1;
  }
}

/** Runs the CLI in this process and sets its exit code. */
export function runCli(argv: string[] = process.argv.slice(2)): void {
  const io: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`), env: process.env };
  main(argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

// `node collector/dist/collector/src/cli.js …` (npm start); the bin calls runCli() itself
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runCli();
