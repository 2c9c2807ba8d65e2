import ical, { ICalCalendarMethod, ICalEventBusyStatus, ICalEventClass, ICalEventTransparency, type ICalEventData } from 'ical-generator';
import { DateTime } from 'luxon';
import type { EventTiming, ShowAs } from '../domain/appointment.js';
import { occurrenceKey } from '../domain/recurrence/occurrences.js';
import { normalizeBodyText } from '../domain/sync/body-text.js';
import type { Appointment } from '../store/entities/index.js';
import { vtimezone } from './vtimezone.js';

/**
 * A user's appointments as an RFC 5545 calendar, written by `ical-generator`:
 * - one VEVENT per single appointment and per series (RRULE, EXDATE and RDATE lines as the host
 *   holds them), plus one VEVENT with the series' UID and a RECURRENCE-ID per exception (a moved or
 *   edited occurrence, an `Appointment` with `seriesMasterId` + `originalStart`); a deleted
 *   exception is a cancelled occurrence, written as an EXDATE of its series;
 * - UID `<appointment id>@calendar-sync-hub`, stable for the appointment's life; SEQUENCE its
 *   version; DTSTAMP and LAST-MODIFIED its last change, so an unchanged feed is byte-identical;
 * - timed values in the appointment's IANA zone with a VTIMEZONE per zone used
 *   (`vtimezone.ts`), UTC ones as UTC; all-day values as DATE;
 * - REFRESH-INTERVAL and X-PUBLISHED-TTL of 30 minutes.
 */

export const ICS_TTL_SECONDS = 30 * 60;
const UID_DOMAIN = 'calendar-sync-hub';
/** How far past the feed's window VTIMEZONE offsets are spelled out (series go on beyond it). */
const ZONE_HORIZON_MS = 10 * 366 * 86_400_000;
/** VTIMEZONE spans start at most this long before the window (older series starts get the earliest offset). */
const ZONE_HISTORY_MS = 5 * 366 * 86_400_000;

export interface IcsSeries {
  master: Appointment;
  /** Its exceptions, deleted ones included (those become EXDATEs). */
  exceptions: Appointment[];
}

export interface IcsCalendarInput {
  name: string;
  singles: Appointment[];
  series: IcsSeries[];
  /** The feed's window (epoch ms); VTIMEZONE spans cover it. */
  window: { start: number; end: number };
  /** The record link of an appointment (tenant `recordLinkTemplate`), or null. */
  recordLink: (appointment: Appointment) => string | null;
}

export const icsUid = (appointment: Pick<Appointment, 'id'>) => `${appointment.id}@${UID_DOMAIN}`;

const isUtc = (zone: string) => ['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Z'].includes(zone);

/** The zone a timed value is written in, or null for UTC. */
const zoneOf = (timing: EventTiming): string | null => (timing.allDay || isUtc(timing.timeZone) ? null : timing.timeZone);

const BUSY_STATUS: Record<ShowAs, ICalEventBusyStatus> = {
  BUSY: ICalEventBusyStatus.BUSY,
  FREE: ICalEventBusyStatus.FREE,
  TENTATIVE: ICalEventBusyStatus.TENTATIVE,
  OUT_OF_OFFICE: ICalEventBusyStatus.OOF,
  WORKING_ELSEWHERE: ICalEventBusyStatus.BUSY,
};

