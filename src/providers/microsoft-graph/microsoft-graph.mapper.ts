import { DateTime, IANAZone } from 'luxon';
import type { Attendee, AttendeeResponse, EventBody, EventData, EventTiming, Recurrence, Reminder, Sensitivity, ShowAs } from '../../domain/appointment.js';
import { graphSeriesOf, graphToRRule, type GraphRecurrence } from '../../domain/recurrence/graph-pattern.js';
import { formatRRule } from '../../domain/recurrence/rrule.js';
import { ianaToWindows, windowsToIana } from '../../domain/windows-time-zones.js';
import {
  asProviderCalendarId,
  asProviderEventId,
  type ExternalEvent,
  type ExternalEventKind,
  type ProviderCalendar,
  type ProviderCalendarId,
} from '../calendar-provider.js';
import type { GraphAttendee, GraphCalendar, GraphDateTimeTimeZone, GraphEvent, GraphEventWrite, GraphResponseType, GraphSensitivity, GraphShowAs } from './microsoft-graph.types.js';

/**
 * Pure mapping between Microsoft Graph events/calendars and the hub's domain shapes, both ways.
 * "Absent" is `null`, never `''`. Decisions (docs/providers.md#field-mapping and the Graph sections
 * above it):
 *
 * - Times: the adapter asks for `Prefer: outlook.timezone="UTC"`, so timed `start`/`end` arrive as
 *   UTC wall-clock values; the event's zone comes from `originalStartTimeZone` (Windows → IANA via
 *   CLDR). All-day events ignore that preference and arrive as midnights in their own zone
 *   (docs/providers.md#graph-all-day-events); the dates are kept as they are. Writes send the
 *   wall-clock time in the event's IANA zone (Graph accepts IANA names; the provider retries with the
 *   Windows name when a zone is refused).
 * - `tzone://Microsoft/Custom` (a zone Outlook defined ad hoc) has no name to map; the instants stay
 *   exact (they are rendered in UTC) and the zone reads as `UTC`.
 * - Body: Graph stores HTML documents and wraps whatever it is given
 *   (docs/providers.md#graph-event-bodies). Reads unwrap the document to its `<body>` content, and
 *   turn Outlook's rendering of a plain-text body (`<div class="PlainText">…<br>…</div>`) back into
 *   text, so a hub body round-trips unchanged and does not bounce between the sides.
 * - Reminders: Graph holds one popup reminder (`isReminderOn` + `reminderMinutesBeforeStart`).
 *   Several hub reminders write the earliest one (largest lead time); an EMAIL reminder writes as a
 *   popup.
 * - Attendee names equal to the address (what Graph stores when no name was given) read as `null`.
 * - Hub tag: `transactionId` = `synchub:<idempotency key>` (visible in delta items,
 *   docs/providers.md#graph-hub-tag) and the single-value extended property `HUB_TAG_PROPERTY_ID`
 *   (filterable, for cleanup).
 */

/** Single-value extended property carrying the hub's mapping id (docs/providers.md#graph-hub-tag). The GUID is fixed for the hub. */
export const HUB_TAG_PROPERTY_ID = 'String {8b6a8f0e-3c55-4d7e-9f1a-2e6c4b7d9a31} Name SyncHubTag';
/** Prefix of the `transactionId`s the hub writes, so other apps' transaction ids never read as hub tags. */
export const TRANSACTION_ID_PREFIX = 'synchub:';

export const transactionIdFor = (idempotencyKey: string): string => `${TRANSACTION_ID_PREFIX}${idempotencyKey}`;

export function hubTagOf(ev: GraphEvent): string | null {
  const wanted = HUB_TAG_PROPERTY_ID.toLowerCase();
  const prop = ev.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === wanted)?.value;
  if (prop) return prop;
  const tx = ev.transactionId;
  if (tx && tx.startsWith(TRANSACTION_ID_PREFIX) && tx.length > TRANSACTION_ID_PREFIX.length) return tx.slice(TRANSACTION_ID_PREFIX.length);
  return null;
}

const UTC_NAMES = /^(utc|etc\/utc|gmt|etc\/gmt|z|coordinated universal time)$/i;

