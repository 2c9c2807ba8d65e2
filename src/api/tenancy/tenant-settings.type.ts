import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { ConflictPolicy } from '../../domain/model.js';
import type { HostProfile, PollingSettings, SyncWindow, TitleMarkers, Weekday } from '../../domain/tenant-settings.js';
import { ConflictPolicyEnum, HostRecurrenceSupportEnum, WeekdayEnum } from '../enums.js';

@ObjectType('PollingSettings', { description: 'How often inbound sync polls a connection.' })
export class PollingSettingsType implements PollingSettings {
  @Field(() => Int, { description: 'Minutes between polls for active host users (default 3).' })
  activeIntervalMinutes!: number;

  @Field(() => Int, { description: 'Minutes between polls for inactive host users (default 50).' })
  inactiveIntervalMinutes!: number;

  @Field(() => Int, { description: 'A host user is active when the host touched one of their appointments within this many days.' })
  activeWithinDays!: number;
}

@ObjectType('HostProfile', { description: 'What recurrence the host application can hold.' })
export class HostProfileType implements HostProfile {
  @Field(() => HostRecurrenceSupportEnum)
  recurrence!: HostProfile['recurrence'];

  @Field(() => Boolean)
  supportsDaily!: boolean;

  @Field(() => Boolean)
  supportsExceptions!: boolean;

  @Field(() => WeekdayEnum, { description: "The host's first day of the week." })
  weekStart!: Weekday;

  @Field(() => Boolean, { description: 'Whether the host can hold a series without an end.' })
  supportsEndless!: boolean;

  @Field(() => Int, { description: 'When it cannot, endless series end this many years ahead.' })
  endlessHorizonYears!: number;
}

@ObjectType('TitleMarkers', { description: 'Prefixes that show where an item came from, e.g. "[O]".' })
export class TitleMarkersType implements TitleMarkers {
  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => String)
  host!: string;

  @Field(() => String)
  microsoft!: string;

  @Field(() => String)
  google!: string;
}

@ObjectType('SyncWindow', { description: 'The span of time inbound and initial sync look at.' })
export class SyncWindowType implements SyncWindow {
  @Field(() => Int)
  pastDays!: number;

  @Field(() => Int)
  futureDays!: number;
}

@ObjectType('TenantSettings', { description: "A tenant's sync settings; unset values read as the defaults." })
export class TenantSettingsType {
  @Field(() => ID)
  tenantId!: string;

  @Field(() => PollingSettingsType)
  polling!: PollingSettingsType;

  @Field(() => ConflictPolicyEnum)
  conflictPolicy!: ConflictPolicy;

  @Field(() => Boolean, { description: 'When one side deleted and the other edited, the deletion wins.' })
  deletionWins!: boolean;

  @Field(() => HostProfileType)
  hostProfile!: HostProfileType;

  @Field(() => TitleMarkersType)
  titleMarkers!: TitleMarkersType;

  @Field(() => String, { nullable: true, description: 'e.g. https://crm.example.com/leads/{hostRecordId}; null for no link.' })
  recordLinkTemplate!: string | null;

  @Field(() => String)
  recordLinkLabel!: string;

  @Field(() => SyncWindowType)
  syncWindow!: SyncWindowType;

  @Field(() => Boolean, { description: 'Whether new links sync both ways.' })
  twoWayByDefault!: boolean;

  @Field(() => [String], { description: "Origins (e.g. https://crm.example.com) that linkCalendar's returnTo may point to; empty: none." })
  returnToOrigins!: string[];
}
