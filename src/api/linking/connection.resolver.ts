import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { providerKindOf, type ProviderKind } from '../../domain/model.js';
import type { Calendar, Connection, HostUser } from '../../store/entities/index.js';
import { requireCaller, type HubContext } from '../context.js';
import { Cost, COST } from '../limits/cost.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { filterEvents } from '../../events/filter-events.js';
import { TOPICS, type ConnectionStatusChangedPayload } from '../../events/hub-pubsub.js';
import { subscriptionScope } from '../tenancy/subscription-scope.js';
import { HostUserType } from '../tenancy/host-user.type.js';
import { syncErrorOf } from '../sync/sync-error.type.js';
import { CalendarType } from './calendar.type.js';
import {
  ConnectionErrorType,
  ConnectionObjectType,
  ConnectionPage,
  ConnectionStatusChangedEventType,
  LinkCalendarPayload,
  RevokeAccessPayload,
} from './connection.type.js';
import { ConnectionFilterInput, LinkCalendarInput } from './linking.input.js';
import { ProviderEnum } from './linking.enums.js';

interface StatusChangedArgs {
  tenantId?: string | null;
  connectionId?: string | null;
  userId?: string | null;
}

@Resolver(() => ConnectionObjectType)
export class ConnectionResolver {
  @Mutation(() => LinkCalendarPayload, {
    description:
      "Starts linking a host user's Microsoft or Google calendar: open authorizationUrl in the user's browser. When the user already has a link to that provider, finishing the sign-in with the same account relinks it in place (e.g. after NEEDS_REAUTH).",
  })
  linkCalendar(@Arg('input', () => LinkCalendarInput) input: LinkCalendarInput, @Ctx() ctx: HubContext) {
    return ctx.services.linkFlow.start(requireCaller(ctx), input);
  }

  // Stops push channels, revokes the grant and, with cleanup, deletes events: several provider requests.
  @Cost(5 * COST.PROVIDER_REQUEST)
  @Mutation(() => RevokeAccessPayload, {
    description:
      'Revokes a link: stops its syncing, its jobs and push channels, revokes the grant at the provider where possible, removes its calendars from the PRIMARY and CONFLICT_CHECK roles and forgets its tokens. With cleanup: true it first deletes every event the hub created in that account (host data is kept). Linking again later reuses the link.',
  })
  revokeAccess(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('cleanup', () => Boolean, { defaultValue: false }) cleanup: boolean,
    @Ctx() ctx: HubContext,
  ) {
    return ctx.services.linkRevocation.revoke(requireCaller(ctx), connectionId, { cleanup });
  }

  @Query(() => ConnectionPage, { description: "A tenant's links. ADMIN keys must pass tenantId." })
  connections(
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Arg('filter', () => ConnectionFilterInput, { nullable: true }) filter: ConnectionFilterInput | null | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: HubContext,
  ) {
    return ctx.services.connections.list(requireCaller(ctx), { ...filter, tenantId }, page);
  }

  @Query(() => ConnectionObjectType)
  connection(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext) {
    return ctx.services.connections.get(requireCaller(ctx), id);
  }

  @FieldResolver(() => ProviderEnum)
  provider(@Root() link: Connection): ProviderKind {
    return providerKindOf(link.provider);
  }

  @FieldResolver(() => HostUserType)
  user(@Root() link: Connection, @Ctx() ctx: HubContext): Promise<HostUser> {
    return ctx.services.hostUsers.get(requireCaller(ctx), link.userId);
  }

  @FieldResolver(() => [CalendarType], { description: 'Its calendars as the provider lists them (default first).' })
  calendars(@Root() link: Connection, @Ctx() ctx: HubContext): Promise<Calendar[]> {
    return ctx.services.connections.calendarsOf(link.id);
  }

  @FieldResolver(() => ConnectionErrorType, { nullable: true })
  lastError(@Root() link: Connection): ConnectionErrorType | null {
    return syncErrorOf(link.lastError);
  }

  @Subscription(() => ConnectionStatusChangedEventType, {
    description: 'Links that were linked, relinked, need re-authorisation or were revoked. TENANT keys: their own tenant; ADMIN keys: all, or `tenantId`. Narrow with connectionId or userId.',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, StatusChangedArgs, HubContext>) => {
      const scope = await subscriptionScope(context, args.tenantId);
      const caller = requireCaller(context);
      // Ids are checked like everywhere: another tenant's id reads as unknown.
      if (args.connectionId) await context.services.connections.get(caller, args.connectionId);
      if (args.userId) await context.services.hostUsers.get(caller, args.userId);
      const events = context.pubsub.subscribeTyped(TOPICS.CONNECTION_STATUS_CHANGED, scope);
      return filterEvents(events, (e) => (!args.connectionId || e.connectionId === args.connectionId) && (!args.userId || e.hostUserId === args.userId));
    },
  })
  async connectionStatusChanged(
    @Root() payload: ConnectionStatusChangedPayload,
    @Arg('tenantId', () => ID, { nullable: true }) _tenantId: string | null | undefined,
    @Arg('connectionId', () => ID, { nullable: true }) _connectionId: string | null | undefined,
    @Arg('userId', () => ID, { nullable: true }) _userId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<ConnectionStatusChangedEventType> {
    const connection = await ctx.services.connections.get(requireCaller(ctx), payload.connectionId);
    return { connection, status: payload.status, previousStatus: payload.previousStatus, at: new Date(payload.at) };
  }
}
