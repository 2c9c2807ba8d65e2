import { announce, type EventPublisher } from '../events/event-publisher.js';
import { TOPICS } from '../events/pubsub-topics.js';
import type { HubId } from '../domain/ids.js';
import type { SyncIssueNotice } from '../domain/sync-issue.js';
import type { Logger } from '../logger.js';
import { SyncIssue } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';

export interface IssueScope {
  tenantId: HubId<'tenant'>;
  userId: HubId<'hostUser'> | null;
  connectionId: HubId<'connection'> | null;
  appointmentId?: HubId<'appointment'> | null;
  mappingId?: HubId<'syncMapping'> | null;
  details?: Record<string, unknown> | null;
}

/**
 * Raises and resolves the notices the engine gives users. One open notice per `dedupeKey` ("the
 * same problem on the same item"): raising it again counts a repeat; `resolve` closes it when the
 * cause went away.
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
      if (scope.details !== undefined) issue.details = scope.details;
    } else {
      issue = new SyncIssue({ tenantId: scope.tenantId, code: notice.code, message: notice.message, tip: notice.tip, severity: notice.severity, dedupeKey });
      issue.userId = scope.userId;
      issue.connectionId = scope.connectionId;
      issue.appointmentId = scope.appointmentId ?? null;
      issue.mappingId = scope.mappingId ?? null;
      issue.details = scope.details ?? null;
      em.persist(issue);
    }
    await em.flush();
    if (fresh) {
      await announce(this.deps, TOPICS.SYNC_ISSUE_RAISED, {
          tenantId: scope.tenantId as HubId<'tenant'>,
          syncIssueId: issue.id as HubId<'syncIssue'>,
          hostUserId: scope.userId as HubId<'hostUser'> | null,
          connectionId: scope.connectionId as HubId<'connection'> | null,
          code: issue.code,
          severity: issue.severity,
          at: new Date().toISOString(),
        }, { syncIssueId: issue.id });
    }
    return issue;
  }

  /** Closes the open notice with this key, if any; returns whether one was open. */
  async resolve(tenantId: HubId<'tenant'>, dedupeKey: string): Promise<boolean> {
    const n = await this.deps.orm.em.fork().nativeUpdate(SyncIssue, { tenantId, dedupeKey, resolvedAt: null }, { resolvedAt: new Date(), updatedAt: new Date() });
    return n > 0;
  }
}
