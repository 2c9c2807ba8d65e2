import type { calendar_v3 } from '@googleapis/calendar';
import { DateTime } from 'luxon';
import type { Attendee, AttendeeResponse, EventBody, EventData, EventTiming, Recurrence, Reminder, Sensitivity, ShowAs } from '../../domain/appointment.js';
import { formatRRule, isRecurrenceParseError, parseRRule } from '../../domain/recurrence/rrule.js';
import { timingMoved } from '../../domain/sync/content.js';
import { textToHtml } from '../../domain/sync/html-body.js';
import {
  asProviderCalendarId,
  asProviderEventId,
  type EventChange,
  type ExternalEvent,
  type AttendeeWriteMode,
  type ExternalEventKind,
  type ProviderCalendar,
  type ProviderCalendarId,
} from '../calendar-provider.js';
import { GoogleEventMappingError, isGoogleEventMappingError } from './google-calendar.errors.js';

/**
 * Pure mapping between Calendar v3 resources and the hub's canonical shapes, both ways
 * (docs/providers.md#field-mapping and the Google sections above it). "Absent" is `null`, never `''`.
 * Canonical times are UTC instants in `Date#toISOString()` form; all-day events keep their dates (end
 * exclusive). https://developers.google.com/workspace/calendar/api/v3/reference/events#resource
 */

export type GoogleEvent = calendar_v3.Schema$Event;
export type GoogleCalendarListEntry = calendar_v3.Schema$CalendarListEntry;

/**
 * The hub's tag in `extendedProperties.private` (keys ≤ 44 characters,
 * docs/providers.md#google-extended-properties). The mapping id goes under `syncHubMappingId`; the
 * constant `syncHubOwner` property exists because `privateExtendedProperty` filters on key=value, so
 * "every hub event" needs one fixed value.
 */
export const HUB_TAG_KEY = 'syncHubMappingId';
export const HUB_OWNER_KEY = 'syncHubOwner';
export const HUB_OWNER_VALUE = 'calendar-sync-hub';
export const HUB_OWNER_FILTER = `${HUB_OWNER_KEY}=${HUB_OWNER_VALUE}`;

/** Google caps reminder overrides at 5, each 0–40320 minutes (4 weeks). */
export const MAX_REMINDER_OVERRIDES = 5;
export const MAX_REMINDER_MINUTES = 40_320;

const EVENT_TYPE_LABELS: Record<string, string> = {
  outOfOffice: 'an out-of-office entry',
  focusTime: 'a focus-time block',
  workingLocation: 'a working-location entry',
  birthday: 'a birthday',
  fromGmail: 'an event created from Gmail',
};

const RESPONSE_FROM_GOOGLE: Record<string, AttendeeResponse> = {
  needsAction: 'NEEDS_ACTION',
  accepted: 'ACCEPTED',
  tentative: 'TENTATIVE',
  declined: 'DECLINED',
};

const RESPONSE_TO_GOOGLE: Record<AttendeeResponse, string> = {
  NEEDS_ACTION: 'needsAction',
  ACCEPTED: 'accepted',
  TENTATIVE: 'tentative',
  DECLINED: 'declined',
  // The organizer flag is read-only at Google; the organizer's own answer is "accepted".
  ORGANIZER: 'accepted',
};

