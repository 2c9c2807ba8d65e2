import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { HostUser, IcsFeed } from '../../store/entities/index.js';
import { requireCaller, type HubContext } from '../context.js';
import { storeLoaded } from '../limits/operation-limits.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { HostUserType } from '../tenancy/host-user.type.js';
import { CreateIcsFeedPayload, IcsFeedConnection, IcsFeedType } from './ics-feed.type.js';

@Resolver(() => IcsFeedType)
export class IcsFeedResolver {
  @Mutation(() => CreateIcsFeedPayload, {
    description:
      "Creates a secret ICS feed of the user's appointments (the tenant's icsWindow around today) for calendar apps that can only subscribe. Creating one again replaces the user's feed: the old URL stops working.",
  })
  createIcsFeed(@Arg('userId', () => ID) userId: string, @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined, @Ctx() ctx: HubContext) {
    return ctx.services.icsFeeds.create(requireCaller(ctx), { userId, tenantId });
  }

  @Mutation(() => IcsFeedType, { description: "Revokes the user's ICS feed; its URL answers 404 from now on. NOT_FOUND when the user has none." })
  revokeIcsFeed(@Arg('userId', () => ID) userId: string, @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined, @Ctx() ctx: HubContext) {
    return ctx.services.icsFeeds.revoke(requireCaller(ctx), { userId, tenantId });
  }

  @Query(() => IcsFeedConnection, { description: "The tenant's live ICS feeds (one per user at most). ADMIN keys must pass tenantId." })
  icsFeeds(@Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: HubContext) {
    return ctx.services.icsFeeds.list(requireCaller(ctx), { tenantId }, page);
  }

  @FieldResolver(() => HostUserType, { complexity: storeLoaded() })
  user(@Root() feed: IcsFeed, @Ctx() ctx: HubContext): Promise<HostUser> {
    return ctx.services.hostUsers.get(requireCaller(ctx), feed.userId);
  }
}
