import type { HubId } from '../domain/ids.js';
import type {
  ConnectionStatus,
  IssueSeverity,
  ProviderSlug,
  SyncRunOutcome,
  SyncTrigger,
} from '../domain/model.js';

/**
 * The hub's subscription topics. Payloads are plain JSON (they cross processes through the Mongo
 * transport): ids, the state a subscription filter needs, and an ISO timestamp. Resolvers load the
 * current entity by id when they need more. Every payload carries `tenantId`, so a subscription
 * can be scoped to the caller's tenant at the source (`HubPubSub.subscribeTyped`).
 */
export const TOPICS = {
  TENANT_CHANGED: 'TENANT_CHANGED',
  HOST_USER_CHANGED: 'HOST_USER_CHANGED',
  CONNECTION_STATUS_CHANGED: 'CONNECTION_STATUS_CHANGED',
  SYNC_RUN_CHANGED: 'SYNC_RUN_CHANGED',
  SYNC_ISSUE_RAISED: 'SYNC_ISSUE_RAISED',
  CLEANUP_PROGRESS: 'CLEANUP_PROGRESS',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export type ChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

interface TenantScoped {
  tenantId: HubId<'tenant'>;
  /** ISO 8601 instant of the change. */
  at: string;
}

export interface TenantChangedPayload extends TenantScoped {
  change: ChangeKind;
}

export interface HostUserChangedPayload extends TenantScoped {
  hostUserId: HubId<'hostUser'>;
  change: ChangeKind;
}

export interface ConnectionStatusChangedPayload extends TenantScoped {
  connectionId: HubId<'connection'>;
  hostUserId: HubId<'hostUser'>;
  provider: ProviderSlug;
  status: ConnectionStatus;
  previousStatus: ConnectionStatus | null;
}

export interface SyncRunChangedPayload extends TenantScoped {
  syncRunId: HubId<'syncRun'>;
  connectionId: HubId<'connection'>;
  trigger: SyncTrigger;
  outcome: SyncRunOutcome;
}

export interface SyncIssueRaisedPayload extends TenantScoped {
  syncIssueId: HubId<'syncIssue'>;
  hostUserId: HubId<'hostUser'> | null;
  connectionId: HubId<'connection'> | null;
  code: string;
  severity: IssueSeverity;
}

export interface CleanupProgressPayload extends TenantScoped {
  connectionId: HubId<'connection'>;
  processed: number;
  /** Null while the total is not known yet. */
  total: number | null;
  done: boolean;
}

export interface TopicPayloads {
  [TOPICS.TENANT_CHANGED]: TenantChangedPayload;
  [TOPICS.HOST_USER_CHANGED]: HostUserChangedPayload;
  [TOPICS.CONNECTION_STATUS_CHANGED]: ConnectionStatusChangedPayload;
  [TOPICS.SYNC_RUN_CHANGED]: SyncRunChangedPayload;
  [TOPICS.SYNC_ISSUE_RAISED]: SyncIssueRaisedPayload;
  [TOPICS.CLEANUP_PROGRESS]: CleanupProgressPayload;
}
