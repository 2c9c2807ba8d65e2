import { registerEnumType } from 'type-graphql';
import { API_KEY_ROLES, CONFLICT_POLICIES } from '../domain/model.js';
import { TITLE_MARKER_PLACEMENTS, WEEKDAYS } from '../domain/tenant-settings.js';

/**
 * GraphQL enums built from the domain's closed vocabularies, so the schema and the store use the
 * same values. Import this module before building the schema (build-schema.ts does).
 */
type EnumOf<T extends readonly string[]> = { [K in T[number]]: K };

export function enumFrom<const T extends readonly string[]>(values: T): EnumOf<T> {
  return Object.fromEntries(values.map((v) => [v, v])) as EnumOf<T>;
}

export const ApiKeyRoleEnum = enumFrom(API_KEY_ROLES);
registerEnumType(ApiKeyRoleEnum, {
  name: 'ApiKeyRole',
  description: 'ADMIN keys act on every tenant; TENANT keys only on their own.',
});

export const ConflictPolicyEnum = enumFrom(CONFLICT_POLICIES);
registerEnumType(ConflictPolicyEnum, {
  name: 'ConflictPolicy',
  description: 'Which side wins when an appointment changed on both sides between two syncs.',
});

export const HOST_RECURRENCE_SUPPORT = ['FULL', 'FIRST_OCCURRENCE_ONLY', 'NONE'] as const;
export const HostRecurrenceSupportEnum = enumFrom(HOST_RECURRENCE_SUPPORT);
registerEnumType(HostRecurrenceSupportEnum, {
  name: 'HostRecurrenceSupport',
  description: 'FULL: series sync; FIRST_OCCURRENCE_ONLY: only the first occurrence; NONE: series never sync.',
});

export const WeekdayEnum = enumFrom(WEEKDAYS);
registerEnumType(WeekdayEnum, { name: 'Weekday' });

export const TitleMarkerPlacementEnum = enumFrom(TITLE_MARKER_PLACEMENTS);
registerEnumType(TitleMarkerPlacementEnum, {
  name: 'TitleMarkerPlacement',
  description: 'OUTSIDE: calendar events made from host appointments carry the host marker; HOST: host appointments made from calendar events carry the calendar\'s marker; BOTH.',
});

export const ChangeKindEnum = enumFrom(['CREATED', 'UPDATED', 'DELETED'] as const);
registerEnumType(ChangeKindEnum, { name: 'ChangeKind', description: 'What happened to the record an event is about.' });