/** IANA zone of a Graph zone name (Windows, IANA, UTC); null for custom or unknown zones. */
export function zoneFromGraph(name: string | null | undefined): string | null {
  const trimmed = name?.trim();
  if (!trimmed) return null;
  if (UTC_NAMES.test(trimmed)) return 'UTC';
  if (trimmed.toLowerCase().startsWith('tzone://')) return null;
  const fromWindows = windowsToIana(trimmed);
  if (fromWindows) return fromWindows;
  return IANAZone.isValidZone(trimmed) ? trimmed : null;
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/;

/** Parses a Graph wall-clock value (up to seven fractional digits, no offset) in `zone`. */
function parseLocal(value: string, zone: string): DateTime | null {
  const m = LOCAL_RE.exec(value.trim());
  if (!m) return null;
  const dt = DateTime.fromObject(
    {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
      millisecond: m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0,
    },
    { zone },
  );
  return dt.isValid ? dt : null;
}

/** A Graph instant (`2026-03-02T09:00:00Z`, `…00.0000000Z`, or with an offset) as an ISO instant with ms. */
export function instantFromGraph(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
  if (!m) return null;
  const ms = m[2] ? `.${m[2].slice(0, 3).padEnd(3, '0')}` : '';
  const offset = m[3] ?? 'Z';
  const parsed = Date.parse(`${m[1]}${ms}${offset.toUpperCase()}`);
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}

/** The UTC instant of a `dateTimeTimeZone` (its own zone; unknown zones read as UTC). */
export function instantOfDateTimeTimeZone(dtz: GraphDateTimeTimeZone): string | null {
  const dt = parseLocal(dtz.dateTime, zoneFromGraph(dtz.timeZone) ?? 'UTC');
  return dt ? new Date(dt.toMillis()).toISOString() : null;
}

/** Graph's rendering of a wall-clock time: seven fractional digits, no offset. */
function formatLocal(dt: DateTime): string {
  return `${dt.toFormat("yyyy-LL-dd'T'HH:mm:ss.SSS")}0000`;
}

function allDayDate(dtz: GraphDateTimeTimeZone, zone: string | null): string {
  const date = dtz.dateTime.slice(0, 10);
  // All-day values are midnights in the event's zone (docs/providers.md#graph-all-day-events). Should
  // a value arrive converted to another zone (not midnight), convert it back before taking the date.
  const local = parseLocal(dtz.dateTime, zoneFromGraph(dtz.timeZone) ?? 'UTC');
  if (!local || (local.hour === 0 && local.minute === 0) || !zone) return date;
  return local.setZone(zone).toISODate() ?? date;
}

export function toEventTiming(ev: GraphEvent): EventTiming {
  if (!ev.start || !ev.end) throw new RangeError(`Graph event ${ev.id} has no start or end`);
  if (ev.isAllDay) {
    const zone = zoneFromGraph(ev.start.timeZone) ?? zoneFromGraph(ev.originalStartTimeZone);
    return { allDay: true, startDate: allDayDate(ev.start, zone), endDate: allDayDate(ev.end, zone), timeZone: zone };
  }
  const start = instantOfDateTimeTimeZone(ev.start);
  const end = instantOfDateTimeTimeZone(ev.end);
  if (!start || !end) throw new RangeError(`Graph event ${ev.id} has an unreadable start or end`);
  const zone = zoneFromGraph(ev.originalStartTimeZone) ?? zoneFromGraph(ev.start.timeZone) ?? 'UTC';
  return { allDay: false, start, end, timeZone: zone };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+|#39);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
    return ENTITIES[lower] ?? whole;
  });
}

/**
 * A Graph body as the hub sees it: the HTML document unwrapped to its `<body>` content, Outlook's
 * plain-text rendering turned back into text, `\r\n` as `\n`, empty as null.
 */
