import type { HubId } from '../domain/ids.js';
import type { ConnectionStatus } from '../domain/model.js';
import { relinkRequired } from '../domain/sync-issue.js';
import { announce, type EventPublisher } from '../events/event-publisher.js';
import { TOPICS } from '../events/pubsub-topics.js';
import type { Logger } from '../logger.js';
import { SyncIssue, type Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';

/** The dedupe key of a link's relink notice: one open notice per connection. */
export const relinkIssueKey = (connectionId: HubId<'connection'>) => `RELINK_REQUIRED:${connectionId}`;

/**
 * What users are told about their links: status changes on `CONNECTION_STATUS_CHANGED`, and the
 * `RELINK_REQUIRED` notice (raised once per broken link, repeats counted, resolved by a relink or a
 * revoke). Publishing is best effort — the change is committed already, so a failed publish is
 * logged with the ids rather than undoing it.
 */
export class LinkNotices {
  constructor(private readonly deps: { orm: Orm; pubsub: EventPublisher; logger: Logger }) {}

  async statusChanged(link: Pick<Connection, 'id' | 'tenantId' | 'userId' | 'provider' | 'status'>, previousStatus: ConnectionStatus | null): Promise<void> {
    await announce(
      this.deps,
      TOPICS.CONNECTION_STATUS_CHANGED,
      {
        tenantId: link.tenantId,
        connectionId: link.id,
        hostUserId: link.userId,
        provider: link.provider,
        status: link.status,
        previousStatus,
        at: new Date().toISOString(),
      },
      { connectionId: link.id, status: link.status },
    );
  }

  /** Raises (or repeats) the link's RELINK_REQUIRED notice and announces it. */
  async relinkRequired(link: Pick<Connection, 'id' | 'tenantId' | 'userId' | 'provider' | 'accountEmail'>, reason: string): Promise<SyncIssue> {
    const em = this.deps.orm.em.fork();
    const notice = relinkRequired({ provider: link.provider, accountEmail: link.accountEmail, reason });
    const dedupeKey = relinkIssueKey(link.id);
    let issue = await em.findOne(SyncIssue, { tenantId: link.tenantId, dedupeKey, resolvedAt: null });
    if (issue) {
      issue.occurrences += 1;
      issue.lastSeenAt = new Date();
      issue.message = notice.message;
    } else {
      issue = new SyncIssue({ tenantId: link.tenantId, code: notice.code, message: notice.message, tip: notice.tip, severity: notice.severity, dedupeKey });
      issue.userId = link.userId;
      issue.connectionId = link.id;
      em.persist(issue);
    }
    await em.flush();
    await announce(
      this.deps,
      TOPICS.SYNC_ISSUE_RAISED,
      {
        tenantId: link.tenantId,
        syncIssueId: issue.id,
        hostUserId: link.userId,
        connectionId: link.id,
        code: issue.code,
        severity: issue.severity,
        at: new Date().toISOString(),
      },
      { connectionId: link.id, syncIssueId: issue.id },
    );
    return issue;
  }

  /** Resolves the link's open RELINK_REQUIRED notice (after a relink, or when the link is revoked). */
  async resolveRelinkRequired(link: Pick<Connection, 'id' | 'tenantId'>): Promise<number> {
    return this.deps.orm.em
      .fork()
      .nativeUpdate(SyncIssue, { tenantId: link.tenantId, dedupeKey: relinkIssueKey(link.id), resolvedAt: null }, { resolvedAt: new Date(), updatedAt: new Date() });
  }
}
