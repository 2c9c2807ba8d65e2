/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** ADMIN keys act on every tenant; TENANT keys only on their own. */
export type ApiKeyRole =
  | 'ADMIN'
  | 'TENANT';

/** What happened to the record an event is about. */
export type ChangeKind =
  | 'CREATED'
  | 'DELETED'
  | 'UPDATED';

/** Which side wins when an appointment changed on both sides between two syncs. */
export type ConflictPolicy =
  | 'HOST_WINS'
  | 'LATEST_WINS'
  | 'MANUAL'
  | 'PROVIDER_WINS';

export type CreateApiKeyInput = {
  /** What the key is for, 1 to 100 characters. */
  name: string;
  role?: ApiKeyRole;
  /** TENANT keys: required with an ADMIN key. ADMIN keys: must be empty. */
  tenantId?: string | null | undefined;
};

export type CreateTenantInput = {
  /** 1 to 200 characters. */
  name: string;
  /** Settings that differ from the defaults. */
  settings?: TenantSettingsInput | null | undefined;
};

export type HostProfileInput = {
  endlessHorizonYears?: number | null | undefined;
  recurrence?: HostRecurrenceSupport | null | undefined;
  supportsDaily?: boolean | null | undefined;
  supportsEndless?: boolean | null | undefined;
  supportsExceptions?: boolean | null | undefined;
  weekStart?: Weekday | null | undefined;
};

/** FULL: series sync; FIRST_OCCURRENCE_ONLY: only the first occurrence; NONE: series never sync. */
export type HostRecurrenceSupport =
  | 'FIRST_OCCURRENCE_ONLY'
  | 'FULL'
  | 'NONE';

export type HostUserFilter = {
  active?: boolean | null | undefined;
  /** Exact match, case-insensitive. */
  email?: string | null | undefined;
  /** The host's ids. */
  hostUserIds?: Array<string> | null | undefined;
};

export type PollingSettingsInput = {
  activeIntervalMinutes?: number | null | undefined;
  activeWithinDays?: number | null | undefined;
  inactiveIntervalMinutes?: number | null | undefined;
};

export type SyncWindowInput = {
  futureDays?: number | null | undefined;
  pastDays?: number | null | undefined;
};

/** A partial update of tenant settings. */
export type TenantSettingsInput = {
  conflictPolicy?: ConflictPolicy | null | undefined;
  deletionWins?: boolean | null | undefined;
  hostProfile?: HostProfileInput | null | undefined;
  polling?: PollingSettingsInput | null | undefined;
  recordLinkLabel?: string | null | undefined;
  /** Must contain {hostRecordId}; null removes the link. */
  recordLinkTemplate?: string | null | undefined;
  syncWindow?: SyncWindowInput | null | undefined;
  titleMarkers?: TitleMarkersInput | null | undefined;
  twoWayByDefault?: boolean | null | undefined;
};

export type TitleMarkersInput = {
  enabled?: boolean | null | undefined;
  google?: string | null | undefined;
  host?: string | null | undefined;
  microsoft?: string | null | undefined;
};

export type UpdateTenantSettingsInput = {
  conflictPolicy?: ConflictPolicy | null | undefined;
  deletionWins?: boolean | null | undefined;
  hostProfile?: HostProfileInput | null | undefined;
  polling?: PollingSettingsInput | null | undefined;
  recordLinkLabel?: string | null | undefined;
  /** Must contain {hostRecordId}; null removes the link. */
  recordLinkTemplate?: string | null | undefined;
  syncWindow?: SyncWindowInput | null | undefined;
  /** Required with an ADMIN key; a TENANT key may omit it. */
  tenantId?: string | null | undefined;
  titleMarkers?: TitleMarkersInput | null | undefined;
  twoWayByDefault?: boolean | null | undefined;
};

