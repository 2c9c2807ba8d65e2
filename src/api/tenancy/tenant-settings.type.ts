import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { ConflictPolicy } from '../../domain/model.js';
import type { HostProfile, IcsWindow, PollingSettings, SyncWindow, TitleMarkerPlacement, TitleMarkers, Weekday } from '../../domain/tenant-settings.js';
import { ConflictPolicyEnum, HostRecurrenceSupportEnum, TitleMarkerPlacementEnum, WeekdayEnum } from '../enums.js';

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

  @Field(() => [Int], { description: 'Reminder offsets (minutes before the start) the host supports; reminders from a calendar are rounded to the nearest. Empty: any.' })
  reminderMinutes!: number[];
}

@ObjectType('TitleMarkers', { description: 'Prefixes that show where an item came from, e.g. "[O]".' })
export class TitleMarkersType implements TitleMarkers {
  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => TitleMarkerPlacementEnum, { description: 'Where the markers are shown (default OUTSIDE).' })
  placement!: TitleMarkerPlacement;

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

@ObjectType('IcsWindow', { description: "The span of a user's ICS feed around today." })
export class IcsWindowType implements IcsWindow {
  @Field(() => Int, { description: 'Days back (default 60).' })
  pastDays!: number;

  @Field(() => Int, { description: 'Days ahead (default 60).' })
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

  @Field(() => String, { description: 'The text of the record link, e.g. "Show lead".' })
  recordLinkLabel!: string;

  @Field(() => Boolean, {
    description: 'Whether attendees are written to the calendars (Outlook and Google then e-mail invitations). Off (default): attendees never leave the host, and the attendees of an event stay as they are in the calendar.',
  })
  writeAttendees!: boolean;

  @Field(() => SyncWindowType)
  syncWindow!: SyncWindowType;

  @Field(() => Boolean, { description: 'Whether new links sync both ways.' })
  twoWayByDefault!: boolean;

  @Field(() => IcsWindowType, { description: "What a user's ICS feed (createIcsFeed) holds." })
  icsWindow!: IcsWindowType;

  @Field(() => [String], {
    description:
      "Addresses and CIDR ranges (IPv4/IPv6) the tenant's API keys are accepted from; empty accepts every address. Calls from elsewhere get FORBIDDEN. ADMIN keys are not bound by it. Behind a proxy, TRUST_PROXY decides whether X-Forwarded-For counts.",
  })
  ipAllowList!: string[];
  @Field(() => [String], { description: "Origins (e.g. https://crm.example.com) that linkCalendar's returnTo may point to; empty: none." })
  returnToOrigins!: string[];
}
