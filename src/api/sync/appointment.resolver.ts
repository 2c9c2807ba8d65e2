import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { filterEvents } from '../../events/filter-events.js';
import { TOPICS, type AppointmentChangedPayload } from '../../events/pubsub-topics.js';
import type { HostUser, SyncMapping } from '../../store/entities/index.js';
import type { AppointmentSyncState } from '../../sync/appointment.service.js';
import { requireCaller, type HubContext } from '../context.js';
import { storeLoaded } from '../limits/operation-limits.js';
import { mapNodes } from '../pagination/connection.type.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { HostUserType } from '../tenancy/host-user.type.js';
import { subscriptionScope } from '../tenancy/subscription-scope.js';
import { AppointmentFilterInput, UpsertAppointmentInput } from './appointment.input.js';
import { appointmentView } from './appointment.mapper.js';
import { AppointmentChangedEventType, AppointmentConnection, AppointmentType, UpsertAppointmentPayload } from './appointment.type.js';
import { SyncMappingType } from './sync-mapping.type.js';
import { AppointmentSyncStateEnum } from './sync.enums.js';

interface AppointmentChangedArgs {
  tenantId?: string | null;
  userId?: string | null;
}

/** Pairs an appointment has in practice: its owner's primary calendar, and closed pairs of earlier ones. */
const MAPPINGS_PER_APPOINTMENT = 2;

@Resolver(() => AppointmentType)
export class AppointmentResolver {
  @Mutation(() => UpsertAppointmentPayload, {
    description:
      "Creates or replaces the appointment keyed by hostAppointmentId (the whole appointment: fields left out are cleared) and writes it to the owner's primary calendar at once. Attendee responses are kept unless the time changed. Saving a deleted appointment restores it.",
  })
  async upsertAppointment(@Arg('input', () => UpsertAppointmentInput) input: UpsertAppointmentInput, @Ctx() ctx: HubContext): Promise<UpsertAppointmentPayload> {
    const { appointment, created } = await ctx.services.appointments.upsert(requireCaller(ctx), input);
    return { appointment: appointmentView(appointment), created };
  }

  @Mutation(() => AppointmentType, {
    description:
      "Deletes the appointment — by id, or by hostAppointmentId (with tenantId for ADMIN keys), not both — and its event in the calendar. It stays readable by id, with deleted: true. Deleting a deleted appointment returns it unchanged.",
  })
  async deleteAppointment(
    @Arg('id', () => ID, { nullable: true }) id: string | null | undefined,
    @Arg('hostAppointmentId', () => String, { nullable: true }) hostAppointmentId: string | null | undefined,
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<AppointmentType> {
    return appointmentView(await ctx.services.appointments.delete(requireCaller(ctx), { id, hostAppointmentId, tenantId }));
  }

  @Query(() => AppointmentType, { description: 'An appointment by its hub id, also when deleted.' })
  async appointment(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext): Promise<AppointmentType> {
    return appointmentView(await ctx.services.appointments.get(requireCaller(ctx), id));
  }

  @Query(() => AppointmentConnection, { description: "A tenant's appointments, oldest first. ADMIN keys must pass tenantId." })
  async appointments(
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Arg('filter', () => AppointmentFilterInput, { nullable: true }) filter: AppointmentFilterInput | null | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: HubContext,
  ) {
    return mapNodes(await ctx.services.appointments.list(requireCaller(ctx), { ...filter, tenantId }, page), appointmentView);
  }

  @FieldResolver(() => HostUserType, { description: 'The owner.', complexity: storeLoaded() })
  user(@Root() a: AppointmentType, @Ctx() ctx: HubContext): Promise<HostUser> {
    return ctx.services.hostUsers.get(requireCaller(ctx), a.userId);
  }

  @FieldResolver(() => AppointmentSyncStateEnum, { complexity: storeLoaded() })
  syncState(@Root() a: AppointmentType, @Ctx() ctx: HubContext): Promise<AppointmentSyncState> {
    return ctx.services.appointments.syncStateOf(a);
  }

  @FieldResolver(() => [SyncMappingType], {
    description: 'Its pairs with calendar events: the live one first, then closed ones (closedAt set).',
    complexity: storeLoaded(MAPPINGS_PER_APPOINTMENT),
  })
  mappings(@Root() a: AppointmentType, @Ctx() ctx: HubContext): Promise<SyncMapping[]> {
    return ctx.services.appointments.mappingsOf(a.id);
  }

  @Subscription(() => AppointmentChangedEventType, {
    description:
      "Appointments created, updated or deleted — by the host through this API, or in a calendar and applied by a sync run (source tells which). TENANT keys: their own tenant; ADMIN keys: all, or `tenantId`. Narrow with userId (the owner).",
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, AppointmentChangedArgs, HubContext>) => {
      const scope = await subscriptionScope(context, args.tenantId);
      // Another tenant's user reads as unknown, as everywhere.
      if (args.userId) await context.services.hostUsers.get(requireCaller(context), args.userId);
      const events = context.pubsub.subscribeTyped(TOPICS.APPOINTMENT_CHANGED, scope);
      return args.userId ? filterEvents(events, (e) => e.userId === args.userId) : events;
    },
  })
  async appointmentChanged(
    @Root() payload: AppointmentChangedPayload,
    @Arg('userId', () => ID, { nullable: true }) _userId: string | null | undefined,
    @Arg('tenantId', () => ID, { nullable: true }) _tenantId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<AppointmentChangedEventType> {
    const appointment = await ctx.services.appointments.get(requireCaller(ctx), payload.appointmentId);
    return { kind: payload.kind, source: payload.source, appointment: appointmentView(appointment), at: new Date(payload.at) };
  }
}
