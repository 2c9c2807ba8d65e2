import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { CalendarRole } from '../../domain/model.js';
import { CalendarRoleEnum } from './linking.enums.js';

@ObjectType('Calendar', { description: 'A calendar of a linked account, as the provider lists it.' })
export class CalendarType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The link (Connection) the calendar belongs to.' })
  connectionId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: "The provider's colour (hex or a provider colour name)." })
  color!: string | null;

  @Field(() => Boolean, { description: 'false for read-only calendars (shared read-only, holidays, birthdays); those cannot be PRIMARY.' })
  canEdit!: boolean;

  @Field(() => Boolean, { description: "The account's default calendar (chosen as PRIMARY when the user has none)." })
  isDefault!: boolean;

  @Field(() => CalendarRoleEnum)
  role!: CalendarRole;

  @Field(() => String, { nullable: true, description: 'IANA time zone of the calendar, when the provider tells.' })
  timeZone!: string | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}

@ObjectType('SetPrimaryCalendarPayload')
export class SetPrimaryCalendarPayload {
  @Field(() => CalendarType, { description: 'The new primary calendar.' })
  calendar!: CalendarType;

  @Field(() => CalendarType, { nullable: true, description: 'The calendar that was primary before (now NONE); null if there was none or it did not change.' })
  previousPrimary!: CalendarType | null;
}
