import type { FilterQuery } from '@mikro-orm/core';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { parseId } from '../domain/ids.js';
import { CONFLICT_CHOICES, MAPPING_STATES, SYNC_RUN_OUTCOMES, SYNC_TRIGGERS, type ConflictChoice, type MappingState, type SyncRunOutcome, type SyncTrigger } from '../domain/model.js';
import { SYNC_ISSUE_CODES, type SyncIssueCode } from '../domain/sync-issue.js';
import type { CleanupService } from './cleanup.service.js';
import type { Logger } from '../logger.js';
import { Conflict, Connection, HostUser, SyncIssue, SyncMapping, SyncRun } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { paginate, type Page, type PageArgs, type Stored } from '../store/repositories/paginate.js';
import { resolveTenantId, tenantFilter, type Caller } from '../tenancy/caller.js';
import { oneOf } from '../tenancy/input-rules.js';
import type { ChangeFeed, ChangePage } from './change-feed.service.js';
import { readLinkSyncState, type LinkSyncState } from './link-sync-state.js';
import type { SyncEngine } from './sync-engine.js';
import type { SyncRuns } from './sync-runs.service.js';
import type { SyncScheduler } from './sync-scheduler.js';
import type { VerifyService } from './verify.service.js';

export interface SyncRunFilter {
  tenantId?: string | null;
  connectionId?: string | null;
  trigger?: SyncTrigger | null;
  outcome?: SyncRunOutcome | null;
  /** Newest first (recent runs) instead of oldest first. */
  newestFirst?: boolean | null;
}

export interface SyncMappingFilter {
  tenantId?: string | null;
  connectionId?: string | null;
  appointmentId?: string | null;
  state?: MappingState | null;
}

export interface ConflictFilter {
  tenantId?: string | null;
  connectionId?: string | null;
  resolved?: boolean | null;
}

export interface SyncIssueFilter {
  tenantId?: string | null;
  userId?: string | null;
  connectionId?: string | null;
  code?: SyncIssueCode | null;
  /** true: open only; false: resolved only. */
  open?: boolean | null;
}

/**
 * What the API asks of the engine: runs on demand (syncNow, cleanup), the two-way switch, conflict
 * resolution, and reading runs, pairs, conflicts and the change feed — all tenant-scoped, another
 * tenant's ids reading as unknown.
 */
export class SyncService {
  private readonly twoWayListeners: ((link: Connection) => Promise<void>)[] = [];

  constructor(
    private readonly deps: {
      orm: Orm;
      engine: SyncEngine;
      scheduler: SyncScheduler;
      runs: SyncRuns;
      changes: ChangeFeed;
      cleanup: CleanupService;
      verify: VerifyService;
      logger: Logger;
    },
  ) {
    deps.scheduler.handleTrigger('CLEANUP', (run) => this.runCleanup(run));
    deps.scheduler.handleTrigger('VERIFY', async (run) => void (await deps.verify.execute(run)));
  }

  private async link(caller: Caller, connectionId: string): Promise<Connection> {
    const id = parseId('connection', connectionId);
    const link = id ? await this.deps.orm.em.fork().findOne(Connection, { id, ...tenantFilter(caller) }) : null;
    if (!link) throw new NotFoundError('Connection', connectionId);
    return link;
  }

  private requireActive(link: Connection, what: string): void {
    if (link.status !== 'ACTIVE') {
      throw new ConflictError(`The link is ${link.status}, so it cannot ${what}.`, link.status === 'REVOKED' ? 'Link the calendar again (linkCalendar).' : 'Relink the calendar (linkCalendar for the same user and provider); syncing resumes where it stopped.');
    }
  }

  /** Starts a sync of the link now (ahead of polls); concurrent calls share the run in progress. */
  async syncNow(caller: Caller, connectionId: string, options: { confirmDeletions?: boolean } = {}): Promise<SyncRun> {
    const link = await this.link(caller, connectionId);
    this.requireActive(link, 'sync');
    return this.deps.scheduler.requestRun(link, 'MANUAL', { confirmDeletions: options.confirmDeletions ?? false });
  }

  /** Starts a CLEANUP run: every event the hub wrote in the link's calendars is deleted; host data is kept. */
  async cleanupSyncedEvents(caller: Caller, connectionId: string): Promise<SyncRun> {
    const link = await this.link(caller, connectionId);
    this.requireActive(link, 'clean up its calendars');
    return this.deps.scheduler.requestRun(link, 'CLEANUP');
  }

  /** Called after two-way sync of a link was switched on or off (a layer above, such as push, follows it). */
  onTwoWayChanged(listener: (link: Connection) => Promise<void>): void {
    this.twoWayListeners.push(listener);
  }

