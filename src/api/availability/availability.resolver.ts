import { DateTimeResolver } from 'graphql-scalars';
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { requireCaller, type HubContext } from '../context.js';
import { AvailabilityType } from './availability.type.js';

@Resolver(() => AvailabilityType)
export class AvailabilityResolver {
  @Query(() => AvailabilityType, {
    description:
      "When the user is busy between start and end (at most 62 days): merged, sorted blocks from their primary and conflict-check calendars of every link, Google and Microsoft alike; free time left out, tentative time marked, series expanded. Answered from what the sync's reads keep (no provider call per query); asOf says how fresh it is. Covers the tenant's syncWindow.",
  })
  availability(
    @Arg('userId', () => ID) userId: string,
    @Arg('start', () => DateTimeResolver) start: Date,
    @Arg('end', () => DateTimeResolver) end: Date,
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ) {
    return ctx.services.availability.availability(requireCaller(ctx), { userId, start, end, tenantId });
  }
}
