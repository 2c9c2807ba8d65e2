import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { SyncDirection, SyncRunOutcome, SyncTrigger } from '../../domain/model.js';
import type { SyncRunPhase } from '../../events/pubsub-topics.js';
import { ConnectionType } from '../pagination/connection.type.js';
import { SyncDirectionEnum, SyncRunOutcomeEnum, SyncRunPhaseEnum, SyncTriggerEnum } from './sync.enums.js';

@ObjectType('SyncActionCounts', { description: 'What one direction of a run did, per action.' })
export class SyncActionCountsType {
  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  updated!: number;

  @Field(() => Int)
  deleted!: number;

  @Field(() => Int, { description: 'Items looked at that needed nothing (e.g. the echo of the hub\'s own write).' })
  unchanged!: number;

  @Field(() => Int, { description: 'Items changed on both sides (see conflicts).' })
  conflicts!: number;

  @Field(() => Int, { description: 'Items left out on purpose (e.g. events that cannot be mirrored, or that began before the link was activated).' })
  skipped!: number;

  @Field(() => Int, { description: 'Items that failed (their pairs are in ERROR and retried).' })
  errors!: number;
}

@ObjectType('SyncRunCounts')
export class SyncRunCountsType {
  @Field(() => SyncActionCountsType, { description: 'Host → calendar writes.' })
  outbound!: SyncActionCountsType;

  @Field(() => SyncActionCountsType, { description: 'Calendar changes applied to the host.' })
  inbound!: SyncActionCountsType;
}

/** One run of one link. `providerRequests` and `error` are field resolvers (sync-run.resolver.ts). */
@ObjectType('SyncRun', { description: 'One sync run of one link: what started it, what it did, what it cost.' })
export class SyncRunType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => ID)
  connectionId!: string;

  @Field(() => SyncTriggerEnum)
  trigger!: SyncTrigger;

  @Field(() => SyncDirectionEnum)
  direction!: SyncDirection;

  @Field(() => SyncRunOutcomeEnum)
  outcome!: SyncRunOutcome;

  @Field(() => SyncRunCountsType, { description: 'So far while RUNNING.' })
  counts!: SyncRunCountsType;

  @Field(() => Int, { description: 'Requests sent inside batch requests (Graph $batch, Google batch): a batch counts once in providerRequests, its parts here.' })
  providerBatchParts!: number;

  @Field(() => Boolean, { description: 'Whether the run may apply deletions the mass-deletion guard would hold (syncNow(confirmDeletions: true)).' })
  confirmDeletions!: boolean;

  @Field(() => DateTimeResolver, { description: 'When the run started (when it was queued, until it starts).' })
  startedAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Null while RUNNING.' })
  finishedAt!: Date | null;

  @Field(() => Int, { nullable: true })
  durationMs!: number | null;
}

@ObjectType('SyncRunConnection')
export class SyncRunConnection extends ConnectionType('SyncRun', SyncRunType) {}

@ObjectType('SyncStatusEvent')
export class SyncStatusEventType {
  @Field(() => SyncRunPhaseEnum)
  phase!: SyncRunPhase;

  @Field(() => SyncRunType, { description: 'The run as it is now (counts so far; outcome and finishedAt once it ended).' })
  run!: SyncRunType;

  @Field(() => DateTimeResolver)
  at!: Date;
}
