import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  computeJobState,
  toJobId,
  type JobId,
  type JobParameters,
  type JobRepository,
  type JobRepositoryOptions,
  type JobsOverview,
  type JobsQueryOptions,
  type JobsResult,
  type JobsSort,
  type JobWithState,
  type RemoveJobsOptions,
} from 'agenda';
import Database from 'libsql';
import {
  and,
  dataFilter,
  equalityFilter,
  inList,
  notInList,
  type SqlCondition,
  type SqlValue,
} from './sqlite-job-filters.js';

export interface SqliteJobRepositoryOptions {
  /** The SQLite file (the ORM's file in the hub), or `:memory:`. */
  file: string;
  /** Table holding the jobs (default `agenda_jobs`). */
  table?: string;
  /**
   * How long a write waits in total for another connection's write lock before failing
   * (default 10 s). See `write()` for how the wait is split.
   */
  lockWaitMs?: number;
}

interface JobRow {
  seq: number;
  id: string;
  name: string;
  priority: number;
  type: string;
  next_run_at: number | null;
  locked_at: number | null;
  last_run_at: number | null;
  last_finished_at: number | null;
  failed_at: number | null;
  fail_count: number | null;
  fail_reason: string | null;
  repeat_interval: string | null;
  repeat_timezone: string | null;
  repeat_at: string | null;
  data: string | null;
  disabled: number;
  progress: number | null;
  fork: number | null;
  last_modified_by: string | null;
  debounce_started_at: number | null;
  start_date: number | null;
  end_date: number | null;
  skip_days: string | null;
}

/** Milliseconds SQLite itself busy-waits (blocking the event loop) before we retry asynchronously. */
const NATIVE_BUSY_TIMEOUT_MS = 20;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Db = Database.Database;

const ms = (value: Date | string | number | null | undefined): number | null => {
  if (value === null || value === undefined) return null;
  const n = value instanceof Date ? value.getTime() : new Date(value).getTime();
  if (Number.isNaN(n)) throw new TypeError(`invalid date ${String(value)}`);
  return n;
};
const date = (n: number | null): Date | undefined => (n === null ? undefined : new Date(n));
const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const flag = (value: boolean | undefined): number | null => (value === undefined ? null : value ? 1 : 0);
const isBusy = (err: unknown): boolean =>
  typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('SQLITE_BUSY');
const sleep = (n: number) => new Promise((resolve) => setTimeout(resolve, n));

function rowToJob<DATA = unknown>(row: JobRow): JobParameters<DATA> {
  return {
    _id: toJobId(row.id),
    name: row.name,
    priority: row.priority,
    nextRunAt: row.next_run_at === null ? null : new Date(row.next_run_at),
    type: row.type === 'single' ? 'single' : 'normal',
    data: (row.data === null ? undefined : JSON.parse(row.data)) as DATA,
    lockedAt: date(row.locked_at),
    lastRunAt: date(row.last_run_at),
    lastFinishedAt: date(row.last_finished_at),
    failedAt: date(row.failed_at),
    failCount: row.fail_count ?? undefined,
    failReason: row.fail_reason ?? undefined,
    repeatInterval: row.repeat_interval === null ? undefined : (JSON.parse(row.repeat_interval) as string | number),
    repeatTimezone: row.repeat_timezone ?? undefined,
    repeatAt: row.repeat_at ?? undefined,
    disabled: row.disabled === 1,
    progress: row.progress ?? undefined,
    fork: row.fork === null ? undefined : row.fork === 1,
    lastModifiedBy: row.last_modified_by ?? undefined,
    debounceStartedAt: date(row.debounce_started_at),
    startDate: date(row.start_date),
    endDate: date(row.end_date),
    skipDays: row.skip_days === null ? undefined : (JSON.parse(row.skip_days) as number[]),
  };
}

