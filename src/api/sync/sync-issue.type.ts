import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { AppointmentOrigin, IssueSeverity } from '../../domain/model.js';
import type { SyncIssueCode } from '../../domain/sync-issue.js';
import { ConnectionType } from '../pagination/connection.type.js';
import { AppointmentOriginEnum, IssueSeverityEnum, SyncIssueCodeEnum } from './sync.enums.js';

/** `appointment` and `open` are field resolvers (sync-issue.resolver.ts). */
@ObjectType('SyncIssue', {
  description:
    'A notice for the person whose item or link it is: what happened (message, written for the end user), what to do (tip), and whether it blocks the item. One per item and code; repeats are counted, and it is resolved by itself when the cause goes away.',
})
export class SyncIssueType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => SyncIssueCodeEnum)
  code!: SyncIssueCode;

  @Field(() => IssueSeverityEnum)
  severity!: IssueSeverity;

  @Field(() => String)
  message!: string;

  @Field(() => String, { nullable: true, description: 'What the user can do about it.' })
  tip!: string | null;

  @Field(() => AppointmentOriginEnum, {
    nullable: true,
    description: 'Where the item came from: HOST (an appointment saved through this API) or the calendar (MICROSOFT, GOOGLE). Null for notices about a link.',
  })
  side!: AppointmentOrigin | null;

  @Field(() => ID, { nullable: true, description: 'The host user it is for.' })
  userId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The link it concerns.' })
  connectionId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The appointment it is about, when the item is (or became) one.' })
  appointmentId!: string | null;

  @Field(() => String, { nullable: true, description: "The calendar event it is about, when the item came from a calendar (it may never have become an appointment)." })
  externalEventId!: string | null;

  @Field(() => JSONObjectResolver, { nullable: true, description: 'Facts behind the message (e.g. counts).' })
  details!: Record<string, unknown> | null;

  @Field(() => Int, { description: 'How often the cause was seen while the notice was open.' })
  occurrences!: number;

  @Field(() => DateTimeResolver, { description: 'When it was raised.' })
  createdAt!: Date;

  @Field(() => DateTimeResolver, { description: 'When the cause was last seen.' })
  lastSeenAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When the cause went away; null while open.' })
  resolvedAt!: Date | null;
}

@ObjectType('SyncIssueConnection')
export class SyncIssueConnection extends ConnectionType('SyncIssue', SyncIssueType) {}