const nonEmpty = (v: string | null | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

function isoInstant(value: string, what: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new GoogleEventMappingError(`${what} "${value}" is not an RFC 3339 date-time`);
  return new Date(ms).toISOString();
}

/** Heuristic for Google's `description`, which holds plain text or a limited HTML subset. */
export function looksLikeHtml(text: string): boolean {
  return /<\/?(?:a|b|i|u|p|br|div|span|ul|ol|li|strong|em|html|body|h[1-6]|table|tr|td|font|img|hr)\b[^>]*>/i.test(text);
}

export function toProviderCalendar(entry: GoogleCalendarListEntry): ProviderCalendar {
  if (!entry.id) throw new GoogleEventMappingError('a calendar list entry has no id');
  return {
    id: asProviderCalendarId(entry.id),
    name: nonEmpty(entry.summaryOverride) ?? nonEmpty(entry.summary) ?? entry.id,
    color: nonEmpty(entry.backgroundColor),
    canEdit: entry.accessRole === 'owner' || entry.accessRole === 'writer',
    isDefault: entry.primary === true,
    timeZone: nonEmpty(entry.timeZone),
  };
}

function toTiming(event: GoogleEvent, calendarTimeZone: string | null): EventTiming {
  const s = event.start;
  const e = event.end;
  if (s?.date) {
    if (!e?.date) throw new GoogleEventMappingError(`event ${event.id ?? '?'} starts on a date but does not end on one`);
    return { allDay: true, startDate: s.date, endDate: e.date, timeZone: nonEmpty(s.timeZone) };
  }
  if (s?.dateTime && e?.dateTime) {
    return {
      allDay: false,
      start: isoInstant(s.dateTime, 'start'),
      end: isoInstant(e.dateTime, 'end'),
      // A dateTime with an offset but no zone belongs to the calendar's zone
      // (docs/providers.md#google-event-times).
      timeZone: nonEmpty(s.timeZone) ?? calendarTimeZone ?? 'UTC',
    };
  }
  throw new GoogleEventMappingError(`event ${event.id ?? '?'} has no start or end`);
}

function toBody(description: string | null | undefined): EventBody | null {
  const content = nonEmpty(description);
  if (content === null) return null;
  return { contentType: looksLikeHtml(content) ? 'HTML' : 'TEXT', content };
}

/**
 * The guests; the organizer of a meeting someone else organises (the user was invited) is one of
 * them with the answer ORGANIZER, also when Google does not list it among the attendees.
 */
function toAttendees(event: GoogleEvent): Attendee[] {
  const out: Attendee[] = (event.attendees ?? [])
    .filter((a): a is calendar_v3.Schema$EventAttendee & { email: string } => !!a.email)
    .map((a) => ({
      email: a.email,
      name: nonEmpty(a.displayName),
      optional: a.optional === true,
      resource: a.resource === true,
      response: a.organizer === true ? 'ORGANIZER' : (RESPONSE_FROM_GOOGLE[a.responseStatus ?? 'needsAction'] ?? 'NEEDS_ACTION'),
      hostUserId: null,
    }));
  const organizer = event.organizer;
  if (organizer?.email && organizer.self !== true && !out.some((a) => a.email.toLowerCase() === organizer.email!.toLowerCase())) {
    out.unshift({ email: organizer.email, name: nonEmpty(organizer.displayName), optional: false, resource: false, response: 'ORGANIZER', hostUserId: null });
  }
  return out;
}

function sortReminders(list: Reminder[]): Reminder[] {
  return [...list].sort((a, b) => a.minutesBefore - b.minutesBefore || a.method.localeCompare(b.method));
}

/** `useDefault` (or no reminders object) is the calendar's default: `null`; otherwise the overrides. */
function toReminders(event: GoogleEvent): Reminder[] | null {
  const r = event.reminders;
  if (!r || r.useDefault !== false) return null;
  return sortReminders(
    (r.overrides ?? []).map((o) => ({ minutesBefore: o.minutes ?? 0, method: o.method === 'email' ? ('EMAIL' as const) : ('POPUP' as const) })),
  );
}

/** Only `transparent` is free time (docs/providers.md#field-mapping); an out-of-office block is out of office. */
const toShowAs = (event: GoogleEvent): ShowAs => (event.transparency === 'transparent' ? 'FREE' : event.eventType === 'outOfOffice' ? 'OUT_OF_OFFICE' : 'BUSY');

function toSensitivity(visibility: string | null | undefined): Sensitivity {
  if (visibility === 'private') return 'PRIVATE';
  if (visibility === 'confidential') return 'CONFIDENTIAL';
  return 'NORMAL';
}

interface ParsedLine {
  name: string;
  params: Map<string, string>;
  value: string;
}

function parseLine(line: string): ParsedLine {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new GoogleEventMappingError(`recurrence line "${line}" has no value`);
  const [name = '', ...params] = line.slice(0, colon).split(';');
  const map = new Map<string, string>();
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new GoogleEventMappingError(`recurrence line "${line}" has a malformed parameter "${p}"`);
    map.set(p.slice(0, eq).trim().toUpperCase(), p.slice(eq + 1).trim().replace(/^"|"$/g, ''));
  }
  return { name: name.trim().toUpperCase(), params: map, value: line.slice(colon + 1).trim() };
}