/** Creates the host user, or updates the one with the same hostUserId. */
export type UpsertHostUserInput = {
  /** Default true on create; omitted keeps the value on update. */
  active?: boolean | null | undefined;
  /** On update: omitted keeps the value, null clears it. */
  email?: string | null | undefined;
  /** The host's own id for the user. */
  hostUserId: string;
  name?: string | null | undefined;
  /** Required with an ADMIN key; a TENANT key may omit it. */
  tenantId?: string | null | undefined;
  /** IANA time zone, e.g. Europe/Zurich. */
  timeZone?: string | null | undefined;
};

export type Weekday =
  | 'FR'
  | 'MO'
  | 'SA'
  | 'SU'
  | 'TH'
  | 'TU'
  | 'WE';

export type TenantSettingsFieldsFragment = { tenantId: string, conflictPolicy: ConflictPolicy, deletionWins: boolean, recordLinkTemplate: string | null, recordLinkLabel: string, twoWayByDefault: boolean, polling: { activeIntervalMinutes: number, inactiveIntervalMinutes: number, activeWithinDays: number }, hostProfile: { recurrence: HostRecurrenceSupport, supportsDaily: boolean, supportsExceptions: boolean, weekStart: Weekday, supportsEndless: boolean, endlessHorizonYears: number }, titleMarkers: { enabled: boolean, host: string, microsoft: string, google: string }, syncWindow: { pastDays: number, futureDays: number } };

export type HostUserFieldsFragment = { id: string, tenantId: string, hostUserId: string, email: string | null, name: string | null, active: boolean, timeZone: string | null, createdAt: string, updatedAt: string };

export type ApiKeyFieldsFragment = { id: string, tenantId: string | null, name: string, role: ApiKeyRole, prefix: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { role: ApiKeyRole, apiKeyId: string | null, tenantId: string | null } };

export type TenantsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type TenantsQuery = { tenants: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, name: string } }> } };

export type TenantQueryVariables = Exact<{
  id: string;
}>;


export type TenantQuery = { tenant: { id: string, name: string, createdAt: string, settings: { tenantId: string, conflictPolicy: ConflictPolicy, deletionWins: boolean, recordLinkTemplate: string | null, recordLinkLabel: string, twoWayByDefault: boolean, polling: { activeIntervalMinutes: number, inactiveIntervalMinutes: number, activeWithinDays: number }, hostProfile: { recurrence: HostRecurrenceSupport, supportsDaily: boolean, supportsExceptions: boolean, weekStart: Weekday, supportsEndless: boolean, endlessHorizonYears: number }, titleMarkers: { enabled: boolean, host: string, microsoft: string, google: string }, syncWindow: { pastDays: number, futureDays: number } } } };

export type CreateTenantMutationVariables = Exact<{
  input: CreateTenantInput;
}>;


export type CreateTenantMutation = { createTenant: { id: string, name: string, settings: { tenantId: string, conflictPolicy: ConflictPolicy, deletionWins: boolean, recordLinkTemplate: string | null, recordLinkLabel: string, twoWayByDefault: boolean, polling: { activeIntervalMinutes: number, inactiveIntervalMinutes: number, activeWithinDays: number }, hostProfile: { recurrence: HostRecurrenceSupport, supportsDaily: boolean, supportsExceptions: boolean, weekStart: Weekday, supportsEndless: boolean, endlessHorizonYears: number }, titleMarkers: { enabled: boolean, host: string, microsoft: string, google: string }, syncWindow: { pastDays: number, futureDays: number } } } };

export type TenantSettingsQueryVariables = Exact<{
  tenantId?: string | null | undefined;
}>;


export type TenantSettingsQuery = { tenantSettings: { tenantId: string, conflictPolicy: ConflictPolicy, deletionWins: boolean, recordLinkTemplate: string | null, recordLinkLabel: string, twoWayByDefault: boolean, polling: { activeIntervalMinutes: number, inactiveIntervalMinutes: number, activeWithinDays: number }, hostProfile: { recurrence: HostRecurrenceSupport, supportsDaily: boolean, supportsExceptions: boolean, weekStart: Weekday, supportsEndless: boolean, endlessHorizonYears: number }, titleMarkers: { enabled: boolean, host: string, microsoft: string, google: string }, syncWindow: { pastDays: number, futureDays: number } } };

