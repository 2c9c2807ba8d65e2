import type { HubId } from '../domain/ids.js';
import type { ConnectionStatus } from '../domain/model.js';
import { relinkRequired } from '../domain/sync-issue.js';
import { announce, type EventPublisher } from '../events/event-publisher.js';
import { TOPICS } from '../events/pubsub-topics.js';
import type { Logger } from '../logger.js';
import type { Connection, SyncIssue } from '../store/entities/index.js';
import type { SyncIssues } from './sync-issues.js';

/** The dedupe key of a link's relink notice: one open notice per connection. */
export const relinkIssueKey = (connectionId: HubId<'connection'>) => `RELINK_REQUIRED:${connectionId}`;

/**
 * What users are told about their links: status changes on `CONNECTION_STATUS_CHANGED`, and the
 * `RELINK_REQUIRED` notice (raised once per broken link, repeats counted, resolved by a relink or a
 * revoke) through the hub's notices. Publishing is best effort — the change is committed already, so a
 * failed publish is logged with the ids rather than undoing it.
 */
export class LinkNotices {
  constructor(private readonly deps: { pubsub: EventPublisher; logger: Logger; issues: SyncIssues }) {}

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

  /** Raises (or repeats) the link's RELINK_REQUIRED notice. */
  relinkRequired(link: Pick<Connection, 'id' | 'tenantId' | 'userId' | 'provider' | 'accountEmail'>, reason: string): Promise<SyncIssue> {
    return this.deps.issues.raise(relinkRequired({ provider: link.provider, accountEmail: link.accountEmail, reason }), relinkIssueKey(link.id), {
      tenantId: link.tenantId,
      userId: link.userId,
      connectionId: link.id,
    });
  }

  /** Resolves the link's open RELINK_REQUIRED notice (after a relink, or when the link is revoked). */
  resolveRelinkRequired(link: Pick<Connection, 'id' | 'tenantId'>): Promise<number> {
    return this.deps.issues.resolveWhere({ tenantId: link.tenantId, dedupeKey: relinkIssueKey(link.id) });
  }
}
