import { NotFoundError, ValidationError } from '../domain/errors.js';
import { parseId } from '../domain/ids.js';
import { mergeBusyIntervals, type BusyInterval, type MergedBusyBlock } from '../domain/busy-time.js';
import { dateStartMs, occurrenceKey, seriesOccurrences, type Occurrence } from '../domain/recurrence/occurrences.js';
import type { EventTiming } from '../domain/appointment.js';
import type { Logger } from '../logger.js';
import { BusyCalendar, BusyEvent, Calendar, HostUser } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { resolveTenantId, type Caller } from '../tenancy/caller.js';

/** The longest window one availability query may ask for. */
export const MAX_AVAILABILITY_DAYS = 62;
const DAY_MS = 86_400_000;

export interface AvailabilityQuery {
  userId: string;
  start: Date;
  end: Date;
  tenantId?: string | null;
}

export interface Availability {
  /** The oldest read among the calendars the answer is made of; null while one was never read. */
  asOf: Date | null;
  busy: { start: Date; end: Date; showAs: MergedBusyBlock['showAs']; calendarIds: string[] }[];
}

/**
 * When a host user is busy, across their primary and conflict-check calendars of every link,
 * answered from the busy-time cache (`BusyCache`) — no provider call per query. Free time is left
 * out, tentative time kept and marked, series expanded in the window; blocks are merged and sorted
 * (`mergeBusyIntervals`). All-day events block their days in the event's zone, else the calendar's,
 * else the user's, else UTC.
 */
export class AvailabilityService {
  constructor(private readonly deps: { orm: Orm; logger: Logger }) {}

  async availability(caller: Caller, query: AvailabilityQuery): Promise<Availability> {
    const em = this.deps.orm.em.fork();
    const tenantId = await resolveTenantId(em, caller, query.tenantId);
    const start = query.start.getTime();
    const end = query.end.getTime();
    if (Number.isNaN(start)) throw new ValidationError('start', 'must be a date-time');
    if (Number.isNaN(end)) throw new ValidationError('end', 'must be a date-time');
    if (end <= start) throw new ValidationError('end', 'must be after start');
    if (end - start > MAX_AVAILABILITY_DAYS * DAY_MS) throw new ValidationError('end', `must be at most ${MAX_AVAILABILITY_DAYS} days after start`);
    const userId = parseId('hostUser', query.userId.trim());
    const user = userId ? await em.findOne(HostUser, { id: userId, tenantId }) : null;
    if (!user) throw new NotFoundError('HostUser', query.userId);

    const calendars = await em.find(Calendar, { tenantId, userId: user.id, removedAt: null, role: { $in: ['PRIMARY', 'CONFLICT_CHECK'] } });
    if (calendars.length === 0) return { asOf: null, busy: [] };
    const calendarIds = calendars.map((c) => c.id);
    const states = await em.find(BusyCalendar, { calendarId: { $in: calendarIds } });
    const rows = await em.find(BusyEvent, { calendarId: { $in: calendarIds }, cancelled: false, startsAt: { $lt: new Date(end + DAY_MS) }, endsAt: { $gt: new Date(start - DAY_MS) } });
    const masters = rows.filter((r) => r.kind === 'SERIES_MASTER');
    // What replaces an occurrence of a series (its exceptions, moved anywhere) or cancels it.
    const replacing = masters.length === 0 ? [] : await em.find(BusyEvent, { calendarId: { $in: calendarIds }, seriesMasterId: { $in: [...new Set(masters.map((m) => m.externalEventId))] } }, { fields: ['calendarId', 'seriesMasterId', 'originalStart'] });
    const replaced = new Set(replacing.map((r) => `${r.calendarId}|${r.seriesMasterId}|${occurrenceKey(r.originalStart ?? '')}`));

    const window = { start, end };
    const zoneOf = (calendar: Calendar | undefined) => calendar?.timeZone ?? user.timeZone ?? 'UTC';
    const byId = new Map(calendars.map((c) => [c.id as string, c]));
    const intervals: BusyInterval[] = [];
    const add = (timing: EventTiming | Occurrence, row: BusyEvent, zone: string) => {
      if (row.showAs === 'FREE') return;
      const [s, e] = timing.allDay ? [dateStartMs(timing.startDate, zone), dateStartMs(timing.endDate, zone)] : [Date.parse(timing.start), Date.parse(timing.end)];
      intervals.push({ start: s, end: e, showAs: row.showAs, calendarId: row.calendarId });
    };
    for (const row of rows) {
      const zone = (row.timing.allDay ? row.timing.timeZone : null) ?? zoneOf(byId.get(row.calendarId));
      if (row.kind !== 'SERIES_MASTER') {
        add(row.timing, row, zone);
        continue;
      }
      for (const occurrence of this.expand(row, window, zone)) {
        if (!replaced.has(`${row.calendarId}|${row.externalEventId}|${occurrenceKey(occurrence.originalStart)}`)) add(occurrence, row, zone);
      }
    }

    const read = new Map(states.map((s) => [s.calendarId as string, s.asOf]));
    const times = calendarIds.map((id) => read.get(id) ?? null);
    const asOf = times.some((t) => t === null) ? null : new Date(Math.min(...times.map((t) => t!.getTime())));
    return {
      asOf,
      busy: mergeBusyIntervals(intervals, window).map((b) => ({ start: new Date(b.start), end: new Date(b.end), showAs: b.showAs, calendarIds: b.calendarIds })),
    };
  }

  private expand(master: BusyEvent, window: { start: number; end: number }, zone: string): Occurrence[] {
    try {
      return seriesOccurrences(master.timing, master.recurrence!, window, zone);
    } catch (err) {
      // The adapters hand out canonical rules only; one that still cannot be read counts as its first occurrence.
      this.deps.logger.warn({ err, calendarId: master.calendarId, eventId: master.externalEventId }, 'availability: a series could not be expanded');
      return [{ ...master.timing, originalStart: master.timing.allDay ? master.timing.startDate : master.timing.start } as Occurrence];
    }
  }
}

/** What the GraphQL resolvers use of availability. */
export interface AvailabilityApiServices {
  availability: AvailabilityService;
}
