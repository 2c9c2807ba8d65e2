import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import type { ConflictChoice } from '../../domain/model.js';
import { TOPICS, type ConflictDetectedPayload } from '../../events/pubsub-topics.js';
import type { Conflict } from '../../store/entities/index.js';
import { requireCaller, type HubContext } from '../context.js';
import { storeLoaded } from '../limits/operation-limits.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { subscriptionScope } from '../tenancy/subscription-scope.js';
import { appointmentView, snapshotView } from './appointment.mapper.js';
import { AppointmentSnapshotType, AppointmentType } from './appointment.type.js';
import { ConflictConnection, ConflictType } from './conflict.type.js';
import { ConflictChoiceEnum } from './sync.enums.js';
import { ConflictFilterInput } from './sync.input.js';

@Resolver(() => ConflictType)
export class ConflictResolver {
  @Query(() => ConflictConnection, { description: "A tenant's conflicts, oldest first. ADMIN keys pass tenantId (or filter.connectionId)." })
  conflicts(
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Arg('filter', () => ConflictFilterInput, { nullable: true }) filter: ConflictFilterInput | null | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: HubContext,
  ) {
    return ctx.services.sync.conflicts(requireCaller(ctx), { ...filter, tenantId }, page);
  }

  @Query(() => ConflictType)
  conflict(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext): Promise<Conflict> {
    return ctx.services.sync.conflict(requireCaller(ctx), id);
  }

  @Mutation(() => ConflictType, {
    description:
      'Applies a choice to an OPEN conflict (MANUAL policy) against the current state of both sides, and resolves it. CONFLICT when it is resolved already, when the link is not ACTIVE, or while a sync run of the link is busy (try again).',
  })
  resolveConflict(
    @Arg('id', () => ID) id: string,
    @Arg('choice', () => ConflictChoiceEnum) choice: ConflictChoice,
    @Ctx() ctx: HubContext,
  ): Promise<Conflict> {
    return ctx.services.sync.resolveConflict(requireCaller(ctx), id, choice);
  }

  @FieldResolver(() => AppointmentType, { description: 'The appointment as it is now.', complexity: storeLoaded() })
  async appointment(@Root() conflict: Conflict, @Ctx() ctx: HubContext): Promise<AppointmentType> {
    return appointmentView(await ctx.services.appointments.get(requireCaller(ctx), conflict.appointmentId));
  }

  @FieldResolver(() => AppointmentSnapshotType, { nullable: true, description: "The host's version when the conflict was found; null when the host had deleted it." })
  hostVersion(@Root() conflict: Conflict): AppointmentSnapshotType | null {
    return snapshotView(conflict.hostSnapshot);
  }

  @FieldResolver(() => AppointmentSnapshotType, { nullable: true, description: "The calendar's version when the conflict was found; null when it had been deleted there." })
  providerVersion(@Root() conflict: Conflict): AppointmentSnapshotType | null {
    return snapshotView(conflict.providerSnapshot);
  }

  @Subscription(() => ConflictType, {
    description: 'Conflicts as they are found (decided by the policy, or OPEN for MANUAL). TENANT keys: their own tenant; ADMIN keys: all, or `tenantId`.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { tenantId?: string | null }, HubContext>) =>
      subscriptionScope(context, args.tenantId).then((scope) => context.pubsub.subscribeTyped(TOPICS.CONFLICT_DETECTED, scope)),
  })
  conflictDetected(
    @Root() payload: ConflictDetectedPayload,
    @Arg('tenantId', () => ID, { nullable: true }) _tenantId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<Conflict> {
    return ctx.services.sync.conflict(requireCaller(ctx), payload.conflictId);
  }
}
