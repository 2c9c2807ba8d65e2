import { DateTime } from 'luxon';
import type { EventTiming, Recurrence } from '../appointment.js';
import { dateOfDayNumber, dayNumber, expandDates, isDayLevel } from './expand.js';
import { untilToLocalDate } from './graph-pattern.js';
import { parseRRule } from './rrule.js';

/**
 * The occurrences of a series that overlap a window, in the series' own time zone: each
 * occurrence keeps the wall-clock start of the first one (DST moves the instant, not the local
 * time, as RFC 5545 prescribes for DTSTART with TZID) and the first one's duration. DTSTART is
 * always an occurrence (RFC 5545, Google); EXDATEs are left out and RDATEs added. Exceptions
 * (moved or edited occurrences) are not known here: callers drop the occurrences whose
 * `originalStart` an exception names and add the exception's own timing.
 */

export type Occurrence =
  | {
      allDay: false;
      /** ISO instants (UTC, with milliseconds). */
      start: string;
      end: string;
      /** The occurrence's start as the series places it; what an exception's `originalStart` names. */
      originalStart: string;
    }
  | { allDay: true; startDate: string; endDate: string; originalStart: string };

export interface OccurrenceWindow {
  /** Epoch milliseconds, inclusive. */
  start: number;
  /** Epoch milliseconds, exclusive. */
  end: number;
}

const DAY_MS = 86_400_000;

/** Normalises an instant or a date so that EXDATEs and original starts compare by value. */
export function occurrenceKey(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** Epoch milliseconds of an all-day date's midnight in `zone`. */
export function dateStartMs(date: string, zone: string): number {
  return DateTime.fromISO(date, { zone }).toMillis();
}

/** Whether an occurrence (or a single event's timing) overlaps the window; all-day dates count in `dateZone`. */
export function overlapsWindow(timing: EventTiming | Occurrence, window: OccurrenceWindow, dateZone: string): boolean {
  const [start, end] = timing.allDay
    ? [dateStartMs(timing.startDate, dateZone), dateStartMs(timing.endDate, dateZone)]
    : [Date.parse(timing.start), Date.parse(timing.end)];
  return start < window.end && end > window.start;
}

/**
 * The occurrences of `recurrence` starting from `timing` that overlap `window` (all-day dates are
 * placed in `dateZone`). A rule with sub-daily parts (FREQ=HOURLY, BYHOUR…), which no side the hub
 * syncs with can hold, yields only its first occurrence.
 */
export function seriesOccurrences(timing: EventTiming, recurrence: Recurrence, window: OccurrenceWindow, dateZone = 'UTC'): Occurrence[] {
  const rule = parseRRule(recurrence.rrule);
  const zone = timing.allDay ? (timing.timeZone ?? dateZone) : timing.timeZone;
  const first = timing.allDay ? DateTime.fromISO(timing.startDate, { zone }) : DateTime.fromISO(timing.start, { zone: 'utc' }).setZone(zone);
  const firstDate = first.toISODate()!;
  const excluded = new Set(recurrence.exdates.map(occurrenceKey));

  // Wall-clock length of the first occurrence: an occurrence that spans a DST change keeps its local
  // end time (as Outlook, Google and ical.js show it), not its length in hours.
  const naive = (dt: DateTime) => DateTime.fromObject(dt.toObject(), { zone: 'utc' });
  const wallLength = timing.allDay ? 0 : naive(DateTime.fromISO(timing.end, { zone: 'utc' }).setZone(zone)).toMillis() - naive(first).toMillis();
  const inZone = (local: DateTime) => DateTime.fromObject(local.toObject(), { zone });

  const make = (date: string): Occurrence => {
    if (timing.allDay) {
      const length = dayNumber(timing.endDate) - dayNumber(timing.startDate);
      return { allDay: true, startDate: date, endDate: dateOfDayNumber(dayNumber(date) + length), originalStart: date };
    }
    const localStart = DateTime.fromISO(date, { zone: 'utc' }).set({ hour: first.hour, minute: first.minute, second: first.second });
    return timedOccurrence(inZone(localStart), inZone(localStart.plus({ milliseconds: wallLength })));
  };

  let dates: string[];
  if (!isDayLevel(rule)) {
    dates = [firstDate];
  } else {
    const untilDate = rule.until ? untilToLocalDate(rule.until, zone) : null;
    // One day past the window's end in the series' zone bounds the scan (an occurrence starting later cannot overlap).
    const horizon = DateTime.fromMillis(window.end + DAY_MS, { zone }).toISODate()!;
    dates = expandDates(rule, { start: firstDate, untilDate, horizon, includeStart: true });
  }
  const untilMs = rule.until && rule.until.endsWith('Z') ? DateTime.fromFormat(rule.until, "yyyyMMdd'T'HHmmss'Z'", { zone: 'utc' }).toMillis() : null;

  const out = new Map<string, Occurrence>();
  for (const date of dates) {
    const occurrence = make(date);
    // UNTIL is inclusive, and a date-time UNTIL can end the series partway through its last day.
    if (untilMs !== null && !occurrence.allDay && Date.parse(occurrence.start) > untilMs) continue;
    if (excluded.has(occurrenceKey(occurrence.originalStart))) continue;
    out.set(occurrenceKey(occurrence.originalStart), occurrence);
  }
  for (const rdate of recurrence.rdates) {
    const key = occurrenceKey(rdate);
    if (out.has(key) || excluded.has(key)) continue;
    if (timing.allDay) {
      if (/^\d{4}-\d{2}-\d{2}$/.test(rdate)) out.set(key, make(rdate));
      continue;
    }
    const start = DateTime.fromISO(rdate, { zone: 'utc' }).setZone(zone);
    if (!start.isValid) continue;
    out.set(key, timedOccurrence(start, inZone(naive(start).plus({ milliseconds: wallLength }))));
  }
  return [...out.values()].filter((o) => overlapsWindow(o, window, zone)).sort((a, b) => startMsOf(a, zone) - startMsOf(b, zone));
}

function timedOccurrence(start: DateTime, end: DateTime): Occurrence {
  const startIso = start.toUTC().toISO()!;
  return { allDay: false, start: startIso, end: end.toUTC().toISO()!, originalStart: startIso };
}

function startMsOf(o: Occurrence, zone: string): number {
  return o.allDay ? dateStartMs(o.startDate, zone) : Date.parse(o.start);
}
