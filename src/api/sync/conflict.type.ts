import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { ConflictChoice, ConflictPolicy, ConflictStatus } from '../../domain/model.js';
import type { ConflictKind } from '../../domain/sync/decision.js';
import { ConflictPolicyEnum } from '../enums.js';
import { ConnectionType } from '../pagination/connection.type.js';
import { ConflictChoiceEnum, ConflictKindEnum, ConflictStatusEnum } from './sync.enums.js';

/** `appointment`, `hostVersion` and `providerVersion` are field resolvers (conflict.resolver.ts). */
@ObjectType('Conflict', { description: 'An appointment changed on both sides between two syncs: both versions, and what the policy (or a person) chose.' })
export class ConflictType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => ID)
  connectionId!: string;

  @Field(() => ID)
  appointmentId!: string;

  @Field(() => ConflictKindEnum)
  kind!: ConflictKind;

  @Field(() => ConflictPolicyEnum, { description: "The tenant's policy when the conflict was found." })
  policy!: ConflictPolicy;

  @Field(() => ConflictChoiceEnum, { nullable: true, description: 'The side that won (or DELETE); null while OPEN.' })
  decision!: ConflictChoice | null;

  @Field(() => ConflictStatusEnum)
  status!: ConflictStatus;

  @Field(() => String, { nullable: true, description: 'Why the decision was taken, e.g. "the calendar changed last (LATEST_WINS)".' })
  reason!: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When the host changed its side.' })
  hostChangedAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "The calendar's own last-modified time of its side; null for a deletion (providers do not tell when)." })
  providerChangedAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  resolvedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'POLICY, or the id of the API key that chose (OPERATOR for the CLI).' })
  resolvedBy!: string | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}

@ObjectType('ConflictConnection')
export class ConflictConnection extends ConnectionType('Conflict', ConflictType) {}
