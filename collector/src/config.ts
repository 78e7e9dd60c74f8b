// Configuration facts shared by the CLI, the server and the app: durations, where the
// package's assets live, and how a --db value selects a storage engine.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Abandoned-cart timeout when neither the customer nor `--abandon-after` sets one (docs/collector.md, "Abandoned carts"). */
export const DEFAULT_ABANDON_AFTER_MINUTES = 30;
/** How often the abandoned-cart sweep runs inside a collector. */
export const DEFAULT_SWEEP_INTERVAL_MS = 30_000;
/** How often the webhook outbox is delivered inside a collector. */
export const DEFAULT_OUTBOX_INTERVAL_MS = 5_000;
/** A server-side purchase without `emst` takes the contact's last click within this many days unless the customer sets another (the SDK's default). */
export const DEFAULT_ATTRIBUTION_DAYS = 30;
/** Rejected events not seen again for this long are deleted (`serve --keep-rejected`). */
export const DEFAULT_KEEP_REJECTED_MS = 30 * 86_400_000;
/** SQLite file used when neither --db nor DATABASE_URL is given (relative to the working directory). */
export const DEFAULT_SQLITE_PATH = './.data/emarsys-track.db';
export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `30m`, `2h`, `30d` → milliseconds. Throws a message naming the value and the accepted forms. */
export function parseDuration(text: string, field = 'duration'): number {
  const m = /^([0-9]{1,7})([smhd])$/.exec(text.trim());
  if (!m) throw new Error(`${field}: "${text}" is not a duration; use a whole number and a unit, e.g. 90s, 30m, 2h or 30d`);
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms <= 0) throw new Error(`${field}: must be longer than 0`);
  return ms;
}

export type DatabaseTarget = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };

/** A `postgres://` / `postgresql://` URL selects PostgreSQL; anything else is a SQLite file path (`:memory:` included). */
export function parseDatabaseTarget(value: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(value)) {
    if (!URL.canParse(value)) throw new Error('--db: is not a valid postgres:// URL (a space, or a password with @ / # not percent-encoded?)');
    return { engine: 'postgres', url: value };
  }
  if (value.trim() === '') throw new Error('--db: must not be empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new Error(`--db: unsupported URL "${value.split('://')[0]}://"; use a SQLite file path or a postgres:// URL`);
  }
  return { engine: 'sqlite', path: value === ':memory:' ? value : resolve(value) };
}

/** --db, else DATABASE_URL, else the default SQLite file. */
export function resolveDatabase(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? (env.DATABASE_URL || DEFAULT_SQLITE_PATH);
}

/** Folder of the collector package (holds package.json), found from this module so the cwd never matters. */
export function collectorPackageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'emarsys-collector') return dir;
      } catch {
        // not a readable package.json: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the emarsys-collector package folder');
    dir = parent;
  }
}

export interface AssetPaths {
  /** the dashboard (`collector/public/`), served at `/` */
  dashboard: string;
  /** the demo shop (`examples/shop/`), served at `/shop/` */
  shop: string;
  /** the legacy integration pages (`examples/legacy/`), served at `/legacy/` */
  legacy: string;
  /** the SDK builds (`dist/` of the repo root), served at `/js/` */
  sdk: string;
  /** uPlot's `dist/`, served at `/vendor/uplot/` */
  uplot: string;
}

export function assetPaths(): AssetPaths {
  const pkg = collectorPackageDir();
  const root = dirname(pkg);
  return {
    dashboard: join(pkg, 'public'),
    shop: join(root, 'examples', 'shop'),
    legacy: join(root, 'examples', 'legacy'),
    sdk: join(root, 'dist'),
    uplot: findUplotDist(pkg, root),
  };
}

function findUplotDist(pkg: string, root: string): string {
  for (const base of [pkg, root]) {
    const dir = join(base, 'node_modules', 'uplot', 'dist');
    if (existsSync(dir)) return dir;
  }
  return join(root, 'node_modules', 'uplot', 'dist');
}
