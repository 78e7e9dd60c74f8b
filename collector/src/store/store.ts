// The store: one object the app holds, the same over SQLite and PostgreSQL. Each member is a
// repository with one job, written once against the `Database` interface.
import { CustomerRepository } from './customers.js';
import type { Database } from './database.js';
import { DirectoryRepository } from './directory.js';
import { ErasureRepository } from './erasure.js';
import { EventWriter } from './events.js';
import { migrate } from './migrations.js';
import { OutboxRepository } from './outbox.js';
import { PostgresDatabase } from './postgres.js';
import { ProfileRepository } from './profiles.js';
import { RejectedRepository } from './rejected.js';
import { ReportRepository } from './reports.js';
import { SqliteDatabase } from './sqlite.js';
import { SweepRepository } from './sweep.js';
import { UserRepository } from './users.js';
import { WebhookRepository } from './webhooks.js';
import { parseDatabaseTarget } from '../config.js';

export interface Store {
  readonly engine: Database['engine'];
  /** for logs: file path or host/database */
  readonly description: string;
  readonly customers: CustomerRepository;
  readonly users: UserRepository;
  readonly directory: DirectoryRepository;
  readonly events: EventWriter;
  readonly sweep: SweepRepository;
  readonly reports: ReportRepository;
  readonly rejected: RejectedRepository;
  readonly profiles: ProfileRepository;
  readonly webhooks: WebhookRepository;
  readonly outbox: OutboxRepository;
  readonly erasure: ErasureRepository;
  /** the engine underneath, for tests and tools */
  readonly db: Database;
  close(): Promise<void>;
}

export function createStore(db: Database): Store {
  return {
    engine: db.engine,
    description: db.description,
    customers: new CustomerRepository(db),
    users: new UserRepository(db),
    directory: new DirectoryRepository(db),
    events: new EventWriter(db),
    sweep: new SweepRepository(db),
    reports: new ReportRepository(db),
    rejected: new RejectedRepository(db),
    profiles: new ProfileRepository(db),
    webhooks: new WebhookRepository(db),
    outbox: new OutboxRepository(db),
    erasure: new ErasureRepository(db),
    db,
    close: () => db.close(),
  };
}

/** Opens `--db` (a SQLite path or a postgres:// URL) and applies pending migrations. */
export async function openStore(target: string): Promise<Store> {
  const t = parseDatabaseTarget(target);
  const db = t.engine === 'sqlite' ? new SqliteDatabase(t.path) : new PostgresDatabase(t.url);
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return createStore(db);
}