export function bodyFromGraph(body: GraphEvent['body']): EventBody | null {
  const content = body?.content ?? '';
  if (body?.contentType !== 'html') {
    const text = content.replace(/\r\n/g, '\n');
    return text.trim() === '' ? null : { contentType: 'TEXT', content: text };
  }
  const inner = (/<body[^>]*>([\s\S]*)<\/body>/i.exec(content)?.[1] ?? content).trim();
  if (inner === '') return null;
  const plain = /^<div class="?PlainText"?>([\s\S]*)<\/div>$/i.exec(inner);
  if (plain && !/<(?!br\b|\/?div\b)[a-z/]/i.test(plain[1]!)) {
    const text = decodeEntities(plain[1]!.replace(/<br\s*\/?>(\r?\n)?/gi, '\n').replace(/<\/?div[^>]*>/gi, ''));
    return text.trim() === '' ? null : { contentType: 'TEXT', content: text };
  }
  return { contentType: 'HTML', content: inner.replace(/\r\n/g, '\n') };
}

const RESPONSES: Record<GraphResponseType, AttendeeResponse> = {
  none: 'NEEDS_ACTION',
  notResponded: 'NEEDS_ACTION',
  organizer: 'ORGANIZER',
  tentativelyAccepted: 'TENTATIVE',
  accepted: 'ACCEPTED',
  declined: 'DECLINED',
};

function attendeeFromGraph(a: GraphAttendee): Attendee | null {
  const email = a.emailAddress?.address?.trim();
  if (!email) return null;
  const rawName = a.emailAddress?.name?.trim() ?? '';
  return {
    email,
    name: rawName === '' || rawName.toLowerCase() === email.toLowerCase() ? null : rawName,
    optional: a.type === 'optional',
    resource: a.type === 'resource',
    response: RESPONSES[a.status?.response ?? 'none'] ?? 'NEEDS_ACTION',
    hostUserId: null,
  };
}

function remindersFromGraph(ev: GraphEvent): Reminder[] | null {
  if (ev.isReminderOn === undefined || ev.isReminderOn === null) return ev.reminderMinutesBeforeStart == null ? null : [{ minutesBefore: ev.reminderMinutesBeforeStart, method: 'POPUP' }];
  if (!ev.isReminderOn) return [];
  return [{ minutesBefore: ev.reminderMinutesBeforeStart ?? 15, method: 'POPUP' }];
}

const SHOW_AS_FROM: Record<GraphShowAs, ShowAs> = {
  free: 'FREE',
  tentative: 'TENTATIVE',
  busy: 'BUSY',
  oof: 'OUT_OF_OFFICE',
  workingElsewhere: 'WORKING_ELSEWHERE',
  unknown: 'BUSY',
};
const SHOW_AS_TO: Record<ShowAs, GraphShowAs> = {
  FREE: 'free',
  TENTATIVE: 'tentative',
  BUSY: 'busy',
  OUT_OF_OFFICE: 'oof',
  WORKING_ELSEWHERE: 'workingElsewhere',
};
const SENSITIVITY_FROM: Record<GraphSensitivity, Sensitivity> = { normal: 'NORMAL', personal: 'PRIVATE', private: 'PRIVATE', confidential: 'CONFIDENTIAL' };
const SENSITIVITY_TO: Record<Sensitivity, GraphSensitivity> = { NORMAL: 'normal', PRIVATE: 'private', CONFIDENTIAL: 'confidential' };

export const showAsFromGraph = (v: GraphShowAs | null | undefined): ShowAs => (v ? SHOW_AS_FROM[v] : undefined) ?? 'BUSY';

/**
 * The canonical recurrence of a series master, or the reason it cannot be read. Cancelled
 * occurrences (`cancelledOccurrences`, read by id with `$select`) become EXDATEs: the occurrence's
 * date at the series' wall-clock start time in the recurrence zone, or the date for all-day series
 * (docs/providers.md#graph-recurrence).
 */