export type UpdateTenantSettingsMutationVariables = Exact<{
  input: UpdateTenantSettingsInput;
}>;


export type UpdateTenantSettingsMutation = { updateTenantSettings: { tenantId: string, conflictPolicy: ConflictPolicy, deletionWins: boolean, recordLinkTemplate: string | null, recordLinkLabel: string, twoWayByDefault: boolean, polling: { activeIntervalMinutes: number, inactiveIntervalMinutes: number, activeWithinDays: number }, hostProfile: { recurrence: HostRecurrenceSupport, supportsDaily: boolean, supportsExceptions: boolean, weekStart: Weekday, supportsEndless: boolean, endlessHorizonYears: number }, titleMarkers: { enabled: boolean, host: string, microsoft: string, google: string }, syncWindow: { pastDays: number, futureDays: number } } };

export type CreateApiKeyMutationVariables = Exact<{
  input: CreateApiKeyInput;
}>;


export type CreateApiKeyMutation = { createApiKey: { key: string, apiKey: { id: string, tenantId: string | null, name: string, role: ApiKeyRole, prefix: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } } };

export type RevokeApiKeyMutationVariables = Exact<{
  id: string;
}>;


export type RevokeApiKeyMutation = { revokeApiKey: { id: string, tenantId: string | null, name: string, role: ApiKeyRole, prefix: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } };

export type ApiKeysQueryVariables = Exact<{
  tenantId?: string | null | undefined;
  includeRevoked?: boolean | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ApiKeysQuery = { apiKeys: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, tenantId: string | null, name: string, role: ApiKeyRole, prefix: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } }> } };

export type ApiKeyQueryVariables = Exact<{
  id: string;
}>;


export type ApiKeyQuery = { apiKey: { id: string, tenantId: string | null, name: string, role: ApiKeyRole, prefix: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } };

export type UpsertHostUserMutationVariables = Exact<{
  input: UpsertHostUserInput;
}>;


export type UpsertHostUserMutation = { upsertHostUser: { created: boolean, hostUser: { id: string, tenantId: string, hostUserId: string, email: string | null, name: string | null, active: boolean, timeZone: string | null, createdAt: string, updatedAt: string } } };

export type HostUsersQueryVariables = Exact<{
  tenantId?: string | null | undefined;
  filter?: HostUserFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type HostUsersQuery = { hostUsers: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, tenantId: string, hostUserId: string, email: string | null, name: string | null, active: boolean, timeZone: string | null, createdAt: string, updatedAt: string } }> } };

export type HostUserQueryVariables = Exact<{
  id: string;
}>;


export type HostUserQuery = { hostUser: { id: string, tenantId: string, hostUserId: string, email: string | null, name: string | null, active: boolean, timeZone: string | null, createdAt: string, updatedAt: string } };

export type TenantChangedSubscriptionVariables = Exact<{
  tenantId?: string | null | undefined;
}>;


export type TenantChangedSubscription = { tenantChanged: { change: ChangeKind, at: string, tenant: { id: string, name: string, settings: { conflictPolicy: ConflictPolicy } } } };

export type HostUserChangedSubscriptionVariables = Exact<{
  tenantId?: string | null | undefined;
}>;


export type HostUserChangedSubscription = { hostUserChanged: { change: ChangeKind, at: string, hostUser: { id: string, tenantId: string, hostUserId: string, email: string | null, name: string | null, active: boolean, timeZone: string | null, createdAt: string, updatedAt: string } } };

