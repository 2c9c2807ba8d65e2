import { Arg, Args, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { requireCaller, type HubContext } from '../context.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { TOPICS, type HostUserChangedPayload } from '../../events/hub-pubsub.js';
import { HostUserFilterInput, UpsertHostUserInput } from './host-user.input.js';
import { HostUserChangedEventType, HostUserConnection, HostUserType, UpsertHostUserPayload } from './host-user.type.js';
import { subscriptionScope } from './subscription-scope.js';

@Resolver(() => HostUserType)
export class HostUserResolver {
  @Query(() => HostUserConnection, { description: "A tenant's host users. ADMIN keys must pass tenantId." })
  hostUsers(
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Arg('filter', () => HostUserFilterInput, { nullable: true }) filter: HostUserFilterInput | null | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: HubContext,
  ) {
    return ctx.services.hostUsers.list(requireCaller(ctx), { ...filter, tenantId }, page);
  }

  @Query(() => HostUserType)
  hostUser(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext) {
    return ctx.services.hostUsers.get(requireCaller(ctx), id);
  }

  @Mutation(() => UpsertHostUserPayload, { description: 'Creates the host user or updates the one with the same hostUserId in the tenant.' })
  upsertHostUser(@Arg('input', () => UpsertHostUserInput) input: UpsertHostUserInput, @Ctx() ctx: HubContext) {
    return ctx.services.hostUsers.upsert(requireCaller(ctx), input);
  }

  @Subscription(() => HostUserChangedEventType, {
    description: 'Host users created or updated. TENANT keys: their own tenant; ADMIN keys: all, or `tenantId`.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { tenantId?: string | null }, HubContext>) =>
      subscriptionScope(context, args.tenantId).then((scope) => context.pubsub.subscribeTyped(TOPICS.HOST_USER_CHANGED, scope)),
  })
  async hostUserChanged(
    @Root() payload: HostUserChangedPayload,
    @Arg('tenantId', () => ID, { nullable: true }) _tenantId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<HostUserChangedEventType> {
    const hostUser = await ctx.services.hostUsers.get(requireCaller(ctx), payload.hostUserId);
    return { change: payload.change, at: new Date(payload.at), hostUser };
  }
}
