import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { SyncMapping } from '../../store/entities/index.js';
import { requireCaller, type HubContext } from '../context.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { syncErrorOf, SyncErrorType } from './sync-error.type.js';
import { SyncMappingConnection, SyncMappingType } from './sync-mapping.type.js';
import { SyncMappingFilterInput } from './sync.input.js';

@Resolver(() => SyncMappingType)
export class SyncMappingResolver {
  @Query(() => SyncMappingConnection, { description: "A tenant's pairs, oldest first. ADMIN keys pass tenantId (or filter.connectionId)." })
  syncMappings(
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Arg('filter', () => SyncMappingFilterInput, { nullable: true }) filter: SyncMappingFilterInput | null | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: HubContext,
  ) {
    return ctx.services.sync.syncMappings(requireCaller(ctx), { ...filter, tenantId }, page);
  }

  @Query(() => SyncMappingType)
  syncMapping(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext): Promise<SyncMapping> {
    return ctx.services.sync.syncMapping(requireCaller(ctx), id);
  }

  @FieldResolver(() => SyncErrorType, { nullable: true, description: 'Why the last attempt failed (state ERROR or UNSUPPORTED).' })
  lastError(@Root() mapping: SyncMapping): SyncErrorType | null {
    return syncErrorOf(mapping.lastError);
  }
}