/** One EXDATE/RDATE value as a canonical date (`YYYY-MM-DD`) or UTC instant. */
function dateValue(raw: string, params: Map<string, string>, seriesZone: string | null, line: string): string {
  const type = params.get('VALUE')?.toUpperCase();
  if (type === 'PERIOD') throw new GoogleEventMappingError(`"${line}": RDATE periods are not supported`);
  if (type === 'DATE' || /^\d{8}$/.test(raw)) {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(raw);
    if (!m) throw new GoogleEventMappingError(`"${line}": "${raw}" is not a date`);
    return `${m[1]}-${m[2]}-${m[3]}`;
  }
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(raw);
  if (!m) throw new GoogleEventMappingError(`"${line}": "${raw}" is not a date-time`);
  const [, y, mo, d, h, mi, s, z] = m;
  const zone = z === 'Z' ? 'UTC' : (params.get('TZID') ?? seriesZone ?? 'UTC');
  const dt = DateTime.fromObject({ year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s) }, { zone });
  if (!dt.isValid) throw new GoogleEventMappingError(`"${line}": ${dt.invalidExplanation ?? dt.invalidReason ?? 'invalid date-time'}`);
  return new Date(dt.toMillis()).toISOString();
}

/**
 * Google `recurrence` lines (RRULE, EXDATE, RDATE; DTSTART is the event's start) as the canonical
 * `Recurrence`; the rule comes back in formatRRule's stable order. EXDATE/RDATE values in a TZID (or floating, i.e. in the series' zone) become UTC
 * instants; `VALUE=DATE` values stay dates. Anything the hub cannot hold faithfully (EXRULE, a
 * second RRULE, RDATE periods, a malformed rule) is an error with the reason, never dropped.
 */
export function parseRecurrenceLines(lines: readonly string[], series: { zone: string | null }): Recurrence {
  let rrule: string | null = null;
  const exdates: string[] = [];
  const rdates: string[] = [];
  for (const raw of lines) {
    const line = parseLine(raw);
    switch (line.name) {
      case 'RRULE':
        if (rrule !== null) throw new GoogleEventMappingError('the series has more than one RRULE');
        try {
          rrule = formatRRule(parseRRule(line.value));
        } catch (e) {
          if (isRecurrenceParseError(e)) throw new GoogleEventMappingError(`the RRULE "${line.value}" cannot be read: ${e.message}`);
          throw e;
        }
        break;
      case 'EXDATE':
      case 'RDATE': {
        const values = line.value.split(',').map((v) => dateValue(v.trim(), line.params, series.zone, raw));
        (line.name === 'EXDATE' ? exdates : rdates).push(...values);
        break;
      }
      case 'EXRULE':
        throw new GoogleEventMappingError('EXRULE (exclusion rules) is not supported');
      default:
        throw new GoogleEventMappingError(`unknown recurrence line "${raw}"`);
    }
  }
  if (rrule === null) throw new GoogleEventMappingError('the series has no RRULE (RDATE-only series are not supported)');
  return { rrule, exdates: [...new Set(exdates)].sort(), rdates: [...new Set(rdates)].sort() };
}

function compactLocal(instant: string, zone: string): string {
  const dt = DateTime.fromISO(instant, { zone: 'utc' }).setZone(zone);
  if (!dt.isValid) throw new GoogleEventMappingError(`"${instant}" in ${zone}: ${dt.invalidExplanation ?? dt.invalidReason ?? 'invalid'}`);
  return dt.toFormat("yyyyMMdd'T'HHmmss");
}

/** Canonical recurrence as Google lines: `RRULE:…` (in formatRRule's stable order), then `EXDATE;TZID=<zone>:…` / `EXDATE;VALUE=DATE:…` (Google's own forms, docs/providers.md#google-recurrence). */
export function formatRecurrenceLines(recurrence: Recurrence, timing: EventTiming): string[] {
  let rule: string;
  try {
    rule = formatRRule(parseRRule(recurrence.rrule));
  } catch (e) {
    if (isRecurrenceParseError(e)) throw new GoogleEventMappingError(`the RRULE "${recurrence.rrule}" cannot be written: ${e.message}`);
    throw e;
  }
  const dateLine = (name: string, value: string): string => {
    if (timing.allDay) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new GoogleEventMappingError(`${name} "${value}" must be a date for an all-day series`);
      return `${name};VALUE=DATE:${value.replace(/-/g, '')}`;
    }
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new GoogleEventMappingError(`${name} "${value}" must be an instant for a timed series`);
    const instant = isoInstant(value, name);
    if (timing.timeZone === 'UTC') return `${name}:${compactLocal(instant, 'UTC')}Z`;
    return `${name};TZID=${timing.timeZone}:${compactLocal(instant, timing.timeZone)}`;
  };
  return [`RRULE:${rule}`, ...recurrence.exdates.map((d) => dateLine('EXDATE', d)), ...recurrence.rdates.map((d) => dateLine('RDATE', d))];
}

