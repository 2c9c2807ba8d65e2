import type { Agenda, Job } from 'agenda';
import type { LinkJobStartOptions } from '../connections/link-jobs.js';
import type { HubId } from '../domain/ids.js';
import type { SyncTrigger } from '../domain/model.js';
import { defineJob, type JobDefinition, type RegisteredJob } from '../jobs/define-job.js';
import type { Logger } from '../logger.js';
import { AppointmentChange, Calendar, Connection, HostUser, SyncRun } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { loadTenantSettings, type SyncEngine } from './sync-engine.js';
import type { SyncRuns } from './sync-runs.service.js';

export const SYNC_POLL_JOB = 'sync.poll';
export const SYNC_OUTBOUND_JOB = 'sync.outbound';
export const SYNC_RUN_JOB = 'sync.run';
export const SYNC_HOUSEKEEPING_JOB = 'sync.housekeeping';

/** A run still RUNNING this long after it started, on a link nobody holds, was left by a crashed worker. */
const STALE_RUN_MS = 10 * 60_000;

/** A RUNNING run this old that no job carries any more is not shared by a new request (its job was cancelled). */
const ORPHAN_RUN_AFTER_MS = 30_000;

/** How soon a job that found the link's lease taken tries again. */
const BUSY_RETRY_MS = 250;

export interface LinkJobData {
  connectionId: HubId<'connection'>;
}

export interface RunJobData extends LinkJobData {
  runId: HubId<'syncRun'>;
}

/**
 * When sync runs happen, as Agenda jobs (all of them carry `connectionId`, so a link's jobs stop
 * together when it needs a relink or is revoked):
 * - `sync.poll`: one recurring job per ACTIVE link, every 3 minutes for active users and every
 *   50 for inactive ones by default (tenant `polling` settings); a poll reads the primary calendar
 *   from its cursor and writes what is pending.
 * - `sync.outbound`: enqueued by every host write, run at once (the scheduler is woken in-process,
 *   not at its next scan); it writes the link's pending pairs. Rapid edits coalesce: each job
 *   writes whatever is pending when it gets the link's lease, the next ones find nothing to do.
 * - `sync.run`: a run created ahead (syncNow, the first run of a link, cleanup, verify), queued with
 *   high priority so it goes before polls.
 * A job that finds the link's lease taken tries again shortly; no write request is ever dropped.
 */
export class SyncScheduler {
  readonly pollJob: JobDefinition<LinkJobData>;
  readonly outboundJob: JobDefinition<LinkJobData>;
  readonly runJob: JobDefinition<RunJobData>;
  private extraRunHandlers = new Map<SyncTrigger, (run: SyncRun) => Promise<void>>();

  constructor(
    private readonly deps: {
      orm: Orm;
      agenda: Agenda;
      engine: SyncEngine;
      runs: SyncRuns;
      logger: Logger;
      /** SYNC_POLL_INTERVAL_MS: one fixed cadence for every link (tests, demos, benchmarks). */
      pollIntervalMs?: number | null;
      /** SYNC_RUN_RETENTION_DAYS. */
      retentionDays?: number;
    },
  ) {
    // lockLimit: polls due in bulk (many links) never hold more of the instance's job locks than
    // they can run, so host writes, queued runs and calendar refreshes always find a free one.
    this.pollJob = defineJob<LinkJobData>(SYNC_POLL_JOB, (data, job) => this.poll(data.connectionId, job), { concurrency: 4, lockLimit: 4 });
    this.outboundJob = defineJob<LinkJobData>(SYNC_OUTBOUND_JOB, (data, job) => this.outbound(data.connectionId, job), {
      concurrency: 4,
      priority: 'high',
      removeOnComplete: true,
    });
    this.runJob = defineJob<RunJobData>(SYNC_RUN_JOB, (data, job) => this.executeQueued(data, job), { concurrency: 4, priority: 'high', removeOnComplete: true });
    this.housekeepingJob = defineJob<Record<string, never>>(SYNC_HOUSEKEEPING_JOB, () => this.housekeeping().then(() => undefined), { concurrency: 1 });
  }

  readonly housekeepingJob: JobDefinition<Record<string, never>>;

  get jobDefinitions(): RegisteredJob[] {
    return [this.pollJob, this.outboundJob, this.runJob, this.housekeepingJob];
  }

