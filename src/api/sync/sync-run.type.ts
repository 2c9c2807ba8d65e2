import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { SyncDirection, SyncRunOutcome, SyncTrigger } from '../../domain/model.js';
import type { DriftKind } from '../../domain/sync-drift.js';
import type { SyncRunPhase } from '../../events/pubsub-topics.js';
import { ConnectionType } from '../pagination/connection.type.js';
import { SyncDirectionEnum, SyncDriftKindEnum, SyncRunOutcomeEnum, SyncRunPhaseEnum, SyncTriggerEnum } from './sync.enums.js';

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

@ObjectType('SyncDriftItem', { description: 'One difference a verify run found between the host and the calendar.' })
export class SyncDriftItemType {
  @Field(() => SyncDriftKindEnum)
  kind!: DriftKind;

  @Field(() => ID, { nullable: true, description: 'The appointment concerned (null for an event the host does not hold).' })
  appointmentId!: string | null;

  @Field(() => String, { nullable: true, description: "The calendar's event id concerned (null when the appointment has no event)." })
  externalEventId!: string | null;

  @Field(() => String, { description: 'What was found and, in a repair run, what was done about it.' })
  detail!: string;

  @Field(() => Boolean, { description: 'Whether the repair run put it right (always false without repair).' })
  repaired!: boolean;
}

@ObjectType('SyncDrift', { description: 'What a verify run (verifySync) found, per kind; items holds the first 100.' })
export class SyncDriftType {
  @Field(() => Int)
  missingAtProvider!: number;

  @Field(() => Int)
  missingInHost!: number;

  @Field(() => Int)
  duplicates!: number;

  @Field(() => Int)
  contentDiffers!: number;

  @Field(() => Int)
  orphanedMappings!: number;

  @Field(() => [SyncDriftItemType])
  items!: SyncDriftItemType[];
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

  @Field(() => Boolean, { description: 'A VERIFY run that repairs what it finds (verifySync(repair: true)).' })
  repair!: boolean;

  @Field(() => SyncDriftType, { nullable: true, description: 'What a VERIFY run found; null for other runs, and until the verify run finished.' })
  drift!: SyncDriftType | null;

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