export const TenantSettingsFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TenantSettingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TenantSettings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"polling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"activeIntervalMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveIntervalMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"activeWithinDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"conflictPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"deletionWins"}},{"kind":"Field","name":{"kind":"Name","value":"hostProfile"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recurrence"}},{"kind":"Field","name":{"kind":"Name","value":"supportsDaily"}},{"kind":"Field","name":{"kind":"Name","value":"supportsExceptions"}},{"kind":"Field","name":{"kind":"Name","value":"weekStart"}},{"kind":"Field","name":{"kind":"Name","value":"supportsEndless"}},{"kind":"Field","name":{"kind":"Name","value":"endlessHorizonYears"}}]}},{"kind":"Field","name":{"kind":"Name","value":"titleMarkers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"host"}},{"kind":"Field","name":{"kind":"Name","value":"microsoft"}},{"kind":"Field","name":{"kind":"Name","value":"google"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recordLinkTemplate"}},{"kind":"Field","name":{"kind":"Name","value":"recordLinkLabel"}},{"kind":"Field","name":{"kind":"Name","value":"syncWindow"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pastDays"}},{"kind":"Field","name":{"kind":"Name","value":"futureDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"twoWayByDefault"}}]}}]} as unknown as DocumentNode<TenantSettingsFieldsFragment, unknown>;
export const HostUserFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HostUserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"HostUser"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"hostUserId"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"timeZone"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<HostUserFieldsFragment, unknown>;
export const ApiKeyFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<ApiKeyFieldsFragment, unknown>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const TenantsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Tenants"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenants"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]} as unknown as DocumentNode<TenantsQuery, TenantsQueryVariables>;
export const TenantDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Tenant"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TenantSettingsFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TenantSettingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TenantSettings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"polling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"activeIntervalMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveIntervalMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"activeWithinDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"conflictPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"deletionWins"}},{"kind":"Field","name":{"kind":"Name","value":"hostProfile"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recurrence"}},{"kind":"Field","name":{"kind":"Name","value":"supportsDaily"}},{"kind":"Field","name":{"kind":"Name","value":"supportsExceptions"}},{"kind":"Field","name":{"kind":"Name","value":"weekStart"}},{"kind":"Field","name":{"kind":"Name","value":"supportsEndless"}},{"kind":"Field","name":{"kind":"Name","value":"endlessHorizonYears"}}]}},{"kind":"Field","name":{"kind":"Name","value":"titleMarkers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"host"}},{"kind":"Field","name":{"kind":"Name","value":"microsoft"}},{"kind":"Field","name":{"kind":"Name","value":"google"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recordLinkTemplate"}},{"kind":"Field","name":{"kind":"Name","value":"recordLinkLabel"}},{"kind":"Field","name":{"kind":"Name","value":"syncWindow"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pastDays"}},{"kind":"Field","name":{"kind":"Name","value":"futureDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"twoWayByDefault"}}]}}]} as unknown as DocumentNode<TenantQuery, TenantQueryVariables>;
export const CreateTenantDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateTenant"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateTenantInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createTenant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TenantSettingsFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TenantSettingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TenantSettings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"polling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"activeIntervalMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveIntervalMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"activeWithinDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"conflictPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"deletionWins"}},{"kind":"Field","name":{"kind":"Name","value":"hostProfile"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recurrence"}},{"kind":"Field","name":{"kind":"Name","value":"supportsDaily"}},{"kind":"Field","name":{"kind":"Name","value":"supportsExceptions"}},{"kind":"Field","name":{"kind":"Name","value":"weekStart"}},{"kind":"Field","name":{"kind":"Name","value":"supportsEndless"}},{"kind":"Field","name":{"kind":"Name","value":"endlessHorizonYears"}}]}},{"kind":"Field","name":{"kind":"Name","value":"titleMarkers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"host"}},{"kind":"Field","name":{"kind":"Name","value":"microsoft"}},{"kind":"Field","name":{"kind":"Name","value":"google"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recordLinkTemplate"}},{"kind":"Field","name":{"kind":"Name","value":"recordLinkLabel"}},{"kind":"Field","name":{"kind":"Name","value":"syncWindow"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pastDays"}},{"kind":"Field","name":{"kind":"Name","value":"futureDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"twoWayByDefault"}}]}}]} as unknown as DocumentNode<CreateTenantMutation, CreateTenantMutationVariables>;
export const TenantSettingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TenantSettings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantSettings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TenantSettingsFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TenantSettingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TenantSettings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"polling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"activeIntervalMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveIntervalMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"activeWithinDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"conflictPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"deletionWins"}},{"kind":"Field","name":{"kind":"Name","value":"hostProfile"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recurrence"}},{"kind":"Field","name":{"kind":"Name","value":"supportsDaily"}},{"kind":"Field","name":{"kind":"Name","value":"supportsExceptions"}},{"kind":"Field","name":{"kind":"Name","value":"weekStart"}},{"kind":"Field","name":{"kind":"Name","value":"supportsEndless"}},{"kind":"Field","name":{"kind":"Name","value":"endlessHorizonYears"}}]}},{"kind":"Field","name":{"kind":"Name","value":"titleMarkers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"host"}},{"kind":"Field","name":{"kind":"Name","value":"microsoft"}},{"kind":"Field","name":{"kind":"Name","value":"google"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recordLinkTemplate"}},{"kind":"Field","name":{"kind":"Name","value":"recordLinkLabel"}},{"kind":"Field","name":{"kind":"Name","value":"syncWindow"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pastDays"}},{"kind":"Field","name":{"kind":"Name","value":"futureDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"twoWayByDefault"}}]}}]} as unknown as DocumentNode<TenantSettingsQuery, TenantSettingsQueryVariables>;
export const UpdateTenantSettingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateTenantSettings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateTenantSettingsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateTenantSettings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TenantSettingsFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TenantSettingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TenantSettings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"polling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"activeIntervalMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveIntervalMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"activeWithinDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"conflictPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"deletionWins"}},{"kind":"Field","name":{"kind":"Name","value":"hostProfile"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recurrence"}},{"kind":"Field","name":{"kind":"Name","value":"supportsDaily"}},{"kind":"Field","name":{"kind":"Name","value":"supportsExceptions"}},{"kind":"Field","name":{"kind":"Name","value":"weekStart"}},{"kind":"Field","name":{"kind":"Name","value":"supportsEndless"}},{"kind":"Field","name":{"kind":"Name","value":"endlessHorizonYears"}}]}},{"kind":"Field","name":{"kind":"Name","value":"titleMarkers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"host"}},{"kind":"Field","name":{"kind":"Name","value":"microsoft"}},{"kind":"Field","name":{"kind":"Name","value":"google"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recordLinkTemplate"}},{"kind":"Field","name":{"kind":"Name","value":"recordLinkLabel"}},{"kind":"Field","name":{"kind":"Name","value":"syncWindow"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pastDays"}},{"kind":"Field","name":{"kind":"Name","value":"futureDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"twoWayByDefault"}}]}}]} as unknown as DocumentNode<UpdateTenantSettingsMutation, UpdateTenantSettingsMutationVariables>;
export const CreateApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const ApiKeysDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiKeys"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"includeRevoked"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeys"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}},{"kind":"Argument","name":{"kind":"Name","value":"includeRevoked"},"value":{"kind":"Variable","name":{"kind":"Name","value":"includeRevoked"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<ApiKeysQuery, ApiKeysQueryVariables>;
export const ApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<ApiKeyQuery, ApiKeyQueryVariables>;
export const UpsertHostUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpsertHostUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpsertHostUserInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upsertHostUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"created"}},{"kind":"Field","name":{"kind":"Name","value":"hostUser"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HostUserFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HostUserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"HostUser"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"hostUserId"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"timeZone"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<UpsertHostUserMutation, UpsertHostUserMutationVariables>;
export const HostUsersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"HostUsers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"HostUserFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hostUsers"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HostUserFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HostUserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"HostUser"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"hostUserId"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"timeZone"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<HostUsersQuery, HostUsersQueryVariables>;
export const HostUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"HostUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hostUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HostUserFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HostUserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"HostUser"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"hostUserId"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"timeZone"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<HostUserQuery, HostUserQueryVariables>;
export const TenantChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"TenantChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"change"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"tenant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"conflictPolicy"}}]}}]}}]}}]}}]} as unknown as DocumentNode<TenantChangedSubscription, TenantChangedSubscriptionVariables>;
export const HostUserChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"HostUserChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hostUserChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"change"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"hostUser"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HostUserFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HostUserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"HostUser"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"hostUserId"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"timeZone"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<HostUserChangedSubscription, HostUserChangedSubscriptionVariables>;