import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { ChangeKind } from '../../events/hub-pubsub.js';
import { ChangeKindEnum } from '../enums.js';
import { ConnectionType } from '../pagination/connection.type.js';

@ObjectType('HostUser', { description: 'A user of the host application.' })
export class HostUserType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => String, { description: "The host's own id for the user (unique per tenant)." })
  hostUserId!: string;

  @Field(() => String, { nullable: true, description: 'Stored lower-cased.' })
  email!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => Boolean)
  active!: boolean;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. Europe/Zurich.' })
  timeZone!: string | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;
}

@ObjectType('HostUserConnection')
export class HostUserConnection extends ConnectionType('HostUser', HostUserType) {}

@ObjectType('UpsertHostUserPayload')
export class UpsertHostUserPayload {
  @Field(() => HostUserType)
  hostUser!: HostUserType;

  @Field(() => Boolean, { description: 'false when an existing host user with this hostUserId was updated.' })
  created!: boolean;
}

@ObjectType('HostUserChangedEvent')
export class HostUserChangedEventType {
  @Field(() => ChangeKindEnum)
  change!: ChangeKind;

  @Field(() => DateTimeResolver, { description: 'When the change happened.' })
  at!: Date;

  @Field(() => HostUserType, { description: 'The host user as it is now.' })
  hostUser!: HostUserType;
}
