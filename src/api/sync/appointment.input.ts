import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import type { EventBody, ReminderMethod, Sensitivity, ShowAs } from '../../domain/appointment.js';
import type { AppointmentOrigin } from '../../domain/model.js';
import type { AppointmentSyncState } from '../../sync/appointment.service.js';
import { AppointmentOriginEnum, AppointmentSyncStateEnum, BodyContentTypeEnum, ReminderMethodEnum, SensitivityEnum, ShowAsEnum } from './sync.enums.js';

/**
 * The inputs of appointments. Types only: the service (src/sync/appointment-input.ts) checks sizes,
 * dates, zones and emails, so the CLI and the API refuse the same input the same way.
 */

@InputType('AppointmentBodyInput')
export class AppointmentBodyInput {
  @Field(() => BodyContentTypeEnum)
  contentType!: EventBody['contentType'];

  @Field(() => String, { description: 'At most 1 MB (UTF-8).' })
  content!: string;
}

@InputType('AttendeeInput')
export class AttendeeInput {
  @Field(() => String, { description: 'Matched (case-insensitively) with the host users of the tenant: a match sets hostUserId.' })
  email!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  optional?: boolean | null;
}

@InputType('ReminderInput')
export class ReminderInput {
  @Field(() => Int, { description: '0 to 40320 (four weeks).' })
  minutesBefore!: number;

  @Field(() => ReminderMethodEnum, { nullable: true, description: 'Default POPUP.' })
  method?: ReminderMethod | null;
}

@InputType('RecurrenceInput')
export class RecurrenceInput {
  @Field(() => String, { description: 'An RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10 (a leading "RRULE:" is accepted). The series starts at start/startDate.' })
  rrule!: string;

  @Field(() => [String], { nullable: true, description: 'Starts of cancelled occurrences: ISO instants (timed) or YYYY-MM-DD dates (all-day); at most 1,000.' })
  exdates?: string[] | null;
}

@InputType('UpsertAppointmentInput', {
  description:
    'The whole appointment (fields left out are cleared), keyed by hostAppointmentId. Timed: start, end and timeZone. All day: startDate and endDate (endDate exclusive), timeZone optional.',
})
export class UpsertAppointmentInput {
  @Field(() => ID, { nullable: true, description: 'Required with an ADMIN key; a TENANT key acts on its own tenant.' })
  tenantId?: string | null;

  @Field(() => String, { description: "The host's id of the appointment (unique per tenant, at most 256 characters)." })
  hostAppointmentId!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      "The hub id of an appointment that came from a calendar (origin MICROSOFT or GOOGLE, no hostAppointmentId yet): the host takes it over under hostAppointmentId, and from then on keys it by that id. Leave it out otherwise. CONFLICT when the appointment already has another hostAppointmentId or that hostAppointmentId belongs to another appointment.",
  })
  id?: string | null;

  @Field(() => ID, { description: 'The HostUser id of the owner: the appointment goes to their primary calendar.' })
  userId!: string;

  @Field(() => String, { nullable: true, description: 'At most 1,000 characters.' })
  subject?: string | null;

  @Field(() => AppointmentBodyInput, { nullable: true })
  body?: AppointmentBodyInput | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Timed appointments: the start instant.' })
  start?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Timed appointments: the end instant, after start (at most 366 days later).' })
  end?: Date | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone such as Europe/Zurich; required for timed appointments (a series repeats in it).' })
  timeZone?: string | null;

  @Field(() => String, { nullable: true, description: 'All-day appointments: the first day, YYYY-MM-DD.' })
  startDate?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'All-day appointments: the day AFTER the last day (exclusive), YYYY-MM-DD — a one-day appointment on 3 March 2026 is startDate 2026-03-03, endDate 2026-03-04.',
  })
  endDate?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 1,000 characters.' })
  location?: string | null;

  @Field(() => [AttendeeInput], { nullable: true, description: 'At most 500; duplicates (same email) are dropped.' })
  attendees?: AttendeeInput[] | null;

  @Field(() => [String], { nullable: true, description: 'Rooms and resources booked in the host (at most 50); written to the location outside.' })
  resources?: string[] | null;

  @Field(() => [ReminderInput], { nullable: true, description: "At most 5. Null: the calendar's default reminders; []: none." })
  reminders?: ReminderInput[] | null;

  @Field(() => RecurrenceInput, { nullable: true })
  recurrence?: RecurrenceInput | null;

  @Field(() => ShowAsEnum, { nullable: true, description: 'Default BUSY.' })
  showAs?: ShowAs | null;

  @Field(() => SensitivityEnum, { nullable: true, description: 'Default NORMAL.' })
  sensitivity?: Sensitivity | null;

  @Field(() => String, { nullable: true, description: 'The host record the appointment belongs to: fills the record link template (tenant settings) written into the event.' })
  hostRecordId?: string | null;

  @Field(() => JSONObjectResolver, { nullable: true, description: 'Host-only data (at most 64 KB as JSON); stored and returned, never sent to a calendar.' })
  hostOnly?: Record<string, unknown> | null;
}

@InputType('AppointmentFilter')
export class AppointmentFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this host user's appointments." })
  userId?: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Only appointments ending after this instant (a series by its first occurrence: series are not expanded).' })
  from?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Only appointments starting before this instant (after from).' })
  to?: Date | null;

  @Field(() => AppointmentOriginEnum, { nullable: true })
  origin?: AppointmentOrigin | null;

  @Field(() => AppointmentSyncStateEnum, { nullable: true })
  syncState?: AppointmentSyncState | null;

  @Field(() => Boolean, { nullable: true, description: 'Also deleted appointments (tombstones). Default false.' })
  includeDeleted?: boolean | null;
}