  /**
   * Starts a VERIFY run: both sides read afresh over the sync window and compared (SyncRun.drift);
   * with `repair`, what differs is put right through the engine's own rules. A verify run of the
   * same kind already queued or running is shared.
   */
  async verifySync(caller: Caller, connectionId: string, options: { repair?: boolean; here?: boolean } = {}): Promise<SyncRun> {
    const link = await this.link(caller, connectionId);
    this.requireActive(link, 'be verified');
    const repair = options.repair ?? false;
    // `here`: run it in this process and return it finished (the command line, which has no job workers).
    if (options.here) return this.deps.verify.execute(await this.deps.runs.create(link, 'VERIFY', 'BOTH', { repair }));
    return this.deps.scheduler.requestRun(link, 'VERIFY', { repair });
  }

  /** Switches two-way sync; off means host → calendar only (no inbound reads, the host always wins). */
  async enableTwoWaySync(caller: Caller, connectionId: string, enabled: boolean): Promise<Connection> {
    const link = await this.link(caller, connectionId);
    if (link.status === 'REVOKED') throw new ConflictError('The link was revoked.', 'Link the calendar again (linkCalendar).');
    if (link.twoWay === enabled) return link;
    await this.deps.orm.em.fork().nativeUpdate(Connection, { id: link.id }, { twoWay: enabled, updatedAt: new Date() });
    link.twoWay = enabled;
    // Turning it on reads the calendar at once rather than at the next poll.
    if (enabled && link.status === 'ACTIVE') await this.deps.scheduler.requestRun(link, 'MANUAL');
    for (const listener of this.twoWayListeners) {
      await listener(link).catch((err: unknown) => this.deps.logger.error({ err, connectionId: link.id }, 'a listener of the two-way switch failed'));
    }
    return link;
  }

  async syncRun(caller: Caller, id: string): Promise<SyncRun> {
    const runId = parseId('syncRun', id);
    const run = runId ? await this.deps.orm.em.fork().findOne(SyncRun, { id: runId, ...tenantFilter(caller) }) : null;
    if (!run) throw new NotFoundError('SyncRun', id);
    return run;
  }

  async syncRuns(caller: Caller, filter: SyncRunFilter, page: PageArgs): Promise<Page<SyncRun>> {
    const em = this.deps.orm.em.fork();
    const where: FilterQuery<SyncRun> = {};
    if (filter.connectionId) {
      where.connectionId = (await this.link(caller, filter.connectionId)).id;
    } else {
      where.tenantId = await resolveTenantId(em, caller, filter.tenantId);
    }
    if (filter.trigger) where.trigger = oneOf('filter.trigger', filter.trigger, SYNC_TRIGGERS);
    if (filter.outcome) where.outcome = oneOf('filter.outcome', filter.outcome, SYNC_RUN_OUTCOMES);
    return paginate(em, SyncRun, where, page, { newestFirst: filter.newestFirst === true });
  }

  async syncMapping(caller: Caller, id: string): Promise<SyncMapping> {
    const mappingId = parseId('syncMapping', id);
    const m = mappingId ? await this.deps.orm.em.fork().findOne(SyncMapping, { id: mappingId, ...tenantFilter(caller) }) : null;
    if (!m) throw new NotFoundError('SyncMapping', id);
    return m;
  }

  async syncMappings(caller: Caller, filter: SyncMappingFilter, page: PageArgs): Promise<Page<Stored<SyncMapping>>> {
    const em = this.deps.orm.em.fork();
    const where: FilterQuery<SyncMapping> = {};
    if (filter.connectionId) where.connectionId = (await this.link(caller, filter.connectionId)).id;
    else where.tenantId = await resolveTenantId(em, caller, filter.tenantId);
    if (filter.appointmentId) where.appointmentId = parseId('appointment', filter.appointmentId) ?? ('' as never);
    if (filter.state) where.state = oneOf('filter.state', filter.state, MAPPING_STATES);
    return paginate(em, SyncMapping, where, page);
  }

  async conflict(caller: Caller, id: string): Promise<Conflict> {
    const conflictId = parseId('conflict', id);
    const c = conflictId ? await this.deps.orm.em.fork().findOne(Conflict, { id: conflictId, ...tenantFilter(caller) }) : null;
    if (!c) throw new NotFoundError('Conflict', id);
    return c;
  }

  async conflicts(caller: Caller, filter: ConflictFilter, page: PageArgs): Promise<Page<Conflict>> {
    const em = this.deps.orm.em.fork();
    const where: FilterQuery<Conflict> = {};
    if (filter.connectionId) where.connectionId = (await this.link(caller, filter.connectionId)).id;
    else where.tenantId = await resolveTenantId(em, caller, filter.tenantId);
    if (filter.resolved !== null && filter.resolved !== undefined) where.status = filter.resolved ? 'RESOLVED' : 'OPEN';
    return paginate(em, Conflict, where, page);
  }

