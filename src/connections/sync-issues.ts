import type { FilterQuery } from '@mikro-orm/core';
import { announce, type EventPublisher } from '../events/event-publisher.js';
import { syncIssuePayload, TOPICS } from '../events/pubsub-topics.js';
import type { HubId } from '../domain/ids.js';
import type { SyncIssueNotice, SyncIssueSide } from '../domain/sync-issue.js';
import type { Logger } from '../logger.js';
import { SyncIssue } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';

export interface IssueScope {
  tenantId: HubId<'tenant'>;
  userId: HubId<'hostUser'> | null;
  connectionId: HubId<'connection'> | null;
  appointmentId?: HubId<'appointment'> | null;
  mappingId?: HubId<'syncMapping'> | null;
  /** The calendar event the notice is about (an item that came from a calendar). */
  externalEventId?: string | null;
  /** Where the item came from. */
  side?: SyncIssueSide | null;
  details?: Record<string, unknown> | null;
}

/**
 * Raises and resolves the notices the hub gives users (the engine's about items, link health's
 * RELINK_REQUIRED). One open notice per `dedupeKey` ("the
 * same problem on the same item"): raising it again counts a repeat; `resolve` closes it when the
 * cause went away. Both are announced (SYNC_ISSUE_RAISED once per notice, SYNC_ISSUE_RESOLVED).
 */
export class SyncIssues {
  constructor(private readonly deps: { orm: Orm; pubsub: EventPublisher; logger: Logger }) {}

  async raise(notice: SyncIssueNotice, dedupeKey: string, scope: IssueScope): Promise<SyncIssue> {
    const em = this.deps.orm.em.fork();
    let issue = await em.findOne(SyncIssue, { tenantId: scope.tenantId, dedupeKey, resolvedAt: null });
    const fresh = issue === null;
    if (issue) {
      issue.occurrences += 1;
      issue.lastSeenAt = new Date();
      issue.message = notice.message;
      issue.tip = notice.tip;
      // The item may have become an appointment since the notice was raised.
      if (scope.appointmentId) issue.appointmentId = scope.appointmentId;
      if (scope.mappingId) issue.mappingId = scope.mappingId;
      if (scope.details !== undefined) issue.details = scope.details;
    } else {
      issue = new SyncIssue({ tenantId: scope.tenantId, code: notice.code, message: notice.message, tip: notice.tip, severity: notice.severity, dedupeKey });
      issue.userId = scope.userId;
      issue.connectionId = scope.connectionId;
      issue.appointmentId = scope.appointmentId ?? null;
      issue.mappingId = scope.mappingId ?? null;
      issue.externalEventId = scope.externalEventId ?? null;
      issue.side = scope.side ?? null;
      issue.details = scope.details ?? null;
      em.persist(issue);
    }
    await em.flush();
    if (fresh) await announce(this.deps, TOPICS.SYNC_ISSUE_RAISED, syncIssuePayload(issue, new Date()), { syncIssueId: issue.id });
    return issue;
  }

  /** Closes the open notice with this key, if any; returns whether one was open. */
  async resolve(tenantId: HubId<'tenant'>, dedupeKey: string): Promise<boolean> {
    return (await this.resolveWhere({ tenantId, dedupeKey })) > 0;
  }

  /** Closes every open notice matching `where` and announces each; returns how many it closed. */
  async resolveWhere(where: FilterQuery<SyncIssue>): Promise<number> {
    const em = this.deps.orm.em.fork();
    const open = await em.find(SyncIssue, { $and: [where, { resolvedAt: null }] });
    let closed = 0;
    for (const issue of open) {
      const now = new Date();
      // Conditional, so a notice two workers resolve at once is announced once.
      if ((await em.nativeUpdate(SyncIssue, { id: issue.id, resolvedAt: null }, { resolvedAt: now, updatedAt: now })) !== 1) continue;
      closed += 1;
      await announce(this.deps, TOPICS.SYNC_ISSUE_RESOLVED, syncIssuePayload(issue, now), { syncIssueId: issue.id });
    }
    return closed;
  }

  /** The open notices of a link with one of these codes (a run keeps them at hand to resolve what went away). */
  openOf(connectionId: HubId<'connection'>, codes: readonly string[]): Promise<SyncIssue[]> {
    return this.deps.orm.em.fork().find(SyncIssue, { connectionId, resolvedAt: null, code: { $in: [...codes] } });
  }
}
