import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { ChangeKind } from '../../events/hub-pubsub.js';
import { ChangeKindEnum } from '../enums.js';
import { ConnectionType } from '../pagination/connection.type.js';

@ObjectType('Tenant', { description: 'One customer organisation (or location) of the host.' })
export class TenantType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;
}

@ObjectType('TenantConnection')
export class TenantConnection extends ConnectionType('Tenant', TenantType) {}

@ObjectType('TenantChangedEvent')
export class TenantChangedEventType {
  @Field(() => ChangeKindEnum)
  change!: ChangeKind;

  @Field(() => DateTimeResolver, { description: 'When the change happened.' })
  at!: Date;

  @Field(() => TenantType, { description: 'The tenant as it is now.' })
  tenant!: TenantType;
}
