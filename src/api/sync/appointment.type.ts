import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { AttendeeResponse, EventBody, ReminderMethod, Sensitivity, ShowAs } from '../../domain/appointment.js';
import type { HubId } from '../../domain/ids.js';
import type { AppointmentChangeKind, AppointmentOrigin } from '../../domain/model.js';
import { ChangeKindEnum } from '../enums.js';
import { ConnectionType } from '../pagination/connection.type.js';
import {
  AppointmentOriginEnum,
  AttendeeResponseEnum,
  BodyContentTypeEnum,
  ReminderMethodEnum,
  SensitivityEnum,
  ShowAsEnum,
} from './sync.enums.js';

@ObjectType('AppointmentBody')
export class AppointmentBodyType {
  @Field(() => BodyContentTypeEnum)
  contentType!: EventBody['contentType'];

  @Field(() => String)
  content!: string;
}

@ObjectType('Attendee')
export class AttendeeType {
  @Field(() => String, { description: 'Stored lower-cased.' })
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => Boolean)
  optional!: boolean;

  @Field(() => Boolean, { description: 'A room or other resource the calendar lists among the attendees.' })
  resource!: boolean;

  @Field(() => AttendeeResponseEnum)
  response!: AttendeeResponse;

  @Field(() => ID, { nullable: true, description: "The HostUser id of the tenant's host user with this email, when there is one." })
  hostUserId!: string | null;
}

@ObjectType('Reminder')
export class ReminderType {
  @Field(() => Int)
  minutesBefore!: number;

  @Field(() => ReminderMethodEnum)
  method!: ReminderMethod;
}

@ObjectType('Recurrence', { description: 'An RFC 5545 series: the rule, and the occurrences taken out of it. The series starts at the appointment\'s start.' })
export class RecurrenceType {
  @Field(() => String, { description: 'The RRULE value without "RRULE:", e.g. FREQ=WEEKLY;BYDAY=MO,WE.' })
  rrule!: string;

  @Field(() => [String], { description: 'Starts of cancelled occurrences: ISO instants (timed series) or YYYY-MM-DD dates (all-day series).' })
  exdates!: string[];
}

/**
 * The fields that sync both ways, flattened for clients: timed appointments have start/end (and
 * timeZone), all-day ones startDate/endDate. Shared by the appointment and the versions a conflict
 * keeps (src/api/sync/appointment.mapper.ts fills both).
 */
// Never emitted itself (type-graphql 2 emits only types reachable from a resolver).
@ObjectType('AppointmentContentBase')
export abstract class AppointmentContentType {
  @Field(() => String, { nullable: true })
  subject!: string | null;

  @Field(() => AppointmentBodyType, { nullable: true })
  body!: AppointmentBodyType | null;

  @Field(() => Boolean, { description: 'true: startDate/endDate are set; false: start/end are.' })
  allDay!: boolean;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Timed appointments: the start instant. Null for all-day ones.' })
  start!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Timed appointments: the end instant (after start). Null for all-day ones.' })
  end!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'IANA time zone (e.g. Europe/Zurich) the appointment was set in; a series repeats in it. Always set for timed appointments; for all-day ones when known.',
  })
  timeZone!: string | null;

  @Field(() => String, { nullable: true, description: 'All-day appointments: the first day, YYYY-MM-DD. Null for timed ones.' })
  startDate!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'All-day appointments: the day AFTER the last day (exclusive), YYYY-MM-DD — a one-day appointment on 3 March 2026 has startDate 2026-03-03 and endDate 2026-03-04. Null for timed ones.',
  })
  endDate!: string | null;

  @Field(() => String, { nullable: true })
  location!: string | null;

  @Field(() => [AttendeeType])
  attendees!: AttendeeType[];

  @Field(() => [ReminderType], { nullable: true, description: "Null: the calendar's default reminders. []: none." })
  reminders!: ReminderType[] | null;

  @Field(() => RecurrenceType, { nullable: true, description: 'Null for a single appointment.' })
  recurrence!: RecurrenceType | null;

  @Field(() => ShowAsEnum)
  showAs!: ShowAs;

  @Field(() => SensitivityEnum)
  sensitivity!: Sensitivity;
}

@ObjectType('AppointmentSnapshot', { description: "One side's version of an appointment, as a conflict saw it (the fields that sync)." })
export class AppointmentSnapshotType extends AppointmentContentType {}

/**
 * A host appointment. `user`, `syncState` and `mappings` are field resolvers
 * (appointment.resolver.ts).
 */
@ObjectType('Appointment', {
  description: "An appointment of the host, synced with its owner's primary calendar. A deleted appointment stays readable by id (deleted: true); lists leave it out unless filter.includeDeleted.",
})
export class AppointmentType extends AppointmentContentType {
  @Field(() => ID)
  id!: HubId<'appointment'>;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => String, { nullable: true, description: "The host's own id (unique per tenant); null for an appointment made in a calendar until the host saves it." })
  hostAppointmentId!: string | null;

  @Field(() => ID, { description: 'The HostUser id of the owner: the appointment syncs with their primary calendar.' })
  userId!: string;

  @Field(() => String, { nullable: true, description: 'The host record the appointment belongs to (used in the record link written into the event).' })
  hostRecordId!: string | null;

  @Field(() => [String], { description: 'Rooms and resources booked in the host; written to the location outside.' })
  resources!: string[];

  @Field(() => ID, { nullable: true, description: 'For an exception (a moved or edited occurrence): the series master. Null for single appointments and series.' })
  seriesMasterId!: string | null;

  @Field(() => String, { nullable: true, description: 'For an exception: the start of the occurrence it replaces (ISO instant, or YYYY-MM-DD for an all-day series).' })
  originalStart!: string | null;

  @Field(() => JSONObjectResolver, { nullable: true, description: 'Host-only data (e.g. "visible for all users"); never sent to a calendar.' })
  hostOnly!: Record<string, unknown> | null;

  @Field(() => AppointmentOriginEnum, { description: 'Where the appointment was created.' })
  origin!: AppointmentOrigin;

  @Field(() => Int, { description: 'Moves on with every change of the appointment (by the host or by a sync).' })
  version!: number;

  @Field(() => Boolean)
  deleted!: boolean;

  @Field(() => DateTimeResolver, { nullable: true })
  deletedAt!: Date | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;
}

@ObjectType('AppointmentConnection')
export class AppointmentConnection extends ConnectionType('Appointment', AppointmentType) {}

@ObjectType('UpsertAppointmentPayload')
export class UpsertAppointmentPayload {
  @Field(() => AppointmentType)
  appointment!: AppointmentType;

  @Field(() => Boolean, { description: 'true for a new appointment (or a deleted one saved again); false when an existing one was updated.' })
  created!: boolean;
}

@ObjectType('AppointmentChangedEvent')
export class AppointmentChangedEventType {
  @Field(() => ChangeKindEnum)
  kind!: AppointmentChangeKind;

  @Field(() => AppointmentOriginEnum, { description: 'Where the change was made: HOST (through this API) or the calendar it came from.' })
  source!: AppointmentOrigin;

  @Field(() => AppointmentType, { description: 'The appointment as it is now (deleted: true after a deletion).' })
  appointment!: AppointmentType;

  @Field(() => DateTimeResolver, { description: 'When the change was applied.' })
  at!: Date;
}
