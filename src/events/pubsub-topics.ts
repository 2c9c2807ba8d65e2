import type { HubId } from '../domain/ids.js';
import type {
  AppointmentChangeKind,
  AppointmentOrigin,
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
 * can be scoped to the caller's tenant at the source (`HubPubSub.subscribeTyped`); only the
 * internal API_KEY_REVOKED has none for ADMIN keys.
 */
export const TOPICS = {
  TENANT_CHANGED: 'TENANT_CHANGED',
  HOST_USER_CHANGED: 'HOST_USER_CHANGED',
  CONNECTION_STATUS_CHANGED: 'CONNECTION_STATUS_CHANGED',
  SYNC_RUN_CHANGED: 'SYNC_RUN_CHANGED',
  SYNC_ISSUE_RAISED: 'SYNC_ISSUE_RAISED',
  CLEANUP_PROGRESS: 'CLEANUP_PROGRESS',
  APPOINTMENT_CHANGED: 'APPOINTMENT_CHANGED',
  CONFLICT_DETECTED: 'CONFLICT_DETECTED',
  API_KEY_REVOKED: 'API_KEY_REVOKED',
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

/** STARTED once, PROGRESS with the counts so far, then FINISHED (SUCCEEDED/PARTIAL) or FAILED. */
export type SyncRunPhase = 'STARTED' | 'PROGRESS' | 'FINISHED' | 'FAILED';

export interface SyncRunChangedPayload extends TenantScoped {
  syncRunId: HubId<'syncRun'>;
  connectionId: HubId<'connection'>;
  trigger: SyncTrigger;
  outcome: SyncRunOutcome;
  phase: SyncRunPhase;
}

export interface AppointmentChangedPayload extends TenantScoped {
  appointmentId: HubId<'appointment'>;
  /** The owner (HostUser id). */
  userId: HubId<'hostUser'>;
  kind: AppointmentChangeKind;
  /** Where the change was made: the host (through the API), or a provider (applied by a sync run). */
  source: AppointmentOrigin;
}

export interface ConflictDetectedPayload extends TenantScoped {
  conflictId: HubId<'conflict'>;
  connectionId: HubId<'connection'>;
  appointmentId: HubId<'appointment'>;
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

/**
 * An API key was revoked: every instance closes the WebSocket connections authenticated with it.
 * Internal (no GraphQL subscription); `tenantId` is null for ADMIN keys.
 */
export interface ApiKeyRevokedPayload {
  apiKeyId: HubId<'apiKey'>;
  tenantId: HubId<'tenant'> | null;
  at: string;
}

export interface TopicPayloads {
  [TOPICS.TENANT_CHANGED]: TenantChangedPayload;
  [TOPICS.HOST_USER_CHANGED]: HostUserChangedPayload;
  [TOPICS.CONNECTION_STATUS_CHANGED]: ConnectionStatusChangedPayload;
  [TOPICS.SYNC_RUN_CHANGED]: SyncRunChangedPayload;
  [TOPICS.SYNC_ISSUE_RAISED]: SyncIssueRaisedPayload;
  [TOPICS.CLEANUP_PROGRESS]: CleanupProgressPayload;
  [TOPICS.APPOINTMENT_CHANGED]: AppointmentChangedPayload;
  [TOPICS.CONFLICT_DETECTED]: ConflictDetectedPayload;
  [TOPICS.API_KEY_REVOKED]: ApiKeyRevokedPayload;
}
