import { hostname } from 'node:os';
import { Agenda, InMemoryNotificationChannel, type AgendaBackend, type Job, type JobNotification } from 'agenda';
import type { Db } from 'mongodb';
import type { HubConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { SqliteBackend } from './backends/sqlite-backend.js';
import { JobBackendConfigError } from './jobs.errors.js';

export interface JobScheduler {
  readonly agenda: Agenda;
  /** Starts processing (define jobs first). With `config.jobs.enabled` false it does nothing. */
  start(): Promise<void>;
  /**
   * Stops taking jobs, releases the locks of jobs locked but not started, waits up to `graceMs`
   * for running jobs to finish, then closes the backend's own connection. A job still running
   * after the grace period keeps its lock: another instance runs it again once its lock lifetime
   * has passed (releasing it now could run it twice while this process is still finishing it).
   */
  stop(graceMs: number): Promise<void>;
  /** Proves the job store answers (for `/readyz`). */
  ping(): Promise<void>;
}

/** Table (SQLite) or collection (MongoDB) holding the jobs. */
export const JOBS_STORE_NAME = 'agenda_jobs';

/**
 * Agenda 6 for the hub's database mode:
 * - SQLite: the hub's own `SqliteBackend` on `config.database.file` (its own connection);
 * - MongoDB: `@agendajs/mongo-backend` on the hub's `Db` (the one of MikroORM's connection; the
 *   backend never closes it).
 *
 * `config.jobs` applies: poll interval (`processEvery`), lock lifetime, and concurrency, used as
 * Agenda's global `maxConcurrency`, its per-job default, and its `lockLimit`, so an instance locks
 * no more jobs than it can run and the other instances get the rest.
 * With `config.jobs.enabled` false the instance can schedule, cancel and query jobs but never
 * processes them (another instance does).
 */
export async function createJobScheduler(deps: { config: HubConfig; logger: Logger; mongoDb?: Db }): Promise<JobScheduler> {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'jobs' });
  let backend: AgendaBackend;
  let ping: () => Promise<void>;

  switch (config.database.kind) {
    case 'sqlite': {
      const sqlite = new SqliteBackend({ file: config.database.file, table: JOBS_STORE_NAME });
      backend = sqlite;
      ping = () => sqlite.ping();
      break;
    }
    case 'mongodb': {
      const db = deps.mongoDb;
      if (!db) throw new JobBackendConfigError('the MongoDB job backend needs the Db of the hub connection (deps.mongoDb)');
      // Loaded only on MongoDB (it pulls in the MongoDB driver), like the store's driver.
      const { MongoBackend } = await import('@agendajs/mongo-backend');
      backend = new MongoBackend({ mongo: db, collection: JOBS_STORE_NAME });
      ping = async () => {
        await db.command({ ping: 1 });
      };
      break;
    }
  }

  // Agenda's constructor calls backend.connect() without handling a rejection; connect first so a
  // failure rejects here, then hand Agenda a backend whose connect() is already settled.
  const connected = backend.connect();
  await connected;
  const notificationChannel = new DueKickingChannel((notification) => kickWhenDue(notification.jobName, notification.jobId, notification.priority, notification.nextRunAt));
  const agenda = new Agenda({
    backend: settledBackend(backend, connected),
    name: `${hostname()}:${process.pid}`,
    processEvery: config.jobs.pollIntervalMs,
    defaultLockLifetime: config.jobs.lockLifetimeMs,
    maxConcurrency: config.jobs.concurrency,
    defaultConcurrency: config.jobs.concurrency,
    lockLimit: config.jobs.concurrency,
    // A job saved to run now wakes this instance's processor at once instead of waiting for the
    // next scan (`processEvery`): an outbound write is dispatched in milliseconds. Other instances
    // pick such a job up at their next scan.
    notificationChannel,
  });

  const running = new Set<Job>();
  let drained: (() => void) | undefined;
  agenda.on('error', (err: Error) => logger.error({ err }, 'job scheduler error'));
  agenda.on('start', (job: Job) => {
    running.add(job);
  });
  agenda.on('complete', (job: Job) => {
    running.delete(job);
    if (running.size === 0) drained?.();
    refill(job);
  });
  agenda.on('fail', (err: Error, job: Job) =>
    logger.warn({ err, job: job.attrs.name, jobId: String(job.attrs._id), failCount: job.attrs.failCount }, 'job failed'),
  );

  let started = false;
  let stopped = false;

  /**
   * A finished job frees its lock slot: look for the next due job of its name now. Agenda itself
   * locks new jobs only at its scans (every `processEvery`) and on notifications, so without this
   * an instance whose slots are full runs at most `lockLimit` jobs per scan (10 per 2 s by
   * default: 5 polls a second whatever the CPU), and a recurring job due again before the next scan
   * (a short poll interval) waits for that scan. `setImmediate`: the processor releases the slot
   * right after the `complete` event, in the same turn.
   */
  const refill = (job: Job) => {
    if (!started || stopped) return;
    setImmediate(() => {
      publishDueNow(job.attrs.name, job.attrs._id!, job.attrs.priority);
      // A recurring job whose next run is due before the next scan (see kickWhenDue).
      kickWhenDue(job.attrs.name, job.attrs._id!, job.attrs.priority, job.attrs.nextRunAt ?? null);
    });
  };

  const publishDueNow = (jobName: string, jobId: JobNotification['jobId'], priority: number) => {
    if (stopped || notificationChannel.state !== 'connected') return;
    notificationChannel
      .publish({ jobId, jobName, nextRunAt: new Date(), priority, timestamp: new Date() })
      .catch((err: unknown) => logger.warn({ err, job: jobName }, 'looking for the next due job failed; the next scan picks it up'));
  };

  /**
   * A job due before the next scan is locked at once and waits in Agenda's local queue on one
   * timer set to its `nextRunAt`. Node's timers count from the event loop's cached clock, so under
   * load that timer can fire a millisecond or two before `Date.now()` reaches `nextRunAt`; Agenda
   * then finds the job "not yet due", puts it back and sets no second timer, and the job (still
   * locked by this instance, so no other instance can take it) waits for the next scan — up to
   * the poll interval late (an hour in the test that found it). So every notification and every
   * finished recurring job due within the poll interval also gets a timer of ours, a little after
   * `nextRunAt`, that publishes "due now": Agenda fills and processes its queue again and runs it.
   * A spare wake-up costs one lock query.
   */
  const kickWhenDue = (jobName: string, jobId: JobNotification['jobId'], priority: number, nextRunAt: Date | null) => {
    if (!started || stopped || !nextRunAt) return;
    const wait = nextRunAt.getTime() - Date.now();
    if (wait <= 0 || wait > config.jobs.pollIntervalMs) return;
    const timer = setTimeout(() => {
      kicks.delete(timer);
      publishDueNow(jobName, jobId, priority);
    }, wait + KICK_MARGIN_MS);
    timer.unref();
    kicks.add(timer);
  };
  const kicks = new Set<NodeJS.Timeout>();

  return {
    agenda,
    async start() {
      if (stopped) throw new Error('job scheduler was stopped');
      if (!config.jobs.enabled) {
        logger.info('job processing is disabled on this instance (JOBS_ENABLED=false); jobs are only scheduled');
        return;
      }
      await agenda.start();
      started = true;
      logger.info(
        { backend: backend.name, pollIntervalMs: config.jobs.pollIntervalMs, concurrency: config.jobs.concurrency },
        'job processing started',
      );
    },
    async stop(graceMs: number) {
      if (stopped) return;
      stopped = true;
      for (const timer of kicks) clearTimeout(timer);
      kicks.clear();
      if (started) {
        // stop() ends polling and unlocks jobs this instance locked but has not started;
        // running jobs keep their locks until they finish (Agenda's JobProcessor.stop).
        await agenda.stop(false);
        if (running.size > 0) {
          logger.info({ jobs: [...running].map((job) => job.attrs.name), graceMs }, 'waiting for running jobs to finish');
          let timer: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            drained = resolve;
            timer = setTimeout(resolve, graceMs);
          });
          clearTimeout(timer);
          drained = undefined;
        }
        if (running.size > 0) {
          logger.warn(
            { jobs: [...running].map((job) => ({ job: job.attrs.name, jobId: String(job.attrs._id) })), graceMs },
            'jobs still running after the shutdown grace period; they run again elsewhere once their lock expires',
          );
        }
      }
      // The SQLite backend owns its connection; the MongoDB backend leaves the hub's Db open.
      await backend.disconnect();
      logger.info('job scheduler stopped');
    },
    ping,
  };
}

/** How long after a job's `nextRunAt` our own wake-up fires (see `kickWhenDue`). */
const KICK_MARGIN_MS = 15;

/** The in-process channel, also telling `onPublish` about every notification it delivered. */
class DueKickingChannel extends InMemoryNotificationChannel {
  constructor(private readonly onPublish: (notification: JobNotification) => void) {
    super();
  }

  override async publish(notification: JobNotification): Promise<void> {
    await super.publish(notification);
    this.onPublish(notification);
  }
}

/** `backend` with `connect()` returning the given settled promise (Agenda calls it once more). */
function settledBackend(backend: AgendaBackend, connected: Promise<void>): AgendaBackend {
  return {
    get name() {
      return backend.name;
    },
    get repository() {
      return backend.repository;
    },
    get notificationChannel() {
      return backend.notificationChannel;
    },
    get logger() {
      return backend.logger;
    },
    get ownsConnection() {
      return backend.ownsConnection;
    },
    connect: () => connected,
    disconnect: () => backend.disconnect(),
  };
}
