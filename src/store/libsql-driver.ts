import { AbstractSqlDriver, LibSqlConnection, LibSqlKnexDialect, LibSqlPlatform, type Configuration } from '@mikro-orm/libsql';

/** Prepared statements kept per SQLite connection (MikroORM writes the same SQL text for the same query shape). */
const STATEMENT_CACHE_SIZE = 500;

/** Settings SQLite keeps per connection, not in the file (journal_mode=wal is set once, in orm.ts). */
const CONNECTION_PRAGMAS = [
  // Writers wait for the lock (the job backend has its own connection to the file) instead of failing at once.
  'pragma busy_timeout = 5000',
  // With WAL, fsync at checkpoints only: durable across an application crash, the usual WAL setting.
  'pragma synchronous = normal',
  'pragma foreign_keys = on',
];

interface RawConnection {
  open: boolean;
  memory: boolean;
  prepare(sql: string): unknown;
  exec(sql: string): unknown;
}

/**
 * MikroORM's libsql dialect with two changes for the hub's embedded mode:
 * - statements are prepared once per connection and reused (libsql runs them synchronously, so a
 *   statement is never used by two queries at once); stock, every query prepared its SQL anew;
 * - a connection lives until it is closed. Stock, the pool replaces a file connection every 10 s
 *   (a rule meant for remote libsql), and the replacement lost the per-connection pragmas set at
 *   start (busy_timeout, foreign_keys): they are now set on every connection it opens.
 */
class HubLibSqlKnexDialect extends LibSqlKnexDialect {
  override async acquireRawConnection(): Promise<RawConnection> {
    const connection = (await super.acquireRawConnection()) as RawConnection;
    for (const pragma of CONNECTION_PRAGMAS) connection.exec(pragma);
    const prepare = connection.prepare.bind(connection);
    const statements = new Map<string, unknown>();
    connection.prepare = (sql: string) => {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    };
    return connection;
  }

  override validateConnection(connection: RawConnection): boolean {
    return connection.open;
  }

  /**
   * Transactions take the write lock when they begin (`BEGIN IMMEDIATE`), not at their first
   * write. With WAL, a transaction that began by reading and then writes after another process
   * (a second hub on the file) committed cannot be given the lock at all: SQLite answers
   * SQLITE_BUSY_SNAPSHOT at once, whatever busy_timeout says, and the request failed with an
   * internal error. Taking the lock first makes it wait for the other writer like any write. This
   * process has one connection here, so its own transactions never wait for each other.
   */
  transaction(...args: unknown[]): KnexTransaction {
    const trx = (super.transaction as (...a: unknown[]) => KnexTransaction)(...args);
    trx.begin = (conn: unknown) => trx.query(conn, 'BEGIN IMMEDIATE;');
    return trx;
  }
}

/** The part of knex's (untyped) transaction object that `transaction()` replaces. */
interface KnexTransaction {
  begin(conn: unknown): Promise<unknown>;
  query(conn: unknown, sql: string): Promise<unknown>;
}

class HubLibSqlConnection extends LibSqlConnection {
  override createKnex(): void {
    // knex takes a dialect class as its `client` (as LibSqlConnection does); the declaration says string.
    this.client = this.createKnexClient(HubLibSqlKnexDialect as unknown as string);
    this.connected = true;
  }
}

/** `@mikro-orm/libsql`'s driver on the connection above; everything else is the stock driver's. */
export class HubLibSqlDriver extends AbstractSqlDriver<HubLibSqlConnection, LibSqlPlatform> {
  constructor(config: Configuration) {
    super(config, new LibSqlPlatform(), HubLibSqlConnection, ['knex', 'libsql']);
  }
}