export interface MappingContext {
  calendarId: ProviderCalendarId;
  /** The calendar's zone, for `dateTime`s that carry only an offset. */
  calendarTimeZone: string | null;
}

/** The canonical fields of a live event. Throws `GoogleEventMappingError` with the reason. */
export function toEventData(event: GoogleEvent, calendarTimeZone: string | null): EventData {
  const timing = toTiming(event, calendarTimeZone);
  const isMaster = !event.recurringEventId && (event.recurrence?.length ?? 0) > 0;
  return {
    subject: nonEmpty(event.summary),
    body: toBody(event.description),
    timing,
    location: nonEmpty(event.location),
    attendees: toAttendees(event),
    reminders: toReminders(event),
    recurrence: isMaster ? parseRecurrenceLines(event.recurrence ?? [], { zone: timing.timeZone }) : null,
    showAs: toShowAs(event),
    sensitivity: toSensitivity(event.visibility),
  };
}

export function kindOf(event: GoogleEvent): ExternalEventKind {
  if (event.recurringEventId) return 'EXCEPTION';
  if ((event.recurrence?.length ?? 0) > 0) return 'SERIES_MASTER';
  return 'SINGLE';
}

function originalStartOf(event: GoogleEvent): string | null {
  const o = event.originalStartTime;
  if (o?.date) return o.date;
  if (o?.dateTime) return isoInstant(o.dateTime, 'originalStartTime');
  return null;
}

export function hubTagOf(event: GoogleEvent): string | null {
  return nonEmpty(event.extendedProperties?.private?.[HUB_TAG_KEY]);
}

/**
 * A live (not cancelled) event as the port's `ExternalEvent`. Events of a non-default type
 * (out of office, focus time, working location, birthday, from Gmail) and series whose recurrence
 * the hub cannot read are returned with `unsupportedReason` so the engine raises a sync issue
 * instead of mirroring them wrongly.
 */
export function toExternalEvent(event: GoogleEvent, ctx: MappingContext): ExternalEvent {
  if (!event.id) throw new GoogleEventMappingError('an event has no id');
  if (!event.etag) throw new GoogleEventMappingError(`event ${event.id} has no etag`);
  let unsupportedReason: string | null = null;
  const eventType = event.eventType ?? 'default';
  if (eventType !== 'default') {
    unsupportedReason = `This Google Calendar item is ${EVENT_TYPE_LABELS[eventType] ?? `of type "${eventType}"`}, a Google-only kind of event that is not synced as an appointment.`;
  }
  let data: EventData;
  try {
    data = toEventData(event, ctx.calendarTimeZone);
  } catch (e) {
    if (!isGoogleEventMappingError(e) || (kindOf(event) !== 'SERIES_MASTER' && eventType === 'default')) throw e;
    // The series itself is readable, only its recurrence is not: surface it instead of dropping it.
    data = toEventData({ ...event, recurrence: null }, ctx.calendarTimeZone);
    unsupportedReason ??= `The recurrence of this Google series cannot be synced: ${e.message}.`;
  }
  return {
    id: asProviderEventId(event.id),
    calendarId: ctx.calendarId,
    kind: kindOf(event),
    iCalUid: nonEmpty(event.iCalUID),
    version: event.etag,
    data,
    seriesMasterId: event.recurringEventId ? asProviderEventId(event.recurringEventId) : null,
    originalStart: originalStartOf(event),
    hubTag: hubTagOf(event),
    updatedAt: event.updated ? isoInstant(event.updated, 'updated') : null,
    unsupportedReason,
  };
}

/**
 * One item of an events.list page as a change. Cancelled items are deletions; a cancelled exception
 * (a deleted occurrence) carries its series and original start (docs/providers.md#google-recurrence).
 */
export function toEventChange(event: GoogleEvent, ctx: MappingContext): EventChange {
  if (!event.id) throw new GoogleEventMappingError('an event in the change list has no id');
  if (event.status === 'cancelled') {
    return {
      type: 'DELETE',
      eventId: asProviderEventId(event.id),
      seriesMasterId: event.recurringEventId ? asProviderEventId(event.recurringEventId) : null,
      originalStart: originalStartOf(event),
    };
  }
  return { type: 'UPSERT', event: toExternalEvent(event, ctx) };
}

