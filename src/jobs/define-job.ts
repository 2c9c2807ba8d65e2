import type { Agenda, Job } from 'agenda';
import { DuplicateJobError } from './jobs.errors.js';

/**
 * How the hub defines background jobs.
 *
 * A job module exports a factory that closes over the services it needs and returns
 * `defineJob(...)`. The handler stays thin: it reads its data, forks its OWN EntityManager (jobs
 * run concurrently and outside any request, so they must never share the global or a request's
 * EntityManager), and delegates to a service in `sync/` or elsewhere:
 *
 * ```ts
 * export const syncConnectionJob = (deps: { orm: Orm; sync: SyncService }) =>
 *   defineJob<{ connectionId: HubId<'connection'> }>('sync-connection', async (data, job) => {
 *     const em = deps.orm.em.fork();
 *     await deps.sync.runForConnection(em, data.connectionId, { attempt: (job.attrs.failCount ?? 0) + 1 });
 *   }, { concurrency: 4 });
 * ```
 *
 * The hub collects the definitions in a `JobRegistry` and applies it to the scheduler's Agenda
 * before `start()`, so an instance only locks jobs it can run. Call sites enqueue through the
 * definition (`syncConnectionJob(deps).now(agenda, { connectionId })`), so job data is typed at
 * both ends. Job data is stored as JSON: ids and small values only, never entities or secrets.
 * A handler that throws fails the run (Agenda records `failCount`, `failReason`, `failedAt`).
 */

/** Agenda's per-definition options (concurrency, lockLifetime, priority, backoff, …). */
export type JobOptions = NonNullable<Parameters<Agenda['define']>[2]>;

export type JobHandler<TData> = (data: TData, job: Job<TData>) => Promise<void>;

export interface EveryOptions {
  timezone?: string;
  /** Do not run at once; the first run is one interval from now. */
  skipImmediate?: boolean;
}

export interface KeyedEveryOptions extends EveryOptions {
  /** One recurring job per value of these data fields (e.g. one per connection). */
  key?: Record<string, unknown>;
  /** With `key`: when the job exists, leave it (and its next run) as it is instead of rescheduling it. */
  keepSchedule?: boolean;
}

/** What the registry needs of a definition, whatever its data type. */
export interface RegisteredJob {
  readonly name: string;
  readonly options: JobOptions;
  /** Runs the handler for one locked run of the job. */
  run(job: Job<unknown>): Promise<void>;
}

export interface JobDefinition<TData> extends RegisteredJob {
  readonly handler: JobHandler<TData>;
  /** Runs as soon as a worker is free. */
  now(agenda: Agenda, data: TData): Promise<Job<TData>>;
  /** Runs at `when` (a Date, or an Agenda time string such as "in 5 minutes"). */
  schedule(agenda: Agenda, when: Date | string, data: TData): Promise<Job<TData>>;
  /**
   * Runs every `interval` (ms, a human interval or a cron expression). With `key`, one recurring
   * job per key value (e.g. one per connection); without, one per job name.
   */
  every(agenda: Agenda, interval: string | number, data: TData, options?: KeyedEveryOptions): Promise<Job<TData>>;
  /** Cancels this job's queued runs, optionally only those whose data matches `data`. */
  cancel(agenda: Agenda, data?: Partial<TData>): Promise<number>;
}

export function defineJob<TData>(name: string, handler: JobHandler<TData>, options: JobOptions = {}): JobDefinition<TData> {
  if (name.trim() === '') throw new TypeError('a job needs a name');
  return {
    name,
    handler,
    options,
    run: (job) => handler(job.attrs.data as TData, job as Job<TData>),
    now: (agenda, data) => agenda.now<TData>(name, data),
    schedule: (agenda, when, data) => agenda.schedule<TData>(when, name, data),
    every: async (agenda, interval, data, everyOptions = {}) => {
      const { key, keepSchedule, ...repeat } = everyOptions;
      if (!key) return agenda.every<TData>(interval, name, data, repeat);
      // agenda.every() keeps one job per NAME; per-key recurring jobs use a unique constraint.
      const job: Job<TData> = agenda.create<TData>(name, data);
      job.unique({ name, ...key }, { insertOnly: keepSchedule ?? false }).repeatEvery(interval, repeat);
      await job.save();
      return job;
    },
    cancel: (agenda, data) => agenda.cancel(data === undefined ? { name } : { name, data }),
  };
}

/** The job definitions of one hub, applied to its Agenda before it starts processing. */
export class JobRegistry {
  private readonly definitions = new Map<string, RegisteredJob>();

  add(...definitions: RegisteredJob[]): this {
    for (const definition of definitions) {
      if (this.definitions.has(definition.name)) throw new DuplicateJobError(definition.name);
      this.definitions.set(definition.name, definition);
    }
    return this;
  }

  get names(): string[] {
    return [...this.definitions.keys()];
  }

  /** Defines every registered job on `agenda` (before `start()`, so it can process them). */
  applyTo(agenda: Agenda): void {
    for (const definition of this.definitions.values()) {
      agenda.define<unknown>(definition.name, (job) => definition.run(job), definition.options);
    }
  }
}