function recurrenceFromGraph(ev: GraphEvent, timing: EventTiming): Recurrence | { error: string } | null {
  if (!ev.recurrence || ev.type === 'occurrence' || ev.type === 'exception') return null;
  try {
    const zone = zoneFromGraph(ev.recurrence.range.recurrenceTimeZone) ?? timing.timeZone ?? 'UTC';
    // graphToRRule computes UNTIL in `recurrenceTimeZone`, which Graph names the Windows way: hand it the IANA zone.
    const recurrence = { ...ev.recurrence, range: { ...ev.recurrence.range, recurrenceTimeZone: zone } };
    const rrule = formatRRule(graphToRRule(recurrence, { allDay: timing.allDay, timeZone: zone }));
    const start = timing.allDay ? null : DateTime.fromISO(timing.start, { zone: 'utc' }).setZone(zone);
    const exdates = (ev.cancelledOccurrences ?? []).map((oid) => {
      const date = /\.(\d{4}-\d{2}-\d{2})$/.exec(oid)?.[1];
      if (!date) throw new RangeError(`unreadable cancelled occurrence ${oid}`);
      if (!start) return date;
      const local = DateTime.fromISO(date, { zone }).set({ hour: start.hour, minute: start.minute, second: start.second, millisecond: 0 });
      return new Date(local.toMillis()).toISOString();
    });
    return { rrule, exdates: [...new Set(exdates)].sort(), rdates: [] };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export interface GraphEventReading {
  data: EventData;
  /** Set when the event must not be mirrored as-is. */
  unsupportedReason: string | null;
}

export function toEventData(ev: GraphEvent): GraphEventReading {
  const timing = toEventTiming(ev);
  const rec = recurrenceFromGraph(ev, timing);
  const data: EventData = {
    subject: ev.subject ? ev.subject : null,
    body: bodyFromGraph(ev.body),
    timing,
    location: ev.location?.displayName?.trim() ? ev.location.displayName : null,
    attendees: (ev.attendees ?? []).map(attendeeFromGraph).filter((a): a is Attendee => a !== null),
    reminders: remindersFromGraph(ev),
    recurrence: rec && 'rrule' in rec ? rec : null,
    showAs: showAsFromGraph(ev.showAs),
    sensitivity: (ev.sensitivity ? SENSITIVITY_FROM[ev.sensitivity] : undefined) ?? 'NORMAL',
  };
  let unsupportedReason: string | null = null;
  if (ev.isDraft) unsupportedReason = 'This Outlook meeting is an unsent draft; the hub does not mirror drafts.';
  else if (ev.isCancelled) unsupportedReason = 'The organizer cancelled this meeting; Outlook keeps it as cancelled until it is removed.';
  else if (rec && 'error' in rec) unsupportedReason = `The Outlook recurrence could not be read: ${rec.error}`;
  return { data, unsupportedReason };
}

const KINDS: Record<string, ExternalEventKind> = { singleInstance: 'SINGLE', seriesMaster: 'SERIES_MASTER', exception: 'EXCEPTION', occurrence: 'OCCURRENCE' };

export const kindOf = (ev: GraphEvent): ExternalEventKind => KINDS[ev.type ?? 'singleInstance'] ?? 'SINGLE';

/** `W/"<changeKey>"` → changeKey. */
export function versionOf(ev: GraphEvent): string {
  if (ev.changeKey) return ev.changeKey;
  const etag = ev['@odata.etag'];
  return etag ? etag.replace(/^W\//, '').replace(/^"|"$/g, '') : '';
}

/** An occurrence's original start: ISO instant with ms, or the date (in the event's zone) for all-day series. */
function originalStartOf(ev: GraphEvent, timing: EventTiming): string | null {
  const instant = instantFromGraph(ev.originalStart);
  if (!instant) return null;
  if (!timing.allDay) return instant;
  const zone = timing.timeZone ?? zoneFromGraph(ev.originalStartTimeZone) ?? 'UTC';
  return DateTime.fromISO(instant, { zone: 'utc' }).setZone(zone).toISODate() ?? instant.slice(0, 10);
}

export function toExternalEvent(ev: GraphEvent, calendarId: ProviderCalendarId): ExternalEvent {
  const { data, unsupportedReason } = toEventData(ev);
  const kind = kindOf(ev);
  const inSeries = kind === 'EXCEPTION' || kind === 'OCCURRENCE';
  return {
    id: asProviderEventId(ev.id),
    calendarId,
    kind,
    iCalUid: ev.iCalUId ?? null,
    version: versionOf(ev),
    data,
    seriesMasterId: inSeries && ev.seriesMasterId ? asProviderEventId(ev.seriesMasterId) : null,
    originalStart: inSeries ? originalStartOf(ev, data.timing) : null,
    hubTag: hubTagOf(ev),
    updatedAt: instantFromGraph(ev.lastModifiedDateTime),
    unsupportedReason,
  };
}

export function toProviderCalendar(c: GraphCalendar): ProviderCalendar {
  const color = c.hexColor?.trim() ? c.hexColor.trim() : c.color && c.color !== 'auto' ? c.color : null;
  return {
    id: asProviderCalendarId(c.id),
    name: c.name?.trim() ? c.name : c.isDefaultCalendar ? 'Calendar' : c.id,
    color,
    canEdit: c.canEdit === true,
    isDefault: c.isDefaultCalendar === true,
    timeZone: null,
  };
}

export type GraphWriteResult = { ok: true; event: GraphEventWrite } | { ok: false; reason: string };

export interface GraphWriteOptions {
  /**
   * How zones are named: `iana` keeps the hub's zone exactly (Graph accepts IANA names and echoes
   * them); `windows` uses the CLDR Windows name for services that refuse an IANA zone.
   */
  zoneNames: 'iana' | 'windows';
}

function graphZoneName(iana: string, opts: GraphWriteOptions): string {
  if (iana === 'UTC' || opts.zoneNames === 'iana') return iana;
  return ianaToWindows(iana) ?? iana;
}

interface Placed {
  start: GraphEventWrite['start'];
  end: GraphEventWrite['end'];
}

function placeTiming(timing: EventTiming, zone: string, shiftDays: number, opts: GraphWriteOptions): Placed | { error: string } {
  const name = graphZoneName(zone, opts);
  if (timing.allDay) {
    const start = DateTime.fromISO(timing.startDate, { zone: 'utc' }).plus({ days: shiftDays });
    const end = DateTime.fromISO(timing.endDate, { zone: 'utc' }).plus({ days: shiftDays });
    if (!start.isValid || !end.isValid) return { error: 'The all-day dates are not valid dates.' };
    if (end <= start) return { error: 'An all-day event must end at least one day after it starts.' };
    // All-day = midnight start and exclusive midnight end, both in the same zone
    // (docs/providers.md#graph-all-day-events).
    return {
      start: { dateTime: `${start.toISODate()}T00:00:00.0000000`, timeZone: name },
      end: { dateTime: `${end.toISODate()}T00:00:00.0000000`, timeZone: name },
    };
  }
  const start = DateTime.fromISO(timing.start, { zone: 'utc' }).setZone(zone).plus({ days: shiftDays });
  const end = DateTime.fromISO(timing.end, { zone: 'utc' }).setZone(zone).plus({ days: shiftDays });
  if (!start.isValid || !end.isValid) return { error: 'The start or end is not a valid instant.' };
  if (end < start) return { error: 'The event ends before it starts.' };
  return { start: { dateTime: formatLocal(start), timeZone: name }, end: { dateTime: formatLocal(end), timeZone: name } };
}

/**
 * The Graph body for an event, or the reason Graph cannot hold it (a recurrence outside Graph's
 * patterns, RDATEs, a first occurrence on a date its rule does not produce, an unknown zone); a
 * series whose such first occurrence is cancelled is moved to its first real occurrence
 * (`graphSeriesOf`, docs/providers.md#graph-recurrence). EXDATEs are
 * not part of the body; the provider cancels those occurrences after writing the series.
 */
export function toGraphEventWrite(data: EventData, opts: GraphWriteOptions = { zoneNames: 'iana' }): GraphWriteResult {
  const zone = data.timing.timeZone ?? 'UTC';
  if (zone !== 'UTC' && !IANAZone.isValidZone(zone)) return { ok: false, reason: `The time zone '${zone}' is not a known IANA time zone.` };

  let recurrence: GraphRecurrence | null = null;
  let shiftDays = 0;
  if (data.recurrence) {
    const series = graphSeriesOf(data.recurrence, data.timing);
    if (!series.ok) return { ok: false, reason: series.reason };
    shiftDays = series.shiftDays;
    recurrence = { pattern: series.recurrence.pattern, range: { ...series.recurrence.range, recurrenceTimeZone: graphZoneName(zone, opts) } };
  }

  const placed = placeTiming(data.timing, zone, shiftDays, opts);
  if ('error' in placed) return { ok: false, reason: placed.error };

  const reminders = data.reminders;
  const earliest = reminders && reminders.length > 0 ? Math.max(...reminders.map((r) => r.minutesBefore)) : null;
  const event: GraphEventWrite = {
    subject: data.subject ?? '',
    body: data.body ? { contentType: data.body.contentType === 'HTML' ? 'html' : 'text', content: data.body.content } : { contentType: 'text', content: '' },
    start: placed.start,
    end: placed.end,
    isAllDay: data.timing.allDay,
    location: { displayName: data.location ?? '' },
    attendees: data.attendees.map((a) => ({
      type: a.resource ? 'resource' : a.optional ? 'optional' : 'required',
      emailAddress: { address: a.email, ...(a.name ? { name: a.name } : {}) },
    })),
    // null = the calendar's default: nothing is sent (Graph defaults to a 15-minute reminder on create
    // and keeps the current one on update).
    ...(reminders !== null ? { isReminderOn: earliest !== null } : {}),
    ...(earliest !== null ? { reminderMinutesBeforeStart: Math.max(0, Math.round(earliest)) } : {}),
    showAs: SHOW_AS_TO[data.showAs],
    sensitivity: SENSITIVITY_TO[data.sensitivity],
    recurrence,
  };
  return { ok: true, event };
}

function normalisedRecurrence(rec: GraphRecurrence, eventZone: string | null): string {
  const p = rec.pattern;
  const r = rec.range;
  const relative = p.type === 'relativeMonthly' || p.type === 'relativeYearly';
  const absolute = p.type === 'absoluteMonthly' || p.type === 'absoluteYearly';
  const yearly = p.type === 'absoluteYearly' || p.type === 'relativeYearly';
  return JSON.stringify({
    type: p.type,
    interval: Math.max(1, p.interval || 1),
    days: p.type === 'weekly' || relative ? (p.daysOfWeek ?? []).map((d) => d.toLowerCase()).sort() : null,
    dayOfMonth: absolute ? (p.dayOfMonth ?? null) : null,
    month: yearly ? (p.month ?? null) : null,
    index: relative ? (p.index ?? 'first') : null,
    firstDayOfWeek: p.type === 'weekly' ? (p.firstDayOfWeek ?? 'sunday').toLowerCase() : null,
    range: r.type,
    startDate: r.startDate,
    endDate: r.type === 'endDate' ? (r.endDate ?? null) : null,
    count: r.type === 'numbered' ? (r.numberOfOccurrences ?? null) : null,
    zone: zoneFromGraph(r.recurrenceTimeZone) ?? eventZone,
  });
}

/**
 * Whether a series write would leave the master's times and pattern as they are. Exchange may drop a
 * series' exceptions when its times or pattern are written, even with equal values
 * (docs/providers.md#graph-series-updates), so the
 * provider omits them from the PATCH when nothing changed.
 */
export function sameSeriesShape(current: GraphEvent, write: GraphEventWrite): boolean {
  if (current.type !== 'seriesMaster' || !current.recurrence || !write.recurrence || !current.start || !current.end) return false;
  if (Boolean(current.isAllDay) !== write.isAllDay) return false;
  const currentZone = zoneFromGraph(current.originalStartTimeZone) ?? zoneFromGraph(current.start.timeZone);
  const writeZone = zoneFromGraph(write.start.timeZone);
  if (currentZone !== writeZone) return false;
  const sameInstant = (a: GraphDateTimeTimeZone, b: GraphDateTimeTimeZone) => {
    const x = instantOfDateTimeTimeZone(a);
    return x !== null && x === instantOfDateTimeTimeZone(b);
  };
  if (!sameInstant(current.start, write.start) || !sameInstant(current.end, write.end)) return false;
  return normalisedRecurrence(current.recurrence, currentZone) === normalisedRecurrence(write.recurrence, writeZone);
}