function comparableFields(d: EventData): string {
  return JSON.stringify([d.subject, d.body, d.location, d.attendees, d.reminders, d.showAs, d.sensitivity]);
}

function durationMs(t: EventTiming): number {
  return t.allDay ? Date.parse(`${t.endDate}T00:00:00Z`) - Date.parse(`${t.startDate}T00:00:00Z`) : Date.parse(t.end) - Date.parse(t.start);
}

/**
 * Google does not say whether an instance returned by events.instances was modified. It is an
 * unmodified occurrence when it starts at its original start, lasts as long as the master and
 * carries the master's fields; otherwise it is an exception.
 */
export function isUnmodifiedInstance(instance: ExternalEvent, master: EventData): boolean {
  const t = instance.data.timing;
  const start = t.allDay ? t.startDate : t.start;
  return start === instance.originalStart && durationMs(t) === durationMs(master.timing) && comparableFields(instance.data) === comparableFields(master);
}

function toGoogleTime(timing: EventTiming): { start: calendar_v3.Schema$EventDateTime; end: calendar_v3.Schema$EventDateTime } {
  if (timing.allDay) {
    const zone = timing.timeZone ? { timeZone: timing.timeZone } : {};
    return { start: { date: timing.startDate, ...zone }, end: { date: timing.endDate, ...zone } };
  }
  const local = (instant: string, what: string) => {
    const dt = DateTime.fromISO(isoInstant(instant, what), { zone: 'utc' }).setZone(timing.timeZone);
    if (!dt.isValid) throw new GoogleEventMappingError(`time zone "${timing.timeZone}" cannot be used: ${dt.invalidExplanation ?? dt.invalidReason ?? 'invalid'}`);
    return dt.toISO({ suppressMilliseconds: true }) ?? instant;
  };
  // `timeZone` is always sent: Google needs it on recurring timed events
  // (docs/providers.md#google-event-times), and it keeps the zone on singles.
  return {
    start: { dateTime: local(timing.start, 'start'), timeZone: timing.timeZone },
    end: { dateTime: local(timing.end, 'end'), timeZone: timing.timeZone },
  };
}