/** Columns a caller's `saveJob` sets, with their values (undefined = not given). */
function userColumns(job: JobParameters, lastModifiedBy: string | undefined): Record<string, SqlValue | undefined> {
  return {
    name: job.name,
    priority: job.priority ?? 0,
    type: job.type === 'single' ? 'single' : 'normal',
    next_run_at: job.nextRunAt === undefined ? undefined : ms(job.nextRunAt),
    data: json(job.data),
    repeat_interval: job.repeatInterval === undefined ? undefined : json(job.repeatInterval),
    repeat_timezone: job.repeatTimezone,
    repeat_at: job.repeatAt,
    disabled: flag(job.disabled) ?? undefined,
    fork: job.fork === undefined ? undefined : flag(job.fork),
    start_date: job.startDate === undefined ? undefined : ms(job.startDate),
    end_date: job.endDate === undefined ? undefined : ms(job.endDate),
    skip_days: job.skipDays === undefined ? undefined : json(job.skipDays),
    debounce_started_at: job.debounceStartedAt === undefined ? undefined : ms(job.debounceStartedAt),
    // Fields the job processor manages; `Job.save()` leaves them out, a direct caller may set them.
    locked_at: job.lockedAt === undefined ? undefined : ms(job.lockedAt),
    last_run_at: job.lastRunAt === undefined ? undefined : ms(job.lastRunAt),
    last_finished_at: job.lastFinishedAt === undefined ? undefined : ms(job.lastFinishedAt),
    failed_at: job.failedAt === undefined ? undefined : ms(job.failedAt),
    fail_count: job.failCount,
    fail_reason: job.failReason,
    progress: job.progress,
    last_modified_by: lastModifiedBy ?? null,
  };
}

const defined = (columns: Record<string, SqlValue | undefined>): [string, SqlValue][] =>
  Object.entries(columns).filter((entry): entry is [string, SqlValue] => entry[1] !== undefined);

/**
 * Agenda 6 `JobRepository` on SQLite, through the synchronous `libsql` driver (the one MikroORM's
 * libsql driver uses), on its own connection to the hub's database file.
 *
 * Locking guarantee (what makes it safe for several processes on one file):
 * - Every write, and in particular find-and-lock (`getNextJobToRun`, `lockJob`), runs inside one
 *   `BEGIN IMMEDIATE … COMMIT` transaction. SQLite grants the write lock of a database file to
 *   one connection at a time across all processes, and the transaction re-reads the row under
 *   that lock, so a job can only be locked when, at that instant, it is unlocked and due, or its
 *   lock is older than the caller's `lockLifetime` (the previous holder is presumed dead). Two
 *   workers, in one process or in different processes, therefore never hold the lock of the same
 *   job at the same time, and each due run of a job is executed once, with two exceptions that
 *   follow from Agenda's lease model: a handler running longer than `lockLifetime` without
 *   `job.touch()` can be taken over by another worker (Agenda cancels the first run when it
 *   notices), and a run whose worker died (crash, SIGKILL) is run again by another worker once
 *   its lock is older than `lockLifetime`: at least once, never concurrently within the lease.
 * - Transactions are synchronous: BEGIN, the statements and COMMIT run without an `await` in
 *   between, so concurrent operations of this process on this connection never interleave
 *   inside a transaction (test: "keeps concurrent operations of one worker apart").
 *
 * Waiting for the lock: the driver is synchronous, so SQLite's own busy wait blocks the event
 * loop. If it were long, a MikroORM transaction of this same process that holds the write lock
 * across an `await` could not finish while we wait: a deadlock until the timeout. So SQLite's
 * busy timeout is kept short and longer waits are asynchronous retries of `BEGIN IMMEDIATE`
 * (which, unlike a failed write statement, leaves the connection clean) up to `lockWaitMs`.
 *
 * Storage: dates as epoch milliseconds (indexable, compared numerically), `data`, `repeatInterval`
 * and `skipDays` as JSON text. The table and its indexes are created idempotently on `connect`.
 */
export class SqliteJobRepository implements JobRepository {
  private db: Db | undefined;
  private readonly table: string;
  private readonly lockWaitMs: number;