export function buildIcsCalendar(input: IcsCalendarInput): string {
  const zones = new Map<string, number>();
  const useZone = (zone: string | null, ms: number) => {
    if (zone !== null) zones.set(zone, Math.min(zones.get(zone) ?? ms, ms));
  };
  for (const a of [...input.singles, ...input.series.flatMap((s) => [s.master, ...s.exceptions.filter((e) => !e.deleted)])]) {
    useZone(seriesZoneOf(a, input.series), a.startsAt.getTime());
  }
  // Zones the runtime does not know (never accepted as input) are written as UTC.
  const known = new Set([...zones.keys()].filter((zone) => DateTime.local().setZone(zone).isValid));

  const calendar = ical({
    name: input.name,
    prodId: { company: 'calendar-sync-hub', product: 'ics-feed', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    ttl: ICS_TTL_SECONDS,
    timezone: {
      name: null,
      generator: (zone) => {
        const earliest = Math.max(zones.get(zone) ?? input.window.start, input.window.start - ZONE_HISTORY_MS);
        return vtimezone(zone, { from: earliest, to: input.window.end + ZONE_HORIZON_MS });
      },
    },
  });

  const timed = (timing: EventTiming, zone: string | null) => {
    if (timing.allDay) {
      return { allDay: true, start: DateTime.fromISO(timing.startDate, { zone: 'utc' }), end: DateTime.fromISO(timing.endDate, { zone: 'utc' }) };
    }
    const z = zone !== null && known.has(zone) ? zone : null;
    return {
      start: DateTime.fromISO(timing.start, { zone: 'utc' }).setZone(z ?? 'utc'),
      end: DateTime.fromISO(timing.end, { zone: 'utc' }).setZone(z ?? 'utc'),
      ...(z !== null ? { timezone: z } : {}),
    };
  };

  const common = (a: Appointment): Omit<ICalEventData, 'start'> => ({
    id: icsUid(a),
    sequence: a.version,
    stamp: DateTime.fromJSDate(a.updatedAt, { zone: 'utc' }),
    lastModified: DateTime.fromJSDate(a.updatedAt, { zone: 'utc' }),
    summary: a.subject ?? '',
    description: a.body ? normalizeBodyText(a.body) : null,
    location: a.location,
    url: input.recordLink(a),
    busystatus: BUSY_STATUS[a.showAs],
    transparency: a.showAs === 'FREE' ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
    class: a.sensitivity === 'NORMAL' ? ICalEventClass.PUBLIC : a.sensitivity === 'PRIVATE' ? ICalEventClass.PRIVATE : ICalEventClass.CONFIDENTIAL,
  });

  for (const a of input.singles) calendar.createEvent({ ...common(a), ...timed(a.timing, zoneOf(a.timing)) });

  for (const { master, exceptions } of input.series) {
    const zone = zoneOf(master.timing);
    const writtenZone = zone !== null && known.has(zone) ? zone : null;
    const recurrence = master.recurrence!;
    const cancelled = exceptions.filter((e) => e.deleted && e.originalStart !== null).map((e) => e.originalStart!);
    const exdates = [...new Set([...recurrence.exdates, ...cancelled].map(occurrenceKey))].sort();
    const lines = [`RRULE:${recurrence.rrule}`];
    if (exdates.length > 0) lines.push(dateList('EXDATE', exdates, master.timing.allDay, writtenZone));
    if (recurrence.rdates.length > 0) lines.push(dateList('RDATE', recurrence.rdates.map(occurrenceKey), master.timing.allDay, writtenZone));
    calendar.createEvent({ ...common(master), ...timed(master.timing, zone), repeating: lines.join('\n') });

    const excluded = new Set(exdates);
    for (const exception of exceptions) {
      if (exception.deleted || exception.originalStart === null || excluded.has(occurrenceKey(exception.originalStart))) continue;
      // RECURRENCE-ID and the exception's times in the series' zone: clients match it to the
      // occurrence by that value (ical.js compares the local form).
      const times = exception.timing.allDay || master.timing.allDay ? timed(exception.timing, zoneOf(exception.timing)) : timed(exception.timing, zone);
      const originalStart = master.timing.allDay
        ? DateTime.fromISO(exception.originalStart.slice(0, 10), { zone: 'utc' })
        : DateTime.fromISO(exception.originalStart, { zone: 'utc' }).setZone(writtenZone ?? 'utc');
      calendar.createEvent({ ...common(exception), ...times, id: icsUid(master), recurrenceId: originalStart });
    }
  }
  return calendar.toString();
}

/** The zone an appointment's values are written in: an exception follows its series. */
function seriesZoneOf(a: Appointment, series: IcsSeries[]): string | null {
  if (a.seriesMasterId === null) return zoneOf(a.timing);
  const master = series.find((s) => s.master.id === a.seriesMasterId)?.master;
  return master ? zoneOf(master.timing) : zoneOf(a.timing);
}

/** `EXDATE;TZID=Europe/Zurich:20260316T090000,…`, `EXDATE;VALUE=DATE:20260316`, or UTC values. */
function dateList(name: 'EXDATE' | 'RDATE', values: string[], allDay: boolean, zone: string | null): string {
  if (allDay) return `${name};VALUE=DATE:${values.map((v) => v.slice(0, 10).replaceAll('-', '')).join(',')}`;
  const local = values.map((v) => DateTime.fromISO(v, { zone: 'utc' }).setZone(zone ?? 'utc').toFormat("yyyyLLdd'T'HHmmss") + (zone === null ? 'Z' : ''));
  return zone === null ? `${name}:${local.join(',')}` : `${name};TZID=${zone}:${local.join(',')}`;
}