  /**
   * Closes runs a crashed worker left RUNNING (its link's lease expired long ago) as FAILED, and
   * deletes finished runs and change-feed entries past the retention. Hourly, and once at start.
   */
  async housekeeping(now = new Date()): Promise<{ interrupted: number; runsDeleted: number; changesDeleted: number }> {
    const em = this.deps.orm.em.fork();
    let interrupted = 0;
    const stale = await em.find(SyncRun, { outcome: 'RUNNING', startedAt: { $lt: new Date(now.getTime() - STALE_RUN_MS) } }, { limit: 500 });
    for (const run of stale) {
      const held = await em.count(Connection, { id: run.connectionId, leaseExpiresAt: { $gt: now } });
      if (held > 0) continue;
      await this.deps.runs.abandon(run, { code: 'INTERRUPTED', message: 'The worker running this sync stopped before it finished; the next run picks up where it left off.' });
      interrupted += 1;
    }
    const before = new Date(now.getTime() - (this.deps.retentionDays ?? 30) * 86_400_000);
    const runsDeleted = await em.nativeDelete(SyncRun, { outcome: { $ne: 'RUNNING' }, finishedAt: { $lt: before } });
    const changesDeleted = await em.nativeDelete(AppointmentChange, { at: { $lt: before } });
    if (interrupted + runsDeleted + changesDeleted > 0) this.deps.logger.info({ interrupted, runsDeleted, changesDeleted }, 'sync housekeeping');
    return { interrupted, runsDeleted, changesDeleted };
  }

  /** Lets another feature run a trigger of its own through `sync.run` (cleanup, verify). */
  handleTrigger(trigger: SyncTrigger, handler: (run: SyncRun) => Promise<void>): void {
    this.extraRunHandlers.set(trigger, handler);
  }

  /** A host write is waiting for this link: write it now. */
  async requestOutbound(connectionId: HubId<'connection'>): Promise<void> {
    await this.outboundJob.now(this.deps.agenda, { connectionId });
  }

  /**
   * Queues a run of `trigger` for the link and returns it (RUNNING until it finishes). A manual run
   * already queued or running for the link is shared instead of starting a second one.
   */
  async requestRun(link: Pick<Connection, 'id' | 'tenantId'>, trigger: SyncTrigger, options: { confirmDeletions?: boolean; repair?: boolean; share?: boolean } = {}): Promise<SyncRun> {
    const repair = options.repair ?? false;
    if (options.share !== false) {
      const running = await this.deps.orm.em.fork().findOne(SyncRun, { connectionId: link.id, trigger, outcome: 'RUNNING' }, { orderBy: { id: 'desc' } });
      if (running && (!options.confirmDeletions || running.confirmDeletions) && running.repair === repair) {
        // Shared while a job carries it (or it was queued a moment ago and its job is being saved): a run
        // whose job was cancelled (the link was revoked) would never finish.
        const queuedJustNow = Date.now() - running.startedAt.getTime() < ORPHAN_RUN_AFTER_MS;
        if (queuedJustNow || (await this.deps.agenda.queryJobs({ data: { runId: running.id } })).total > 0) return running;
        await this.deps.runs.abandon(running, { code: 'INTERRUPTED', message: 'This sync was cancelled before it ran (the link was revoked); a new run took its place.' });
      }
    }
    const run = await this.deps.runs.create(link, trigger, trigger === 'CLEANUP' ? 'OUTBOUND' : 'BOTH', { confirmDeletions: options.confirmDeletions ?? false, repair });
    await this.runJob.now(this.deps.agenda, { connectionId: link.id, runId: run.id });
    return run;
  }

  /**
   * A link became ACTIVE (linked, relinked): its poll job, and a first run at once — INITIAL when its
   * primary calendar was never read, a POLL otherwise (a relink resumes from the stored cursor).
   * Reconciling at start (`LinkJobs.reconcile`): only a missing poll job is created, an existing
   * schedule is kept, and no run is queued.
   */
  async startLink(agenda: Agenda, connectionId: HubId<'connection'>, options: LinkJobStartOptions = { reconcile: false }): Promise<void> {
    const em = this.deps.orm.em.fork();
    const link = await em.findOne(Connection, { id: connectionId });
    if (!link || link.status !== 'ACTIVE') return;
    await this.schedulePolls(agenda, link, await this.intervalFor(link), { keepSchedule: options.reconcile });
    if (options.reconcile) return;
    const primary = await em.findOne(Calendar, { connectionId, role: 'PRIMARY', removedAt: null });
    await this.requestRun(link, primary?.cursor ? 'POLL' : 'INITIAL');
  }