  constructor(private readonly options: SqliteJobRepositoryOptions) {
    this.table = options.table ?? 'agenda_jobs';
    if (!TABLE_NAME.test(this.table)) throw new Error(`invalid table name ${JSON.stringify(this.table)}`);
    this.lockWaitMs = options.lockWaitMs ?? 10_000;
  }

  get isConnected(): boolean {
    return this.db?.open === true;
  }

  /** Opens the connection and creates the schema; calling it again while connected does nothing. */
  async connect(): Promise<void> {
    if (this.db?.open) return;
    const { file } = this.options;
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file);
    try {
      db.exec(`PRAGMA busy_timeout = ${NATIVE_BUSY_TIMEOUT_MS}`);
      if (file !== ':memory:') await this.retryBusy(db, () => db.exec('PRAGMA journal_mode = WAL'));
      db.exec('PRAGMA synchronous = NORMAL');
      this.db = db;
      await this.write(() => this.createSchema(db));
    } catch (err) {
      this.db = undefined;
      db.close();
      throw err;
    }
  }

  async disconnect(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db?.open) db.close();
  }

  /** Proves the connection answers (for `/readyz`). */
  async ping(): Promise<void> {
    this.read((db) => db.prepare('SELECT 1 AS ok').all());
  }

  async getJobById(id: string): Promise<JobParameters | null> {
    const rows = this.read((db) => db.prepare(`SELECT * FROM ${this.table} WHERE id = ?`).all(id) as JobRow[]);
    return rows[0] ? rowToJob(rows[0]) : null;
  }

  async queryJobs(options: JobsQueryOptions = {}): Promise<JobsResult> {
    const { state, includeDisabled = true, sort, skip = 0, limit = 0 } = options;
    const parts: SqlCondition[] = [];
    if (options.name) parts.push({ sql: 'name = ?', params: [options.name] });
    else if (options.names?.length) parts.push(inList('name', options.names));
    if (options.id) parts.push({ sql: 'id = ?', params: [options.id] });
    else if (options.ids?.length) parts.push(inList('id', options.ids));
    if (options.search) {
      const pattern = `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      parts.push({ sql: `name LIKE ? ESCAPE '\\'`, params: [pattern] });
    }
    if (options.data !== undefined) parts.push(dataFilter(options.data));
    if (!includeDisabled) parts.push({ sql: 'disabled = 0', params: [] });
    const where = and(parts);
    const order = this.orderBy(sort);
    const now = new Date();
    const withState = (row: JobRow): JobWithState => {
      const job = rowToJob(row);
      return { ...job, _id: job._id as JobId, state: computeJobState(job, now) };
    };

    if (!state) {
      // No state filter: paginate in SQL.
      const page = limit > 0 ? ' LIMIT ? OFFSET ?' : skip > 0 ? ' LIMIT -1 OFFSET ?' : '';
      const pageParams = limit > 0 ? [limit, skip] : skip > 0 ? [skip] : [];
      return this.read((db) => {
        const rows = db
          .prepare(`SELECT * FROM ${this.table} WHERE ${where.sql} ORDER BY ${order}${page}`)
          .all(...where.params, ...pageParams) as JobRow[];
        const [count] = db
          .prepare(`SELECT count(*) AS n FROM ${this.table} WHERE ${where.sql}`)
          .all(...where.params) as { n: number }[];
        return { jobs: rows.map(withState), total: count?.n ?? 0 };
      });
    }
    // The state is computed from several fields in code, so filter before paginating.
    const rows = this.read(
      (db) =>
        db.prepare(`SELECT * FROM ${this.table} WHERE ${where.sql} ORDER BY ${order}`).all(...where.params) as JobRow[],
    );
    const matching = rows
      .map(withState)
      .filter((job) => (state === 'paused' ? job.disabled === true : job.state === state));
    const jobs = limit > 0 ? matching.slice(skip, skip + limit) : matching.slice(skip);
    return { jobs, total: matching.length };
  }

  async getJobsOverview(): Promise<JobsOverview[]> {
    const rows = this.read((db) => db.prepare(`SELECT * FROM ${this.table} ORDER BY name`).all() as JobRow[]);
    const now = new Date();
    const byName = new Map<string, JobsOverview>();
    for (const row of rows) {
      let overview = byName.get(row.name);
      if (!overview) {
        overview = { name: row.name, total: 0, running: 0, scheduled: 0, queued: 0, completed: 0, failed: 0, repeating: 0, paused: 0 };
        byName.set(row.name, overview);
      }
      const job = rowToJob(row);
      overview.total += 1;
      overview[computeJobState(job, now)] += 1;
      // Same counting as the MongoDB and PostgreSQL backends: paused is also counted on its own.
      if (job.disabled) overview.paused += 1;
    }
    return [...byName.values()];
  }

  async getDistinctJobNames(): Promise<string[]> {
    const rows = this.read((db) => db.prepare(`SELECT DISTINCT name FROM ${this.table} ORDER BY name`).all() as { name: string }[]);
    return rows.map((r) => r.name);
  }

  async getQueueSize(): Promise<number> {
    const [row] = this.read(
      (db) => db.prepare(`SELECT count(*) AS n FROM ${this.table} WHERE next_run_at < ?`).all(Date.now()) as { n: number }[],
    );
    return row?.n ?? 0;
  }

  async removeJobs(options: RemoveJobsOptions): Promise<number> {
    const filter = this.selection(options);
    if (!filter) return 0;
    return this.write((db) => db.prepare(`DELETE FROM ${this.table} WHERE ${filter.sql}`).run(...filter.params).changes);
  }

  async disableJobs(options: RemoveJobsOptions): Promise<number> {
    const filter = this.selection(options);
    if (!filter) return 0;
    return this.write(
      (db) =>
        db.prepare(`UPDATE ${this.table} SET disabled = 1 WHERE disabled = 0 AND (${filter.sql})`).run(...filter.params)
          .changes,
    );
  }

  async enableJobs(options: RemoveJobsOptions): Promise<number> {
    const filter = this.selection(options);
    if (!filter) return 0;
    return this.write(
      (db) =>
        db.prepare(`UPDATE ${this.table} SET disabled = 0 WHERE disabled = 1 AND (${filter.sql})`).run(...filter.params)
          .changes,
    );
  }

  async purgeAllJobs(): Promise<number> {
    return this.write((db) => db.prepare(`DELETE FROM ${this.table}`).run().changes);
  }

  /**
   * Insert or update, with Agenda's rules:
   * - with `_id`: update that job (a job removed meanwhile is returned unchanged, as in MongoDB);
   * - `type: 'single'` (`agenda.every`): one job per name; re-saving keeps a stored `nextRunAt`
   *   when the new one is already due, so restarting the hub does not reset the schedule;
   * - `unique`: match on the unique fields (plus the name); `insertOnly` returns an existing job
   *   unchanged; `debounce` moves `nextRunAt` as Agenda documents (trailing/leading, maxWait).
   * On update, fields the caller left `undefined` keep their stored value: `Job.save()` omits the
   * fields the job processor owns (lock, run and failure state), so a save never clears a lock.
   */
  async saveJob<DATA = unknown>(
    job: JobParameters<DATA>,
    options: JobRepositoryOptions | undefined,
  ): Promise<JobParameters<DATA>> {
    const { _id, unique, uniqueOpts } = job;
    const columns = userColumns(job as JobParameters, options?.lastModifiedBy);
    const uniqueWhere = unique ? and([{ sql: 'name = ?', params: [job.name] }, equalityFilter(unique)]) : undefined;

    return this.write((db) => {
      const now = Date.now();
      if (_id) {
        const row = this.updateWhere(db, { sql: 'id = ? AND name = ?', params: [String(_id), job.name] }, columns);
        return row ? rowToJob<DATA>(row) : job;
      }
      if (columns.type === 'single') {
        const existing = this.findOne(db, { sql: `name = ? AND type = 'single'`, params: [job.name] });
        if (existing) {
          const next = columns.next_run_at;
          const update = typeof next === 'number' && next <= now ? { ...columns, next_run_at: undefined } : columns;
          return rowToJob<DATA>(this.updateWhere(db, { sql: 'id = ?', params: [existing.id] }, update)!);
        }
        return rowToJob<DATA>(this.insert(db, columns));
      }
      if (uniqueWhere) {
        const existing = this.findOne(db, uniqueWhere);
        const debounce = uniqueOpts?.debounce;
        if (debounce) {
          const strategy = debounce.strategy ?? 'trailing';
          if (existing) {
            const startedAt = existing.debounce_started_at ?? now;
            let update: Record<string, SqlValue | undefined>;
            if (strategy === 'leading') {
              update = { ...columns, next_run_at: existing.next_run_at, debounce_started_at: startedAt };
            } else if (debounce.maxWait !== undefined && now - startedAt >= debounce.maxWait) {
              update = { ...columns, next_run_at: now, debounce_started_at: null };
            } else {
              update = { ...columns, next_run_at: now + debounce.delay, debounce_started_at: startedAt };
            }
            return rowToJob<DATA>(this.updateWhere(db, { sql: 'id = ?', params: [existing.id] }, update)!);
          }
          const first =
            strategy === 'leading'
              ? { ...columns, debounce_started_at: now }
              : { ...columns, next_run_at: now + debounce.delay, debounce_started_at: now };
          return rowToJob<DATA>(this.insert(db, first));
        }
        if (existing) {
          if (uniqueOpts?.insertOnly) return rowToJob<DATA>(existing);
          return rowToJob<DATA>(this.updateWhere(db, { sql: 'id = ?', params: [existing.id] }, columns)!);
        }
      }
      return rowToJob<DATA>(this.insert(db, columns));
    });
  }

  /** The job processor's state update (run start, touch, finish); undefined fields are cleared. */
  async saveJobState(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<void> {
    if (!job._id) throw new Error('Cannot save job state without job ID');
    const changes = this.write(
      (db) =>
        db
          .prepare(
            `UPDATE ${this.table} SET locked_at = ?, next_run_at = ?, last_run_at = ?, progress = ?, fail_reason = ?,
               fail_count = ?, failed_at = ?, last_finished_at = ?, last_modified_by = ?
             WHERE id = ? AND name = ?`,
          )
          .run(
            ms(job.lockedAt),
            ms(job.nextRunAt),
            ms(job.lastRunAt),
            job.progress ?? null,
            job.failReason ?? null,
            job.failCount ?? null,
            ms(job.failedAt),
            ms(job.lastFinishedAt),
            options?.lastModifiedBy ?? null,
            String(job._id),
            job.name,
          ).changes,
    );
    if ((await changes) !== 1) {
      throw new Error(`job ${String(job._id)} (name: ${job.name}) cannot be updated in the database, maybe it does not exist anymore?`);
    }
  }

  /** Locks exactly this run of the job: only if unlocked, enabled and still due at `nextRunAt`. */
  async lockJob(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<JobParameters | undefined> {
    if (!job._id) return undefined;
    const row = this.write(
      (db) =>
        db
          .prepare(
            `UPDATE ${this.table} SET locked_at = ?, last_modified_by = ?
             WHERE id = ? AND name = ? AND locked_at IS NULL AND next_run_at IS ? AND disabled = 0
             RETURNING *`,
          )
          .all(Date.now(), options?.lastModifiedBy ?? null, String(job._id), job.name, ms(job.nextRunAt)) as JobRow[],
    );
    const [locked] = await row;
    return locked ? rowToJob(locked) : undefined;
  }

  async unlockJob(job: JobParameters): Promise<void> {
    if (!job._id) return;
    // A running one-off job has nextRunAt null; it stays locked until it finishes (as in MongoDB).
    await this.write((db) =>
      db.prepare(`UPDATE ${this.table} SET locked_at = NULL WHERE id = ? AND next_run_at IS NOT NULL`).run(String(job._id)),
    );
  }

  async unlockJobs(jobIds: (JobId | string)[]): Promise<void> {
    if (jobIds.length === 0) return;
    const ids = inList('id', jobIds.map(String));
    await this.write((db) => db.prepare(`UPDATE ${this.table} SET locked_at = NULL WHERE ${ids.sql}`).run(...ids.params));
  }

  /**
   * Finds and locks the next run of `jobName`: a due, unlocked job, or one whose lock is older
   * than `lockDeadline` (its worker is presumed dead). Order: earliest `nextRunAt` first (a
   * crashed one-off run, whose `nextRunAt` is already null, comes first), then higher priority,
   * then insertion order. Atomic across processes (see the class comment).
   */
  async getNextJobToRun(
    jobName: string,
    nextScanAt: Date,
    lockDeadline: Date,
    now: Date | undefined,
    options: JobRepositoryOptions | undefined,
  ): Promise<JobParameters | undefined> {
    const [row] = await this.write(
      (db) =>
        db
          .prepare(
            `UPDATE ${this.table} SET locked_at = ?, last_modified_by = ?
             WHERE id = (
               SELECT id FROM ${this.table}
               WHERE name = ? AND disabled = 0
                 AND ((locked_at IS NULL AND next_run_at <= ?) OR locked_at <= ?)
               ORDER BY next_run_at ASC, priority DESC, seq ASC
               LIMIT 1)
             RETURNING *`,
          )
          .all(ms(now ?? new Date()), options?.lastModifiedBy ?? null, jobName, ms(nextScanAt), ms(lockDeadline)) as JobRow[],
    );
    return row ? rowToJob(row) : undefined;
  }

  private createSchema(db: Db): void {
    const t = this.table;
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${t} (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        type TEXT NOT NULL DEFAULT 'normal' CHECK (type IN ('normal', 'single')),
        next_run_at INTEGER,
        locked_at INTEGER,
        last_run_at INTEGER,
        last_finished_at INTEGER,
        failed_at INTEGER,
        fail_count INTEGER,
        fail_reason TEXT,
        repeat_interval TEXT,
        repeat_timezone TEXT,
        repeat_at TEXT,
        data TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        progress REAL,
        fork INTEGER,
        last_modified_by TEXT,
        debounce_started_at INTEGER,
        start_date INTEGER,
        end_date INTEGER,
        skip_days TEXT
      );
      CREATE INDEX IF NOT EXISTS ${t}_due ON ${t} (name, disabled, next_run_at, priority);
      CREATE INDEX IF NOT EXISTS ${t}_locked ON ${t} (name, locked_at);
      CREATE UNIQUE INDEX IF NOT EXISTS ${t}_single ON ${t} (name) WHERE type = 'single';
    `);
  }

  private orderBy(sort: JobsSort | undefined): string {
    const columns: [keyof JobsSort, string][] = [
      ['nextRunAt', 'next_run_at'],
      ['lastRunAt', 'last_run_at'],
      ['lastFinishedAt', 'last_finished_at'],
      ['priority', 'priority'],
      ['name', 'name'],
      ['data', 'data'],
    ];
    const parts = sort
      ? columns.filter(([key]) => sort[key] !== undefined).map(([key, col]) => `${col} ${sort[key] === 'asc' ? 'ASC' : 'DESC'}`)
      : [];
    // Default as in the MongoDB backend: latest scheduled first.
    return [...(parts.length ? parts : ['next_run_at DESC', 'last_run_at DESC']), 'seq ASC'].join(', ');
  }

  /** The jobs a cancel/disable/enable applies to; undefined when no criterion was given. */
  private selection(options: RemoveJobsOptions): SqlCondition | undefined {
    const parts: SqlCondition[] = [];
    if (options.id) parts.push({ sql: 'id = ?', params: [String(options.id)] });
    else if (options.ids?.length) parts.push(inList('id', options.ids.map(String)));
    if (options.name) parts.push({ sql: 'name = ?', params: [options.name] });
    else if (options.names?.length) parts.push(inList('name', options.names));
    else if (options.notNames?.length) parts.push(notInList('name', options.notNames));
    if (options.data !== undefined) parts.push(dataFilter(options.data));
    return parts.length ? and(parts) : undefined;
  }

  private findOne(db: Db, where: SqlCondition): JobRow | undefined {
    return (db.prepare(`SELECT * FROM ${this.table} WHERE ${where.sql} ORDER BY seq LIMIT 1`).all(...where.params) as JobRow[])[0];
  }

  private insert(db: Db, columns: Record<string, SqlValue | undefined>): JobRow {
    const entries = defined({ ...columns, id: randomUUID() });
    const [row] = db
      .prepare(
        `INSERT INTO ${this.table} (${entries.map(([c]) => c).join(', ')})
         VALUES (${entries.map(() => '?').join(', ')}) RETURNING *`,
      )
      .all(...entries.map(([, v]) => v)) as JobRow[];
    return row!;
  }

  private updateWhere(db: Db, where: SqlCondition, columns: Record<string, SqlValue | undefined>): JobRow | undefined {
    const entries = defined(columns);
    const [row] = db
      .prepare(`UPDATE ${this.table} SET ${entries.map(([c]) => `${c} = ?`).join(', ')} WHERE ${where.sql} RETURNING *`)
      .all(...entries.map(([, v]) => v), ...where.params) as JobRow[];
    return row;
  }

  private connection(): Db {
    if (!this.db?.open) throw new Error('SQLite job backend is not connected');
    return this.db;
  }

  /** A read outside any transaction (WAL readers do not wait for writers). */
  private read<T>(fn: (db: Db) => T): T {
    const db = this.connection();
    try {
      return fn(db);
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }

  /**
   * Runs `fn` in one `BEGIN IMMEDIATE` transaction (see the class comment on locking). BEGIN, `fn`
   * and COMMIT run in one synchronous step: an `await` between them would let another operation
   * of this process issue its own BEGIN on the same connection in the middle of this transaction.
   */
  private async write<T>(fn: (db: Db) => T): Promise<T> {
    const deadline = Date.now() + this.lockWaitMs;
    let pause = 2;
    for (;;) {
      const db = this.connection();
      const attempt = this.transaction(db, fn);
      if (attempt.done) return attempt.value;
      if (Date.now() >= deadline) {
        throw Object.assign(new Error(`SQLite job backend: write lock not obtained within ${this.lockWaitMs} ms`), {
          code: 'SQLITE_BUSY',
        });
      }
      await sleep(pause + Math.random() * pause);
      pause = Math.min(pause * 2, 50);
    }
  }

  /** One synchronous attempt; `done: false` when another connection holds the write lock. */
  private transaction<T>(db: Db, fn: (db: Db) => T): { done: true; value: T } | { done: false } {
    try {
      // A BEGIN IMMEDIATE refused with SQLITE_BUSY leaves no transaction behind (unlike a failed
      // autocommit write statement in libsql, which can leave one open), so it is safe to retry.
      db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      if (isBusy(err)) return { done: false };
      throw err;
    }
    try {
      const value = fn(db);
      db.exec('COMMIT');
      return { done: true, value };
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Retries a statement that needs no transaction (journal mode switch) while the file is busy. */
  private async retryBusy(db: Db, step: () => void): Promise<void> {
    const deadline = Date.now() + this.lockWaitMs;
    let pause = 2;
    for (;;) {
      try {
        step();
        return;
      } catch (err) {
        if (!isBusy(err) || Date.now() >= deadline) throw err;
      }
      await sleep(pause + Math.random() * pause);
      pause = Math.min(pause * 2, 50);
    }
  }
}
