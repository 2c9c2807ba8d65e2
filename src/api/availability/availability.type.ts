import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { ShowAs } from '../../domain/appointment.js';
import { ShowAsEnum } from '../sync/sync.enums.js';

@ObjectType('BusyBlock', { description: 'A stretch of busy time; blocks do not overlap, and neighbours differ in showAs.' })
export class BusyBlockType {
  @Field(() => DateTimeResolver)
  start!: Date;

  @Field(() => DateTimeResolver)
  end!: Date;

  @Field(() => ShowAsEnum, {
    description: 'The firmest status of the events in the block: OUT_OF_OFFICE, BUSY, WORKING_ELSEWHERE or TENTATIVE (never FREE: free time is left out).',
  })
  showAs!: ShowAs;

  @Field(() => [ID], { description: 'The calendars (Calendar ids) with an event in the block.' })
  calendarIds!: string[];
}

@ObjectType('Availability', { description: "When a host user is busy across their primary and conflict-check calendars." })
export class AvailabilityType {
  @Field(() => DateTimeResolver, {
    nullable: true,
    description:
      'How fresh the answer is: the oldest of the last reads of those calendars (each poll and syncNow reads them). Null while one of them was never read (e.g. just linked).',
  })
  asOf!: Date | null;

  @Field(() => [BusyBlockType], { description: 'Sorted, merged busy blocks within the window (clipped to it).' })
  busy!: BusyBlockType[];
}