  /** The tenant-wide housekeeping job (hourly), created at start when missing. */
  async scheduleHousekeeping(): Promise<void> {
    await this.housekeepingJob.every(this.deps.agenda, 3_600_000, {});
  }

  private async schedulePolls(agenda: Agenda, link: Pick<Connection, 'id'>, intervalMs: number, options: { keepSchedule: boolean }): Promise<void> {
    const job = agenda.create<LinkJobData>(SYNC_POLL_JOB, { connectionId: link.id });
    job.unique({ name: SYNC_POLL_JOB, 'data.connectionId': link.id }, { insertOnly: options.keepSchedule });
    job.repeatEvery(intervalMs, { skipImmediate: true });
    await job.save();
    await this.deps.orm.em.fork().nativeUpdate(Connection, { id: link.id }, { nextSyncAt: job.attrs.nextRunAt ?? null });
  }

  /** The poll interval of a link: active users (host activity within `activeWithinDays`) poll more often. */
  async intervalFor(link: Pick<Connection, 'tenantId' | 'userId'>): Promise<number> {
    if (this.deps.pollIntervalMs) return this.deps.pollIntervalMs;
    const settings = await loadTenantSettings(this.deps.orm, link.tenantId);
    const user = await this.deps.orm.em.fork().findOne(HostUser, { id: link.userId }, { fields: ['lastHostActivityAt', 'active'] });
    const activeSince = Date.now() - settings.polling.activeWithinDays * 86_400_000;
    const active = user !== null && user.active && user.lastHostActivityAt !== null && user.lastHostActivityAt.getTime() >= activeSince;
    return (active ? settings.polling.activeIntervalMinutes : settings.polling.inactiveIntervalMinutes) * 60_000;
  }

  private async poll(connectionId: HubId<'connection'>, job: Job<LinkJobData>): Promise<void> {
    const em = this.deps.orm.em.fork();
    const link = await em.findOne(Connection, { id: connectionId });
    if (!link || link.status !== 'ACTIVE') return;
    const result = await this.deps.engine.run(connectionId, () => this.deps.runs.create(link, 'POLL', 'BOTH'), { heartbeat: () => job.touch() });
    if (result.status === 'BUSY') this.deps.logger.debug({ connectionId }, 'poll skipped: the link is being synced by another run');
    // The cadence follows the user's activity and the tenant's settings as they are now.
    const interval = await this.intervalFor(link);
    if (job.attrs.repeatInterval !== interval) {
      job.repeatEvery(interval, { skipImmediate: true });
      await job.save();
    }
    await em.nativeUpdate(Connection, { id: connectionId }, { nextSyncAt: new Date(Date.now() + interval) });
  }

  private async outbound(connectionId: HubId<'connection'>, job: Job<LinkJobData>): Promise<void> {
    const { engine, runs, agenda } = this.deps;
    if (!(await engine.hasPendingWrites(connectionId))) return;
    const link = await this.deps.orm.em.fork().findOne(Connection, { id: connectionId });
    if (!link || link.status !== 'ACTIVE') return;
    const result = await engine.run(connectionId, () => runs.create(link, 'OUTBOUND', 'OUTBOUND'), { heartbeat: () => job.touch() });
    if (result.status === 'BUSY') await this.outboundJob.schedule(agenda, new Date(Date.now() + BUSY_RETRY_MS), { connectionId });
    else if (result.status === 'THROTTLED') await this.outboundJob.schedule(agenda, new Date(Date.now() + result.retryAfterMs), { connectionId });
    else if (result.run.outcome !== 'FAILED' && (await engine.hasPendingWrites(connectionId))) {
      // Written while this run held the lease, after its last look: one more run.
      await this.requestOutbound(connectionId);
    }
  }

  private async executeQueued(data: RunJobData, job: Job<RunJobData>): Promise<void> {
    const run = await this.deps.orm.em.fork().findOne(SyncRun, { id: data.runId });
    if (!run || run.outcome !== 'RUNNING') return;
    const extra = this.extraRunHandlers.get(run.trigger);
    if (extra) {
      await extra(run);
      return;
    }
    const result = await this.deps.engine.run(run.connectionId, async () => run, { heartbeat: () => job.touch() });
    if (result.status === 'BUSY') await this.runJob.schedule(this.deps.agenda, new Date(Date.now() + BUSY_RETRY_MS), data);
  }
}
