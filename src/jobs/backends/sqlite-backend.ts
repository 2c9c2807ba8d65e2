import type { AgendaBackend } from 'agenda';
import { SqliteJobRepository, type SqliteJobRepositoryOptions } from './sqlite-job-repository.js';

/**
 * Agenda 6 backend for the hub's embedded mode: jobs live in the hub's SQLite file, in their own
 * table, on their own connection (see `SqliteJobRepository` for the locking guarantee).
 *
 * No notification channel: workers poll every `processEvery`, as with the MongoDB backend.
 * `connect` is idempotent, so the hub can connect first (and see a failure as a rejected promise)
 * before `new Agenda()` calls it again without handling its rejection.
 */
export class SqliteBackend implements AgendaBackend {
  readonly name = 'SQLite';
  readonly ownsConnection = true;
  readonly repository: SqliteJobRepository;
  private connecting: Promise<void> | undefined;

  constructor(options: SqliteJobRepositoryOptions) {
    this.repository = new SqliteJobRepository(options);
  }

  connect(): Promise<void> {
    if (this.repository.isConnected) return Promise.resolve();
    this.connecting ??= this.repository.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async disconnect(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    await this.repository.disconnect();
  }

  ping(): Promise<void> {
    return this.repository.ping();
  }
}
