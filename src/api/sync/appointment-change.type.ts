import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { AppointmentChangeKind } from '../../domain/model.js';
import { ChangeKindEnum } from '../enums.js';
import { EdgeType, PageInfo } from '../pagination/connection.type.js';

/** A row of the change feed. `provider` and `appointment` are field resolvers (appointment-change.resolver.ts). */
@ObjectType('AppointmentChange', { description: 'A change the hub applied to a host appointment from a calendar (the change feed).' })
export class AppointmentChangeType {
  @Field(() => ID)
  id!: string;

  @Field(() => ChangeKindEnum)
  kind!: AppointmentChangeKind;

  @Field(() => DateTimeResolver, { description: 'When the hub applied the change.' })
  at!: Date;

  @Field(() => ID)
  appointmentId!: string;

  @Field(() => ID, { description: 'The HostUser id of the owner.' })
  userId!: string;

  @Field(() => ID, { description: 'The link the change came through.' })
  connectionId!: string;
}

const AppointmentChangeEdge = EdgeType('AppointmentChange', AppointmentChangeType);

/**
 * The change feed's page: ordered, with opaque cursors; no totalCount (a feed has no end to
 * count to). `pageInfo.endCursor` is the after of the next call, also on an empty page.
 */
@ObjectType('AppointmentChangeConnection', { description: 'A page of the change feed (Relay cursor connection).' })
export class AppointmentChangeConnection {
  @Field(() => [AppointmentChangeEdge])
  edges!: InstanceType<typeof AppointmentChangeEdge>[];

  @Field(() => PageInfo, { description: 'endCursor stays the cursor given when the page is empty: keep passing it to receive later changes.' })
  pageInfo!: PageInfo;
}