function toGoogleReminders(reminders: Reminder[] | null): calendar_v3.Schema$Event['reminders'] {
  if (reminders === null) return { useDefault: true };
  // Google holds at most 5 overrides of 0–40320 minutes: clamp to what it can hold, keep the nearest five.
  const seen = new Set<string>();
  const overrides = sortReminders(reminders.map((r) => ({ ...r, minutesBefore: Math.min(MAX_REMINDER_MINUTES, Math.max(0, Math.round(r.minutesBefore))) })))
    .filter((r) => {
      const key = `${r.method}:${r.minutesBefore}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_REMINDER_OVERRIDES)
    .map((r) => ({ method: r.method === 'EMAIL' ? 'email' : 'popup', minutes: r.minutesBefore }));
  return overrides.length ? { useDefault: false, overrides } : { useDefault: false };
}

function toGoogleVisibility(sensitivity: Sensitivity, current: string | null | undefined): string {
  if (sensitivity === 'PRIVATE') return 'private';
  if (sensitivity === 'CONFIDENTIAL') return 'confidential';
  // NORMAL covers both `default` and `public`: keep what the event had.
  return current === 'public' ? 'public' : 'default';
}

/** The event fields the hub owns; a PUT clears whichever of them is absent here. */
export const OWNED_FIELDS = ['summary', 'description', 'location', 'start', 'end', 'attendees', 'reminders', 'recurrence', 'transparency', 'visibility'] as const;

type GoogleAttendee = calendar_v3.Schema$EventAttendee;

/**
 * The attendees to write: `data`'s, with what Google knows of those who stay (their answer, unless
 * the meeting moved — a new time needs new answers —, comment, guests) and the organizer's and the
 * account's own entries, which are Google's to keep.
 */
function toGoogleAttendees(data: EventData, current: GoogleEvent | null): GoogleAttendee[] {
  const moved = current !== null && current.start && current.end ? timingMoved(toTiming(current, null), data.timing) : false;
  const theirs = new Map((current?.attendees ?? []).filter((a) => a.email).map((a) => [a.email!.toLowerCase(), a]));
  const written = data.attendees.map((a): GoogleAttendee => {
    const known = theirs.get(a.email.toLowerCase());
    return {
      ...(known ? { ...known, displayName: undefined, optional: undefined, resource: undefined } : {}),
      email: a.email,
      ...(a.name !== null ? { displayName: a.name } : {}),
      ...(a.optional ? { optional: true } : {}),
      ...(a.resource ? { resource: true } : {}),
      responseStatus: known?.responseStatus && !moved ? known.responseStatus : moved ? 'needsAction' : RESPONSE_TO_GOOGLE[a.response],
    };
  });
  const mine = new Set(data.attendees.map((a) => a.email.toLowerCase()));
  const kept = (current?.attendees ?? []).filter((a) => (a.organizer === true || a.self === true) && a.email && !mine.has(a.email.toLowerCase()));
  return [...kept, ...written].map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as GoogleAttendee);
}

/**
 * A body as Google's `description`, which holds text or a limited HTML subset that Google shows as
 * HTML: text that looks like markup is written as escaped HTML, so it shows (and reads back) as the
 * same text.
 */
function toDescription(body: EventData['body']): string | null {
  if (body === null || body.content === '') return null;
  return body.contentType === 'TEXT' && looksLikeHtml(body.content) ? textToHtml(body.content) : body.content;
}

export interface GoogleWriteOptions {
  /** `KEEP`: the event's attendees stay as they are (an insert writes none). Default `WRITE`. */
  attendees?: AttendeeWriteMode;
}

/** The owned fields of `data` as a Google resource fragment (null values left out). */
export function toGoogleFields(data: EventData, opts: { instance: boolean; currentVisibility?: string | null; current?: GoogleEvent | null; attendees?: AttendeeWriteMode }): GoogleEvent {
  const { start, end } = toGoogleTime(data.timing);
  const out: GoogleEvent = {
    start,
    end,
    reminders: toGoogleReminders(data.reminders),
    transparency: data.showAs === 'FREE' ? 'transparent' : 'opaque',
    visibility: toGoogleVisibility(data.sensitivity, opts.currentVisibility),
  };
  if (data.subject !== null) out.summary = data.subject;
  const description = toDescription(data.body);
  if (description !== null) out.description = description;
  if (data.location !== null) out.location = data.location;
  if ((opts.attendees ?? 'WRITE') === 'WRITE') {
    const attendees = toGoogleAttendees(data, opts.current ?? null);
    if (attendees.length) out.attendees = attendees;
  } else if (opts.current?.attendees?.length) {
    out.attendees = opts.current.attendees;
  }
  // An instance (exception) cannot hold a recurrence of its own.
  if (data.recurrence !== null && !opts.instance) out.recurrence = formatRecurrenceLines(data.recurrence, data.timing);
  return out;
}

/** The body of an insert: the owned fields, the client-chosen id and the hub's tag. */
export function toGoogleInsert(data: EventData, opts: { id: string; hubTag: string } & GoogleWriteOptions): GoogleEvent {
  return {
    id: opts.id,
    ...toGoogleFields(data, { instance: false, attendees: opts.attendees }),
    extendedProperties: { private: { [HUB_TAG_KEY]: opts.hubTag, [HUB_OWNER_KEY]: HUB_OWNER_VALUE } },
  };
}

/** Server-owned fields left out of a PUT body (Google ignores or rejects them). */
const SERVER_FIELDS = ['kind', 'etag', 'htmlLink', 'created', 'updated', 'creator', 'organizer', 'sequence', 'hangoutLink', 'attendeesOmitted'] as const;

/**
 * The body of a full update (PUT): the current resource with the owned fields replaced. Fields the
 * hub does not own (colour, conference data, attachments, other apps' extended properties, guest
 * permissions …) are sent back unchanged, because a PUT clears whatever it omits
 * (docs/providers.md#google-updates). The hub's tag stays as it was; `sequence` is left out so Google
 * keeps counting (a stale one answers 400).
 */
export function toGoogleUpdate(current: GoogleEvent, data: EventData, opts: { restore?: boolean } & GoogleWriteOptions = {}): GoogleEvent {
  const base: Record<string, unknown> = { ...current };
  for (const key of [...SERVER_FIELDS, ...OWNED_FIELDS]) delete base[key];
  const instance = !!current.recurringEventId;
  const next: GoogleEvent = { ...(base as GoogleEvent), ...toGoogleFields(data, { instance, currentVisibility: current.visibility, current, attendees: opts.attendees }) };
  if (opts.restore || current.status === 'cancelled') next.status = 'confirmed';
  return next;
}
