// The store: one object the app holds, the same over SQLite and PostgreSQL. Each member is a
// repository with one job, written once against the `Database` interface.
import { CustomerRepository } from './customers.js';
import { num, type Database } from './database.js';
import { DirectoryRepository } from './directory.js';
import { ErasureRepository } from './erasure.js';
import { migrate } from './migrations.js';
import { OutboxRepository } from './outbox.js';
import { PostgresDatabase } from './postgres.js';
import { ProfileRepository } from './profiles.js';
import { RejectedRepository } from './rejected.js';
import { RefundRepository } from './refunds.js';
import { ReportRepository } from './reports/index.js';
import { SqliteDatabase } from './sqlite.js';
import { SweepRepository } from './sweep.js';
import { UserRepository } from './users.js';
import { WebhookRepository } from './webhooks.js';
import { InlineWriter, type GroupWriter } from './log/writer.js';
import { PostgresLog } from './log/postgres-log.js';
import { IngestQueue } from './queue/index.js';
import { parseDatabaseTarget } from '../config.js';

export interface Store {
  readonly engine: Database['engine'];
  /** for logs: file path or host/database */
  readonly description: string;
  readonly customers: CustomerRepository;
  readonly users: UserRepository;
  readonly directory: DirectoryRepository;
  /** the ingest write path: appended durably, then projected (log/writer.ts) */
  readonly events: GroupWriter;
  readonly sweep: SweepRepository;
  readonly reports: ReportRepository;
  readonly refunds: RefundRepository;
  readonly rejected: RejectedRepository;
  readonly profiles: ProfileRepository;
  readonly webhooks: WebhookRepository;
  readonly outbox: OutboxRepository;
  readonly erasure: ErasureRepository;
  /** the engine underneath, for tests and tools */
  readonly db: Database;
  /** the schema versions openStore applied (none when the database was up to date) */
  migrated?: readonly number[];
  close(): Promise<void>;
}

export function createStore(db: Database, events: GroupWriter = new InlineWriter(db)): Store {
  return {
    engine: db.engine,
    description: db.description,
    customers: new CustomerRepository(db),
    // logins and sessions never wait for ingest to be applied
    users: new UserRepository(db.immediate),
    directory: new DirectoryRepository(db),
    events,
    sweep: new SweepRepository(db),
    reports: new ReportRepository(db),
    refunds: new RefundRepository(db),
    rejected: new RejectedRepository(db),
    profiles: new ProfileRepository(db),
    webhooks: new WebhookRepository(db),
    outbox: new OutboxRepository(db),
    erasure: new ErasureRepository(db),
    db,
    close: async () => {
      await events.close?.();
      await db.close();
    },
  };
}

export interface StoreOptions {
  /** SQLite: events waiting in the ingest queue beyond which requests get 503 (default 500,000) */
  maxBacklog?: number;
}

/** Opens `--db` (a SQLite path or a postgres:// URL) and applies pending migrations. */
export async function openStore(target: string, options: StoreOptions = {}): Promise<Store> {
  const t = parseDatabaseTarget(target);
  const db = t.engine === 'sqlite' ? new SqliteDatabase(t.path) : new PostgresDatabase(t.url);
  let migrated: number[];
  try {
    migrated = await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return Object.assign(await withWriter(db, t, options), { migrated });
}

/** The store over `db`, with the ingest write path its engine takes. */
async function withWriter(db: SqliteDatabase | PostgresDatabase, t: ReturnType<typeof parseDatabaseTarget>, options: StoreOptions): Promise<Store> {
  // an in-memory database has no file for a queue or a second connection
  if (db instanceof SqliteDatabase && t.engine === 'sqlite' && t.path !== ':memory:') {
    const at = await db.get<{ seq: unknown; queue_id: string }>('SELECT seq, queue_id FROM ingest_applied WHERE id = 1');
    const queue = new IngestQueue(t.path, { appliedSeq: num(at?.seq), queueId: at!.queue_id, maxBacklog: options.maxBacklog });
    db.setBarrier(() => queue.settled());
    return createStore(db, queue);
  }
  if (db instanceof PostgresDatabase && t.engine === 'postgres') {
    const log = new PostgresLog(db, t.url);
    db.setBarrier(() => log.settled());
    return createStore(db, log);
  }
  return createStore(db, new InlineWriter(db));
}
