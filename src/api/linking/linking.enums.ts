import { registerEnumType } from 'type-graphql';
import { CALENDAR_ROLES, CONNECTION_STATUSES, PROVIDER_KINDS } from '../../domain/model.js';
import { enumFrom } from '../enums.js';

/** GraphQL enums of calendar linking (same values as the domain's vocabularies). */

export const ProviderEnum = enumFrom(PROVIDER_KINDS);
registerEnumType(ProviderEnum, { name: 'Provider', description: 'MICROSOFT: Microsoft 365 / Outlook (Microsoft Graph). GOOGLE: Google Calendar.' });

export const ConnectionStatusEnum = enumFrom(CONNECTION_STATUSES);
registerEnumType(ConnectionStatusEnum, {
  name: 'ConnectionStatus',
  description: 'ACTIVE: syncing. NEEDS_REAUTH: the provider revoked or expired the grant; relink with linkCalendar. REVOKED: access was revoked; linkCalendar links again. ERROR: stopped by an error other than the grant.',
});

export const CalendarRoleEnum = enumFrom(CALENDAR_ROLES);
registerEnumType(CalendarRoleEnum, {
  name: 'CalendarRole',
  description: 'PRIMARY: appointments are written to and read from it (one per user over all links). CONFLICT_CHECK: read only, for busy times. NONE: not used.',
});

export const CLEANUP_STATUSES = ['COMPLETED', 'PARTIAL', 'NOT_RUN'] as const;
export const CleanupStatusEnum = enumFrom(CLEANUP_STATUSES);
registerEnumType(CleanupStatusEnum, {
  name: 'CleanupStatus',
  description: 'COMPLETED: every event the hub created is gone. PARTIAL: some could not be deleted (see failures). NOT_RUN: the cleanup could not run (see reason).',
});
