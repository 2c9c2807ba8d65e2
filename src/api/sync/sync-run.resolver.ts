import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { filterEvents } from '../../events/filter-events.js';
import { TOPICS, type SyncRunChangedPayload } from '../../events/pubsub-topics.js';
import type { SyncRun } from '../../store/entities/index.js';
import { requireCaller, type HubContext } from '../context.js';
import { Cost, COST } from '../limits/cost.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { subscriptionScope } from '../tenancy/subscription-scope.js';
import { syncErrorOf, SyncErrorType } from './sync-error.type.js';
import { SyncRunConnection, SyncRunType, SyncStatusEventType } from './sync-run.type.js';
import { SyncRunFilterInput } from './sync.input.js';

interface SyncStatusArgs {
  tenantId?: string | null;
  connectionId?: string | null;
}

@Resolver(() => SyncRunType)
export class SyncRunResolver {
  // A run reads the primary and conflict-check calendars and writes what is pending.
  @Cost(2 * COST.PROVIDER_REQUEST)
  @Mutation(() => SyncRunType, {
    description:
      'Starts a sync of the link now, ahead of its polls, and returns its run — usually still RUNNING; syncRun(id) or the syncStatus subscription tell when it ends. Concurrent calls share the run in progress. confirmDeletions: true applies deletions the mass-deletion guard holds (Connection.deletionsHeld). CONFLICT when the link is not ACTIVE.',
  })
  syncNow(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('confirmDeletions', () => Boolean, { nullable: true, defaultValue: false }) confirmDeletions: boolean | null,
    @Ctx() ctx: HubContext,
  ): Promise<SyncRun> {
    return ctx.services.sync.syncNow(requireCaller(ctx), connectionId, { confirmDeletions: confirmDeletions ?? false });
  }

  // Deletes every event the hub wrote in the link's calendars: many provider requests, like revokeAccess.
  @Cost(5 * COST.PROVIDER_REQUEST)
  @Mutation(() => SyncRunType, {
    description:
      "Starts a CLEANUP run: every event the hub wrote in the link's calendars is deleted (found by the hub's tag, so also events whose pairing was lost; events the user made stay), and the pairs are closed. Host data is kept. CONFLICT when the link is not ACTIVE.",
  })
  cleanupSyncedEvents(@Arg('connectionId', () => ID) connectionId: string, @Ctx() ctx: HubContext): Promise<SyncRun> {
    return ctx.services.sync.cleanupSyncedEvents(requireCaller(ctx), connectionId);
  }

  @Mutation(() => SyncRunType, {
    description:
      "Starts a VERIFY run of the link and returns it (RUNNING until it ends; syncRun(id) or syncStatus tell when): the host and the link's primary calendar are read afresh over the sync window — a full read of the calendar, not its cursor, so what the cursor missed is found — and every difference is reported by kind in drift. repair: true also puts each right as the engine would have had it seen the change (an event gone at the provider counts as deleted there with two-way sync, and is re-created without; of two events carrying the hub's tag for one appointment the unpaired one is deleted; content differences go through the conflict policy). A verify run already queued or running with the same repair is shared. CONFLICT when the link is not ACTIVE.",
  })
  verifySync(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('repair', () => Boolean, { nullable: true, defaultValue: false }) repair: boolean | null,
    @Ctx() ctx: HubContext,
  ): Promise<SyncRun> {
    return ctx.services.sync.verifySync(requireCaller(ctx), connectionId, { repair: repair ?? false });
  }

  @Query(() => SyncRunConnection, {
    description: "A tenant's sync runs, oldest first — or, with newestFirst: true, the most recent first (after then pages back in time). ADMIN keys pass tenantId (or filter.connectionId).",
  })
  syncRuns(
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Arg('filter', () => SyncRunFilterInput, { nullable: true }) filter: SyncRunFilterInput | null | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('newestFirst', () => Boolean, { nullable: true, defaultValue: false }) newestFirst: boolean | null,
    @Ctx() ctx: HubContext,
  ) {
    return ctx.services.sync.syncRuns(requireCaller(ctx), { ...filter, tenantId, newestFirst }, page);
  }

  @Query(() => SyncRunType)
  syncRun(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext): Promise<SyncRun> {
    return ctx.services.sync.syncRun(requireCaller(ctx), id);
  }

  @FieldResolver(() => Int, { description: 'HTTP requests made to the provider (a batch request counts once; its parts are in providerBatchParts).' })
  providerRequests(@Root() run: SyncRun): number {
    return run.providerCalls;
  }

  @FieldResolver(() => SyncErrorType, { nullable: true, description: 'Why the run FAILED.' })
  error(@Root() run: SyncRun): SyncErrorType | null {
    return syncErrorOf(run.error);
  }

  @Subscription(() => SyncStatusEventType, {
    description:
      'Sync runs as they go: STARTED, PROGRESS (counts so far), then FINISHED or FAILED. TENANT keys: their own tenant; ADMIN keys: all, or `tenantId`. Narrow with connectionId.',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, SyncStatusArgs, HubContext>) => {
      const scope = await subscriptionScope(context, args.tenantId);
      // Another tenant's link reads as unknown, as everywhere.
      if (args.connectionId) await context.services.connections.get(requireCaller(context), args.connectionId);
      const events = context.pubsub.subscribeTyped(TOPICS.SYNC_RUN_CHANGED, scope);
      return args.connectionId ? filterEvents(events, (e) => e.connectionId === args.connectionId) : events;
    },
  })
  async syncStatus(
    @Root() payload: SyncRunChangedPayload,
    @Arg('connectionId', () => ID, { nullable: true }) _connectionId: string | null | undefined,
    @Arg('tenantId', () => ID, { nullable: true }) _tenantId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<SyncStatusEventType> {
    const run = await ctx.services.sync.syncRun(requireCaller(ctx), payload.syncRunId);
    return { phase: payload.phase, run, at: new Date(payload.at) };
  }
}
