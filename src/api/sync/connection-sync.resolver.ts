import { DateTimeResolver } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Connection } from '../../store/entities/index.js';
import type { LinkSyncState } from '../../sync/link-sync-state.js';
import { requireCaller, type HubContext } from '../context.js';
import { ConnectionObjectType } from '../linking/connection.type.js';
import { storeLoaded } from '../limits/operation-limits.js';
import { ConnectionSyncStateEnum } from './sync.enums.js';

/** The sync side of a link (the linking side is in src/api/linking/connection.resolver.ts). */
@Resolver(() => ConnectionObjectType)
export class ConnectionSyncResolver {
  @Mutation(() => ConnectionObjectType, {
    description:
      'Switches two-way sync of a link. Off: host → calendar only (changes made in the calendar are not read, and the host version is written back over them). On: the calendar is read at once. CONFLICT for a REVOKED link.',
  })
  enableTwoWaySync(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('enabled', () => Boolean) enabled: boolean,
    @Ctx() ctx: HubContext,
  ): Promise<Connection> {
    return ctx.services.sync.enableTwoWaySync(requireCaller(ctx), connectionId, enabled);
  }

  @FieldResolver(() => DateTimeResolver, { nullable: true, description: "When the link's next poll is due; null while the link is not ACTIVE (no poll runs then)." })
  nextSyncAt(@Root() link: Connection): Date | null {
    return link.status === 'ACTIVE' ? link.nextSyncAt : null;
  }

  @FieldResolver(() => ConnectionSyncStateEnum, { complexity: storeLoaded() })
  syncState(@Root() link: Connection, @Ctx() ctx: HubContext): Promise<LinkSyncState> {
    return ctx.services.sync.linkSyncState(link);
  }
}
