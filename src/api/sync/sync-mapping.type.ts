import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { MappingState } from '../../domain/model.js';
import { ConnectionType } from '../pagination/connection.type.js';
import { SyncMappingStateEnum } from './sync.enums.js';

/** One pair: an appointment ↔ its event in one calendar. `lastError` is a field resolver (sync-mapping.resolver.ts). */
@ObjectType('SyncMapping', { description: "An appointment paired with its event in one calendar, and how their sync stands (docs/sync.md, \"Pairs\")." })
export class SyncMappingType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => ID)
  appointmentId!: string;

  @Field(() => ID, { description: 'The link (Connection) of the calendar.' })
  connectionId!: string;

  @Field(() => ID, { description: 'The hub calendar id.' })
  calendarId!: string;

  @Field(() => SyncMappingStateEnum)
  state!: MappingState;

  @Field(() => String, { nullable: true, description: "The provider's event id; null until the event exists." })
  externalEventId!: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When both sides were last brought level.' })
  lastSyncedAt!: Date | null;

  @Field(() => Int, { description: 'Failed attempts in a row (reset by the next success).' })
  attempts!: number;

  @Field(() => DateTimeResolver, { nullable: true, description: 'State ERROR: when the item is tried again.' })
  nextAttemptAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Set when the pair no longer syncs (deleted on both sides, cleanup, revoke); saving the appointment again reopens it.' })
  closedAt!: Date | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;
}

@ObjectType('SyncMappingConnection')
export class SyncMappingConnection extends ConnectionType('SyncMapping', SyncMappingType) {}
