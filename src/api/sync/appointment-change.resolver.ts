import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { providerKindOf, type ProviderKind } from '../../domain/model.js';
import type { AppointmentChange } from '../../store/entities/index.js';
import type { ChangePage } from '../../sync/change-feed.service.js';
import { requireCaller, type HubContext } from '../context.js';
import { ProviderEnum } from '../linking/linking.enums.js';
import { storeLoaded } from '../limits/operation-limits.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { AppointmentChangeConnection, AppointmentChangeType } from './appointment-change.type.js';
import { appointmentView } from './appointment.mapper.js';
import { AppointmentType } from './appointment.type.js';

@Resolver(() => AppointmentChangeType)
export class AppointmentChangeResolver {
  @Query(() => AppointmentChangeConnection, {
    description:
      'The change feed: every change the hub applied to host appointments from a calendar, in the order applied. Resume with after: pageInfo.endCursor (also after an empty page) — no change is skipped or repeated across pages, restarts or instances. ADMIN keys must pass tenantId.',
  })
  appointmentChanges(
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: HubContext,
  ): Promise<ChangePage> {
    return ctx.services.sync.appointmentChanges(requireCaller(ctx), { tenantId, after: page.after, first: page.first });
  }

  @FieldResolver(() => ProviderEnum, { description: 'The calendar the change came from.' })
  provider(@Root() change: AppointmentChange): ProviderKind {
    return providerKindOf(change.provider);
  }

  @FieldResolver(() => AppointmentType, { description: 'The appointment as it is now (not as of the change).', complexity: storeLoaded() })
  async appointment(@Root() change: AppointmentChange, @Ctx() ctx: HubContext): Promise<AppointmentType> {
    return appointmentView(await ctx.services.appointments.get(requireCaller(ctx), change.appointmentId));
  }
}
