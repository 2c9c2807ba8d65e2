import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '../pagination/connection.type.js';

@ObjectType('IcsFeed', { description: "A user's secret, subscribe-only ICS feed of their appointments (the URL is shown only by createIcsFeed)." })
export class IcsFeedType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => ID, { description: 'The HostUser whose appointments the feed serves.' })
  userId!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When a calendar app last fetched it (to the minute).' })
  lastFetchedAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Set once revoked or replaced; the URL then answers 404.' })
  revokedAt!: Date | null;
}

@ObjectType('IcsFeedConnection')
export class IcsFeedConnection extends ConnectionType('IcsFeed', IcsFeedType) {}

@ObjectType('CreateIcsFeedPayload')
export class CreateIcsFeedPayload {
  @Field(() => String, {
    description: 'The secret feed URL (<PUBLIC_URL>/ics/<token>.ics). Shown only now; anyone with it can read the appointments, so hand it to the user only.',
  })
  url!: string;

  @Field(() => IcsFeedType)
  feed!: IcsFeedType;
}
