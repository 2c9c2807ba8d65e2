import { calendarErrors } from '../google-api.errors.js';
import type { EventDateTime } from '../google-state.js';
import { dayFromYmd, ymdFromDay, type LocalDateTime } from '../recurrence/rrule.js';
import { instantToLocal, isValidZone, localToInstant, offsetMinutes } from '../recurrence/zoned-time.js';

/**
 * `EventDateTime` handling (docs/providers.md#google-event-times): `date` for all-day events (end
 * exclusive), `dateTime` RFC 3339 with an offset unless `timeZone` names the zone. Stored `dateTime`s
 * are UTC; responses render them with the offset of the calendar's zone or the request's `timeZone`
 * parameter.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i;

export function parseDateOnly(value: string): number | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return null;
  const day = dayFromYmd(y, mo, d);
  return ymdFromDay(day).d === d ? day : null;
}

export function formatDay(day: number): string {
  const { y, m, d } = ymdFromDay(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Parses an RFC 3339 date-time; without an offset it is wall-clock time in `zone` (null if no zone). */
export function parseDateTime(value: string, zone: string | null): number | null {
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return null;
  const day = dayFromYmd(y, mo, d);
  if (ymdFromDay(day).d !== d) return null;
  const local: LocalDateTime = { day, sec: h * 3600 + mi * 60 + Math.min(s, 59) };
  const off = m[7];
  if (off) {
    const offsetMin = off.toUpperCase() === 'Z' ? 0 : (off.startsWith('-') ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
    return (local.day * 86_400 + local.sec) * 1000 - offsetMin * 60_000;
  }
  return zone ? localToInstant(local, zone) : null;
}

export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Validates and normalises one `start`/`end` object of a request body. */
export function normalizeEventDateTime(input: unknown, which: 'start' | 'end' | 'originalStartTime'): EventDateTime {
  if (input === undefined || input === null) throw calendarErrors.required(`Missing ${which} time.`);
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw calendarErrors.invalid(`Invalid ${which} time.`);
  const v = input as Record<string, unknown>;
  const tz = v.timeZone ?? null;
  if (tz !== null && (typeof tz !== 'string' || !isValidZone(tz))) throw calendarErrors.invalid(`Invalid time zone definition for ${which} time.`);
  const hasDate = v.date !== undefined && v.date !== null;
  const hasDateTime = v.dateTime !== undefined && v.dateTime !== null;
  if (hasDate && hasDateTime) throw calendarErrors.invalid(`Invalid ${which} time.`);
  if (hasDate) {
    if (typeof v.date !== 'string' || parseDateOnly(v.date) === null) throw calendarErrors.invalid(`Invalid ${which} time.`);
    return { date: v.date, ...(tz ? { timeZone: tz } : {}) };
  }
  if (hasDateTime) {
    if (typeof v.dateTime !== 'string' || !DATE_TIME.test(v.dateTime)) throw calendarErrors.invalid(`Invalid ${which} time.`);
    const ms = parseDateTime(v.dateTime, tz);
    if (ms === null) throw calendarErrors.required(`Missing time zone definition for ${which} time.`);
    return { dateTime: isoUtc(ms), ...(tz ? { timeZone: tz } : {}) };
  }
  throw calendarErrors.required(`Missing ${which} time.`);
}

/** Epoch ms of a stored time; all-day dates are midnight in `zone`. */
export function instantOf(t: EventDateTime, zone: string): number {
  if (t.dateTime) return Date.parse(t.dateTime);
  const day = parseDateOnly(t.date ?? '') ?? 0;
  return localToInstant({ day, sec: 0 }, zone);
}

export function formatInZone(ms: number, zone: string): string {
  const local = instantToLocal(ms, zone);
  const off = offsetMinutes(ms, zone);
  const hh = Math.floor(local.sec / 3600);
  const mm = Math.floor((local.sec % 3600) / 60);
  const ss = local.sec % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${formatDay(local.day)}T${pad(hh)}:${pad(mm)}:${pad(ss)}${offset}`;
}

export function renderEventDateTime(t: EventDateTime, zone: string): EventDateTime {
  if (t.dateTime) return { dateTime: formatInZone(Date.parse(t.dateTime), zone), ...(t.timeZone ? { timeZone: t.timeZone } : {}) };
  return { date: t.date ?? '', ...(t.timeZone ? { timeZone: t.timeZone } : {}) };
}

/** Instance id suffix: `20240310T080000Z` (UTC) for timed series, `20240310` for all-day ones. */
export function instanceSuffix(t: EventDateTime): string {
  if (t.date) return t.date.replace(/-/g, '');
  return isoUtc(Date.parse(t.dateTime ?? '')).replace(/[-:]/g, '');
}

/** A query parameter that must be RFC 3339 with an offset (timeMin, timeMax, updatedMin, originalStart). */
export function parseQueryTime(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const m = DATE_TIME.exec(value);
  if (!m || !m[7]) throw calendarErrors.invalidParameter(name, value);
  const ms = parseDateTime(value, null);
  if (ms === null) throw calendarErrors.invalidParameter(name, value);
  return ms;
}
