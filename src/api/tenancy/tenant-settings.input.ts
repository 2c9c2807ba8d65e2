import { Field, ID, InputType, Int } from 'type-graphql';
import type { ConflictPolicy } from '../../domain/model.js';
import type { HostProfile, TenantSettingsPatch, Weekday } from '../../domain/tenant-settings.js';
import { ConflictPolicyEnum, HostRecurrenceSupportEnum, WeekdayEnum } from '../enums.js';

/* Every field is optional: omitted or null leaves the current value (except recordLinkTemplate, where null clears it). */

@InputType('PollingSettingsInput')
export class PollingSettingsInput {
  @Field(() => Int, { nullable: true })
  activeIntervalMinutes?: number | null;

  @Field(() => Int, { nullable: true })
  inactiveIntervalMinutes?: number | null;

  @Field(() => Int, { nullable: true })
  activeWithinDays?: number | null;
}

@InputType('HostProfileInput')
export class HostProfileInput {
  @Field(() => HostRecurrenceSupportEnum, { nullable: true })
  recurrence?: HostProfile['recurrence'] | null;

  @Field(() => Boolean, { nullable: true })
  supportsDaily?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  supportsExceptions?: boolean | null;

  @Field(() => WeekdayEnum, { nullable: true })
  weekStart?: Weekday | null;

  @Field(() => Boolean, { nullable: true })
  supportsEndless?: boolean | null;

  @Field(() => Int, { nullable: true })
  endlessHorizonYears?: number | null;
}

@InputType('TitleMarkersInput')
export class TitleMarkersInput {
  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => String, { nullable: true })
  host?: string | null;

  @Field(() => String, { nullable: true })
  microsoft?: string | null;

  @Field(() => String, { nullable: true })
  google?: string | null;
}

@InputType('SyncWindowInput')
export class SyncWindowInput {
  @Field(() => Int, { nullable: true })
  pastDays?: number | null;

  @Field(() => Int, { nullable: true })
  futureDays?: number | null;
}

@InputType('TenantSettingsInput', { description: 'A partial update of tenant settings.' })
export class TenantSettingsInput {
  @Field(() => PollingSettingsInput, { nullable: true })
  polling?: PollingSettingsInput | null;

  @Field(() => ConflictPolicyEnum, { nullable: true })
  conflictPolicy?: ConflictPolicy | null;

  @Field(() => Boolean, { nullable: true })
  deletionWins?: boolean | null;

  @Field(() => HostProfileInput, { nullable: true })
  hostProfile?: HostProfileInput | null;

  @Field(() => TitleMarkersInput, { nullable: true })
  titleMarkers?: TitleMarkersInput | null;

  @Field(() => String, { nullable: true, description: 'Must contain {hostRecordId}, at most 2000 characters; null removes the link.' })
  recordLinkTemplate?: string | null;

  @Field(() => String, { nullable: true })
  recordLinkLabel?: string | null;

  @Field(() => SyncWindowInput, { nullable: true })
  syncWindow?: SyncWindowInput | null;

  @Field(() => Boolean, { nullable: true })
  twoWayByDefault?: boolean | null;

  @Field(() => [String], {
    nullable: true,
    description: "Origins (scheme, host and port, e.g. https://crm.example.com; at most 20) that linkCalendar's returnTo may point to. Replaces the list; [] allows none.",
  })
  returnToOrigins?: string[] | null;
}

@InputType('UpdateTenantSettingsInput')
export class UpdateTenantSettingsInput extends TenantSettingsInput {
  @Field(() => ID, { nullable: true, description: 'Required with an ADMIN key; a TENANT key may omit it.' })
  tenantId?: string | null;
}

/** Drops nulls (meaning "unchanged") everywhere except `recordLinkTemplate`, where null means "no link". */
export function toSettingsPatch(input: TenantSettingsInput | null | undefined): TenantSettingsPatch {
  if (!input) return {};
  const compact = <T extends object>(o: T | null | undefined) =>
    o ? (Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as never) : undefined;
  const patch: Record<string, unknown> = {
    polling: compact(input.polling),
    conflictPolicy: input.conflictPolicy ?? undefined,
    deletionWins: input.deletionWins ?? undefined,
    hostProfile: compact(input.hostProfile),
    titleMarkers: compact(input.titleMarkers),
    recordLinkLabel: input.recordLinkLabel ?? undefined,
    syncWindow: compact(input.syncWindow),
    twoWayByDefault: input.twoWayByDefault ?? undefined,
    returnToOrigins: input.returnToOrigins ?? undefined,
  };
  if (input.recordLinkTemplate !== undefined) patch.recordLinkTemplate = input.recordLinkTemplate;
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as TenantSettingsPatch;
}
