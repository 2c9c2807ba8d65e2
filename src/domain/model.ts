/**
 * Closed vocabularies of the domain model (docs/architecture.md#domain-model). Stored as strings in
 * both databases and exposed as GraphQL enums with the same values.
 */

/** One canonical slug per provider, used everywhere inside the hub (docs/architecture.md#conventions). */
export const PROVIDER_SLUGS = ['microsoft-graph', 'google-calendar'] as const;
export type ProviderSlug = (typeof PROVIDER_SLUGS)[number];

/** The GraphQL face of a provider slug. */
export const PROVIDER_KINDS = ['MICROSOFT', 'GOOGLE'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const providerSlugOf = (kind: ProviderKind): ProviderSlug => {
  switch (kind) {
    case 'MICROSOFT':
      return 'microsoft-graph';
    case 'GOOGLE':
      return 'google-calendar';
  }
};

export const providerKindOf = (slug: ProviderSlug): ProviderKind => {
  switch (slug) {
    case 'microsoft-graph':
      return 'MICROSOFT';
    case 'google-calendar':
      return 'GOOGLE';
  }
};

export const CONNECTION_STATUSES = ['ACTIVE', 'NEEDS_REAUTH', 'REVOKED', 'ERROR'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const CALENDAR_ROLES = ['PRIMARY', 'CONFLICT_CHECK', 'NONE'] as const;
export type CalendarRole = (typeof CALENDAR_ROLES)[number];

/**
 * - `PENDING`: a host change waits to be written outside;
 * - `WAITING`: it waits for the link (NEEDS_REAUTH) and goes out after the relink;
 * - `SYNCED`: both sides held the same content at the last sync;
 * - `CONFLICT`: both sides changed and the MANUAL policy holds the pair until `resolveConflict`;
 * - `UNSUPPORTED`: the provider cannot hold the item as it is (tried again when the host changes it);
 * - `ERROR`: the last attempt failed for this item; it is tried again with backoff.
 */
export const MAPPING_STATES = ['SYNCED', 'PENDING', 'WAITING', 'CONFLICT', 'UNSUPPORTED', 'ERROR'] as const;
export type MappingState = (typeof MAPPING_STATES)[number];

export const SYNC_TRIGGERS = ['POLL', 'PUSH', 'MANUAL', 'OUTBOUND', 'CLEANUP', 'INITIAL', 'VERIFY'] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

export const SYNC_DIRECTIONS = ['INBOUND', 'OUTBOUND', 'BOTH'] as const;
export type SyncDirection = (typeof SYNC_DIRECTIONS)[number];

export const SYNC_RUN_OUTCOMES = ['RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED'] as const;
export type SyncRunOutcome = (typeof SYNC_RUN_OUTCOMES)[number];

export const CONFLICT_POLICIES = ['LATEST_WINS', 'HOST_WINS', 'PROVIDER_WINS', 'MANUAL'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

export const CONFLICT_STATUSES = ['OPEN', 'RESOLVED'] as const;
export type ConflictStatus = (typeof CONFLICT_STATUSES)[number];

export const CONFLICT_CHOICES = ['HOST', 'PROVIDER', 'DELETE'] as const;
export type ConflictChoice = (typeof CONFLICT_CHOICES)[number];

export const ISSUE_SEVERITIES = ['BLOCKING', 'WARNING'] as const;
export type IssueSeverity = (typeof ISSUE_SEVERITIES)[number];

export const APPOINTMENT_ORIGINS = ['HOST', 'MICROSOFT', 'GOOGLE'] as const;
export type AppointmentOrigin = (typeof APPOINTMENT_ORIGINS)[number];

export const API_KEY_ROLES = ['ADMIN', 'TENANT'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export const APPOINTMENT_CHANGE_KINDS = ['CREATED', 'UPDATED', 'DELETED'] as const;
export type AppointmentChangeKind = (typeof APPOINTMENT_CHANGE_KINDS)[number];
