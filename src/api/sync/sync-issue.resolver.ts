import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { filterEvents } from '../../events/filter-events.js';
import { TOPICS, type SyncIssueRaisedPayload, type SyncIssueResolvedPayload } from '../../events/pubsub-topics.js';
import type { SyncIssue } from '../../store/entities/index.js';
import { requireCaller, type HubContext } from '../context.js';
import { storeLoaded } from '../limits/operation-limits.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { subscriptionScope } from '../tenancy/subscription-scope.js';
import { appointmentView } from './appointment.mapper.js';
import { AppointmentType } from './appointment.type.js';
import { SyncIssueConnection, SyncIssueType } from './sync-issue.type.js';
import { SyncIssueFilterInput } from './sync.input.js';

interface SyncIssueEventArgs {
  tenantId?: string | null;
  userId?: string | null;
}

/** The subscription source of notices of one topic, narrowed to a host user when asked. */
async function issueEvents(topic: typeof TOPICS.SYNC_ISSUE_RAISED | typeof TOPICS.SYNC_ISSUE_RESOLVED, { args, context }: SubscribeResolverData<unknown, SyncIssueEventArgs, HubContext>) {
  const scope = await subscriptionScope(context, args.tenantId);
  // Another tenant's user reads as unknown, as everywhere.
  if (args.userId) await context.services.hostUsers.get(requireCaller(context), args.userId);
  const events = context.pubsub.subscribeTyped(topic, scope);
  return args.userId ? filterEvents(events, (e) => e.hostUserId === args.userId) : events;
}

@Resolver(() => SyncIssueType)
export class SyncIssueResolver {
  @Query(() => SyncIssueConnection, { description: "A tenant's notices, oldest first. ADMIN keys pass tenantId (or filter.connectionId)." })
  syncIssues(
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Arg('filter', () => SyncIssueFilterInput, { nullable: true }) filter: SyncIssueFilterInput | null | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: HubContext,
  ) {
    return ctx.services.sync.syncIssues(requireCaller(ctx), { ...filter, tenantId }, page);
  }

  @Query(() => SyncIssueType)
  syncIssue(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext): Promise<SyncIssue> {
    return ctx.services.sync.syncIssue(requireCaller(ctx), id);
  }

  @FieldResolver(() => Boolean, { description: 'Whether the cause is still there (resolvedAt is null).' })
  open(@Root() issue: SyncIssue): boolean {
    return issue.resolvedAt === null;
  }

  @FieldResolver(() => AppointmentType, { nullable: true, description: 'The appointment it is about, as it is now (also when deleted).', complexity: storeLoaded() })
  async appointment(@Root() issue: SyncIssue, @Ctx() ctx: HubContext): Promise<AppointmentType | null> {
    return issue.appointmentId ? appointmentView(await ctx.services.appointments.get(requireCaller(ctx), issue.appointmentId)) : null;
  }

  @Subscription(() => SyncIssueType, {
    description: 'Notices as they are raised (once per notice; repeats are counted, not announced). TENANT keys: their own tenant; ADMIN keys: all, or `tenantId`. Narrow with userId.',
    subscribe: (data: SubscribeResolverData<unknown, SyncIssueEventArgs, HubContext>) => issueEvents(TOPICS.SYNC_ISSUE_RAISED, data),
  })
  syncIssueRaised(
    @Root() payload: SyncIssueRaisedPayload,
    @Arg('userId', () => ID, { nullable: true }) _userId: string | null | undefined,
    @Arg('tenantId', () => ID, { nullable: true }) _tenantId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<SyncIssue> {
    return ctx.services.sync.syncIssue(requireCaller(ctx), payload.syncIssueId);
  }

  @Subscription(() => SyncIssueType, {
    description: 'Notices as their cause goes away (the item fixed or deleted, the link relinked). TENANT keys: their own tenant; ADMIN keys: all, or `tenantId`. Narrow with userId.',
    subscribe: (data: SubscribeResolverData<unknown, SyncIssueEventArgs, HubContext>) => issueEvents(TOPICS.SYNC_ISSUE_RESOLVED, data),
  })
  syncIssueResolved(
    @Root() payload: SyncIssueResolvedPayload,
    @Arg('userId', () => ID, { nullable: true }) _userId: string | null | undefined,
    @Arg('tenantId', () => ID, { nullable: true }) _tenantId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<SyncIssue> {
    return ctx.services.sync.syncIssue(requireCaller(ctx), payload.syncIssueId);
  }
}
