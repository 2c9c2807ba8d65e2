import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireCaller, type HubContext } from '../context.js';
import { Cost, COST } from '../limits/cost.js';
import { CalendarType, SetPrimaryCalendarPayload } from './calendar.type.js';
import { ConnectionObjectType } from './connection.type.js';

@Resolver(() => CalendarType)
export class CalendarResolver {
  @Query(() => [CalendarType], { description: "A link's calendars as the provider lists them (default first)." })
  calendars(@Arg('connectionId', () => ID) connectionId: string, @Ctx() ctx: HubContext) {
    return ctx.services.connections.calendars(requireCaller(ctx), connectionId);
  }

  @Cost(2 * COST.PROVIDER_REQUEST)
  @Mutation(() => ConnectionObjectType, {
    description: 'Reads the calendar list from the provider now (the hub also does so on its own). Fails with CONFLICT, saying what to do, when the link is not ACTIVE or the provider does not answer.',
  })
  refreshCalendars(@Arg('connectionId', () => ID) connectionId: string, @Ctx() ctx: HubContext) {
    return ctx.services.calendarLists.refreshForCaller(requireCaller(ctx), connectionId);
  }

  @Mutation(() => SetPrimaryCalendarPayload, {
    description: "Makes a writable calendar the user's PRIMARY calendar (one over all their links); the previous primary becomes NONE.",
  })
  setPrimaryCalendar(@Arg('calendarId', () => ID) calendarId: string, @Ctx() ctx: HubContext) {
    return ctx.services.calendarRoles.setPrimary(requireCaller(ctx), calendarId);
  }

  @Mutation(() => ConnectionObjectType, {
    description:
      "Replaces the link's CONFLICT_CHECK calendars (read for busy times only) with calendarIds; [] clears them. Read-only calendars are allowed; the PRIMARY calendar is always checked and is not accepted here.",
  })
  setConflictCalendars(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('calendarIds', () => [ID]) calendarIds: string[],
    @Ctx() ctx: HubContext,
  ) {
    return ctx.services.calendarRoles.setConflictCalendars(requireCaller(ctx), connectionId, calendarIds);
  }
}
