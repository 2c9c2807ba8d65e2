import { Field, ID, InputType } from 'type-graphql';
import type { MappingState, SyncRunOutcome, SyncTrigger } from '../../domain/model.js';
import type { SyncIssueCode } from '../../domain/sync-issue.js';
import { SyncIssueCodeEnum, SyncMappingStateEnum, SyncRunOutcomeEnum, SyncTriggerEnum } from './sync.enums.js';

@InputType('SyncMappingFilter')
export class SyncMappingFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this link's pairs." })
  connectionId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only this appointment's pairs." })
  appointmentId?: string | null;

  @Field(() => SyncMappingStateEnum, { nullable: true })
  state?: MappingState | null;
}

@InputType('ConflictFilter')
export class ConflictFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this link's conflicts." })
  connectionId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only RESOLVED ones; false: only OPEN ones (waiting for resolveConflict).' })
  resolved?: boolean | null;
}

@InputType('SyncRunFilter')
export class SyncRunFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this link's runs." })
  connectionId?: string | null;

  @Field(() => SyncTriggerEnum, { nullable: true })
  trigger?: SyncTrigger | null;

  @Field(() => SyncRunOutcomeEnum, { nullable: true })
  outcome?: SyncRunOutcome | null;
}

@InputType('SyncIssueFilter')
export class SyncIssueFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this host user's notices." })
  userId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only this link's notices." })
  connectionId?: string | null;

  @Field(() => SyncIssueCodeEnum, { nullable: true })
  code?: SyncIssueCode | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only open notices; false: only resolved ones.' })
  open?: boolean | null;
}