  async syncIssue(caller: Caller, id: string): Promise<SyncIssue> {
    const issueId = parseId('syncIssue', id);
    const issue = issueId ? await this.deps.orm.em.fork().findOne(SyncIssue, { id: issueId, ...tenantFilter(caller) }) : null;
    if (!issue) throw new NotFoundError('SyncIssue', id);
    return issue;
  }

  async syncIssues(caller: Caller, filter: SyncIssueFilter, page: PageArgs): Promise<Page<SyncIssue>> {
    const em = this.deps.orm.em.fork();
    const where: FilterQuery<SyncIssue> = {};
    if (filter.connectionId) {
      const link = await this.link(caller, filter.connectionId);
      where.connectionId = link.id;
      where.tenantId = link.tenantId;
    } else {
      where.tenantId = await resolveTenantId(em, caller, filter.tenantId);
    }
    if (filter.userId) {
      const userId = parseId('hostUser', filter.userId);
      const user = userId ? await em.findOne(HostUser, { id: userId, ...tenantFilter(caller) }) : null;
      if (!user || user.tenantId !== where.tenantId) throw new NotFoundError('HostUser', filter.userId);
      where.userId = user.id;
    }
    if (filter.code) where.code = oneOf('filter.code', filter.code, SYNC_ISSUE_CODES);
    if (filter.open !== null && filter.open !== undefined) where.resolvedAt = filter.open ? null : { $ne: null };
    return paginate(em, SyncIssue, where, page);
  }

  /** Applies a manual choice to an open conflict (MANUAL policy) and closes it. */
  async resolveConflict(caller: Caller, id: string, choice: ConflictChoice): Promise<Conflict> {
    const picked = oneOf('choice', choice, CONFLICT_CHOICES);
    const c = await this.conflict(caller, id);
    if (c.status !== 'OPEN') throw new ConflictError('This conflict was resolved already.', 'Read the appointment; it holds the version that was chosen.');
    const em = this.deps.orm.em.fork();
    const mapping = await em.findOne(SyncMapping, { id: c.mappingId });
    if (!mapping) throw new NotFoundError('SyncMapping', c.mappingId);
    const link = await em.findOne(Connection, { id: mapping.connectionId });
    if (!link) throw new NotFoundError('Connection', mapping.connectionId);
    this.requireActive(link, 'apply the choice');
    const applied = await this.deps.engine.resolvePair(mapping, picked);
    if (!applied) throw new ConflictError('The link is busy with a sync run right now.', 'Try again in a few seconds.');
    const now = new Date();
    await em.nativeUpdate(Conflict, { id: c.id }, { status: 'RESOLVED', decision: picked, resolvedAt: now, resolvedBy: caller.apiKeyId ?? 'OPERATOR', updatedAt: now });
    return this.conflict(caller, id);
  }

  /** What the link's sync is doing now (`Connection.syncState`, src/sync/link-sync-state.ts). */
  linkSyncState(link: Connection): Promise<LinkSyncState> {
    return readLinkSyncState(this.deps.orm.em.fork(), link);
  }

  async appointmentChanges(caller: Caller, args: { tenantId?: string | null; after?: string | null; first?: number | null }): Promise<ChangePage> {
    const tenantId = await resolveTenantId(this.deps.orm.em.fork(), caller, args.tenantId);
    return this.deps.changes.list(tenantId, args);
  }

  private async runCleanup(run: SyncRun): Promise<void> {
    const { engine, runs, cleanup, orm } = this.deps;
    const done = await engine.withLease(run.connectionId, async () => {
      const link = await orm.em.fork().findOne(Connection, { id: run.connectionId });
      if (!link) {
        await runs.abandon(run, { code: 'CONNECTION_NOT_ACTIVE', message: 'The link is gone.' });
        return;
      }
      const tracker = await runs.start(run);
      const outcome = await cleanup.run(link, {
        meter: tracker.meter,
        onProgress: async (deleted, failed) => {
          tracker.run.counts.outbound.deleted = deleted;
          tracker.run.counts.outbound.errors = failed;
          await tracker.progress();
        },
      });
      tracker.run.counts.outbound.deleted = outcome.eventsDeleted;
      tracker.run.counts.outbound.errors = outcome.eventsFailed;
      await runs.finish(tracker, outcome.status === 'NOT_RUN' ? { code: 'CLEANUP_NOT_RUN', message: outcome.reason ?? 'The cleanup could not run.' } : null);
    }, 60_000);
    if (done === null) await runs.abandon(run, { code: 'BUSY', message: 'The link stayed busy with another sync run; start the cleanup again.' });
  }
}
