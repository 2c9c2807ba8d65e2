import { calendarErrors } from '../google-api.errors.js';
import type { AccountRecord, CalendarRecord, EventBody, EventDateTime, StoredEvent } from '../google-state.js';
import { parseRecurrence, type RecurrenceSet, type SeriesStart } from '../recurrence/recurrence-set.js';
import { RecurrenceError } from '../recurrence/rrule.js';
import { instantToLocal } from '../recurrence/zoned-time.js';
import { normalizeEventDateTime, parseDateOnly, renderEventDateTime } from './event-time.js';

/**
 * Request bodies of events.insert/update/patch turned into stored events, and stored events
 * rendered as Calendar v3 `Event` resources (docs/providers.md#google-event-ids,
 * docs/providers.md#google-updates).
 * https://developers.google.com/workspace/calendar/api/v3/reference/events
 */

/** Client-supplied ids: base32hex (a–v, 0–9), 5–1024 characters. */
export const EVENT_ID = /^[a-v0-9]{5,1024}$/;

const CREATABLE_TYPES = ['default', 'outOfOffice', 'focusTime', 'workingLocation'];
const STATUSES = ['confirmed', 'tentative', 'cancelled'];
const RESPONSE_STATUSES = ['needsAction', 'declined', 'tentative', 'accepted'];

type Json = Record<string, unknown>;

export interface NormalizeContext {
  account: AccountRecord;
  calendar: CalendarRecord;
  /** The stored event being replaced or patched; null on insert. */
  existing: EventBody | null;
  enforceExtendedPropertyLimits: boolean;
  /** Control API only: the event is an invitation this organizer sent to the account (the account does not organize it). */
  invitedBy?: string;
}

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

function optString(v: Json, key: string): string | undefined {
  const x = v[key];
  if (x === undefined || x === null) return undefined;
  if (typeof x !== 'string') throw calendarErrors.invalid(`Invalid value for: ${key}`);
  return x;
}

function optBool(v: Json, key: string): boolean | undefined {
  const x = v[key];
  if (x === undefined || x === null) return undefined;
  if (typeof x !== 'boolean') throw calendarErrors.invalid(`Invalid value for: ${key}`);
  return x;
}

function optEnum<T extends string>(v: Json, key: string, allowed: readonly string[]): T | undefined {
  const x = optString(v, key);
  if (x !== undefined && !allowed.includes(x)) throw calendarErrors.invalid(`Invalid value for: ${key}`);
  return x as T | undefined;
}

function optObject(v: Json, key: string): Json | undefined {
  const x = v[key];
  if (x === undefined || x === null) return undefined;
  if (!isObj(x)) throw calendarErrors.invalid(`Invalid value for: ${key}`);
  return x;
}

function stringMap(v: unknown, key: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw calendarErrors.invalid(`Invalid value for: ${key}`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === null) continue;
    if (typeof val !== 'string') throw calendarErrors.invalid(`Invalid value for: ${key}`);
    out[k] = val;
  }
  return out;
}

/** PATCH semantics: objects merge recursively, arrays and scalars replace, `null` removes the key. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Json = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObj(v) && (k === 'start' || k === 'end') && (v.date !== undefined) !== (isObj(out[k]) && (out[k] as Json).date !== undefined)) out[k] = v;
    else out[k] = isObj(v) ? mergePatch(out[k], v) : v;
  }
  return out;
}

/** Builds the stored body from a full resource (insert, update, or a merged patch). */
export function normalizeEventBody(input: unknown, nctx: NormalizeContext): EventBody {
  if (!isObj(input)) throw calendarErrors.badRequest('Invalid event resource.');
  const { account, calendar, existing } = nctx;
  const isException = !!existing?.recurringEventId;
  const status = optEnum<EventBody['status']>(input, 'status', STATUSES) ?? 'confirmed';
  const eventType = optString(input, 'eventType') ?? existing?.eventType ?? 'default';
  if (existing && eventType !== existing.eventType) throw calendarErrors.invalid('The event type cannot be changed.');
  if (!existing && !CREATABLE_TYPES.includes(eventType)) throw calendarErrors.invalid(`Event type "${eventType}" cannot be created through the API.`);
  if (!existing && eventType !== 'default' && !calendar.primary) throw calendarErrors.invalid(`Events of type "${eventType}" can only be created on a primary calendar.`);

  const start = normalizeEventDateTime(input.start, 'start');
  const end = normalizeEventDateTime(input.end, 'end');
  if ((start.date === undefined) !== (end.date === undefined)) throw calendarErrors.invalid('Start and end times must either both be date or both be dateTime.');
  if (start.date !== undefined && end.date !== undefined) {
    if ((parseDateOnly(end.date) ?? 0) <= (parseDateOnly(start.date) ?? 0)) throw calendarErrors.timeRangeEmpty();
  } else if (Date.parse(end.dateTime ?? '') < Date.parse(start.dateTime ?? '')) {
    throw calendarErrors.timeRangeEmpty();
  }

  let recurrence: string[] | undefined;
  if (!isException && input.recurrence !== undefined && input.recurrence !== null) {
    if (!Array.isArray(input.recurrence) || input.recurrence.some((r) => typeof r !== 'string')) throw calendarErrors.invalid('Invalid recurrence rule.');
    recurrence = input.recurrence.length ? (input.recurrence as string[]) : undefined;
  }
  if (recurrence) {
    if (start.dateTime && !start.timeZone) throw calendarErrors.required('Missing time zone definition for start time.');
    validateRecurrence(recurrence, { start, end } as EventBody);
  }

  // creator/organizer `displayName`: "The creator's name, if available" (events resource) — only for accounts that have one.
  const person = () => ({ email: account.email, ...(account.hasProfileName !== false ? { displayName: account.displayName } : {}), self: true });
  const organizer = existing?.organizer ?? (nctx.invitedBy ? { email: nctx.invitedBy } : calendar.primary ? person() : { email: calendar.id, displayName: calendar.summary, self: true });
  const creator = existing?.creator ?? (nctx.invitedBy ? { email: nctx.invitedBy } : person());
  const attendees = normalizeAttendees(input.attendees, account, organizer.self === true);
  const reminders = normalizeReminders(input.reminders);
  const ext = optObject(input, 'extendedProperties');
  const priv = stringMap(ext?.private, 'extendedProperties.private');
  const shared = stringMap(ext?.shared, 'extendedProperties.shared');
  if (nctx.enforceExtendedPropertyLimits) applyExtendedPropertyLimits(priv, shared);


  const body: EventBody = {
    status,
    start,
    end,
    iCalUID: existing?.iCalUID ?? optString(input, 'iCalUID') ?? '',
    organizer,
    creator,
    reminders,
    eventType,
    ...defined({
      summary: optString(input, 'summary'),
      description: optString(input, 'description'),
      location: optString(input, 'location'),
      colorId: optColorId(input),
      transparency: optEnum<'opaque' | 'transparent'>(input, 'transparency', ['opaque', 'transparent']),
      visibility: optEnum<EventBody['visibility'] & string>(input, 'visibility', ['default', 'public', 'private', 'confidential']),
      endTimeUnspecified: optBool(input, 'endTimeUnspecified'),
      recurrence,
      recurringEventId: existing?.recurringEventId,
      originalStartTime: existing?.originalStartTime,
      attendees,
      extendedProperties: priv || shared ? { ...(priv ? { private: priv } : {}), ...(shared ? { shared } : {}) } : undefined,
      guestsCanModify: optBool(input, 'guestsCanModify'),
      guestsCanInviteOthers: optBool(input, 'guestsCanInviteOthers'),
      guestsCanSeeOtherGuests: optBool(input, 'guestsCanSeeOtherGuests'),
      anyoneCanAddSelf: optBool(input, 'anyoneCanAddSelf'),
      privateCopy: optBool(input, 'privateCopy'),
      locked: existing?.locked,
      source: optObject(input, 'source') as EventBody['source'],
      attachments: Array.isArray(input.attachments) ? (input.attachments as Json[]) : undefined,
      conferenceData: optObject(input, 'conferenceData'),
      workingLocationProperties: optObject(input, 'workingLocationProperties'),
      outOfOfficeProperties: optObject(input, 'outOfOfficeProperties'),
      focusTimeProperties: optObject(input, 'focusTimeProperties'),
      birthdayProperties: existing?.birthdayProperties,
    }),
  };
  return body;
}

/** Limits of https://developers.google.com/workspace/calendar/api/guides/extended-properties (see the settings switch). */
function applyExtendedPropertyLimits(...maps: (Record<string, string> | undefined)[]): void {
  let count = 0;
  let bytes = 0;
  for (const map of maps) {
    if (!map) continue;
    for (const [k, v] of Object.entries(map)) {
      if (k.length > 44) {
        delete map[k];
        continue;
      }
      if (v.length > 1024) throw calendarErrors.invalid('Extended property value is too long.');
      count++;
      bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
    }
  }
  if (count > 300) throw calendarErrors.invalid('Too many extended properties.');
  if (bytes > 32 * 1024) throw calendarErrors.invalid('Extended properties are too large.');
}

function defined<T extends Json>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function optColorId(input: Json): string | undefined {
  const c = optString(input, 'colorId');
  if (c !== undefined && !/^(?:[1-9]|1[01])$/.test(c)) throw calendarErrors.invalid('Invalid value for: colorId');
  return c;
}

/** `selfOrganizes`: the account is the organizer (its own attendee entry then carries `organizer: true`). */
function normalizeAttendees(raw: unknown, account: AccountRecord, selfOrganizes: boolean): Json[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw calendarErrors.invalid('Invalid value for: attendees');
  if (raw.length === 0) return undefined;
  return raw.map((a) => {
    if (!isObj(a)) throw calendarErrors.invalid('Invalid attendee.');
    const email = optString(a, 'email');
    if (!email) throw calendarErrors.required('Missing attendee email.');
    const responseStatus = optEnum(a, 'responseStatus', RESPONSE_STATUSES) ?? 'needsAction';
    const self = email.toLowerCase() === account.email.toLowerCase();
    return defined({
      email,
      displayName: optString(a, 'displayName'),
      organizer: self && selfOrganizes ? true : undefined,
      self: self ? true : undefined,
      resource: optBool(a, 'resource'),
      optional: optBool(a, 'optional'),
      responseStatus,
      comment: optString(a, 'comment'),
      additionalGuests: typeof a.additionalGuests === 'number' ? a.additionalGuests : undefined,
    });
  });
}

function normalizeReminders(raw: unknown): EventBody['reminders'] {
  if (raw === undefined || raw === null) return { useDefault: true };
  if (!isObj(raw)) throw calendarErrors.invalid('Invalid value for: reminders');
  const overrides = raw.overrides;
  const useDefault = raw.useDefault === undefined ? !Array.isArray(overrides) : raw.useDefault;
  if (typeof useDefault !== 'boolean') throw calendarErrors.invalid('Invalid value for: reminders.useDefault');
  if (overrides === undefined || overrides === null) return { useDefault };
  if (!Array.isArray(overrides)) throw calendarErrors.invalid('Invalid value for: reminders.overrides');
  if (useDefault && overrides.length) {
    throw calendarErrors.invalid('Cannot specify both default reminders and overrides at the same time.');
  }
  if (overrides.length > 5) throw calendarErrors.invalid('Too many reminders.');
  const list = overrides.map((o) => {
    if (!isObj(o) || (o.method !== 'email' && o.method !== 'popup')) throw calendarErrors.required('Missing reminder method.');
    if (typeof o.minutes !== 'number' || !Number.isInteger(o.minutes) || o.minutes < 0 || o.minutes > 40_320) throw calendarErrors.invalid('Invalid reminder minutes.');
    return { method: o.method, minutes: o.minutes };
  });
  return { useDefault, ...(list.length ? { overrides: list } : {}) };
}

export function seriesStartOf(body: Pick<EventBody, 'start'>): SeriesStart {
  const start = body.start ?? {};
  if (start.date) return { kind: 'date', day: parseDateOnly(start.date) ?? 0 };
  const zone = start.timeZone ?? 'UTC';
  return { kind: 'dateTime', zone, local: instantToLocal(Date.parse(start.dateTime ?? ''), zone) };
}

export function validateRecurrence(lines: string[], body: Pick<EventBody, 'start' | 'end'>): void {
  try {
    parseRecurrence(lines, seriesStartOf(body), { includeUnmatchedStart: true });
  } catch (e) {
    if (e instanceof RecurrenceError) throw calendarErrors.invalid('Invalid recurrence rule.');
    throw e;
  }
}

export function recurrenceOf(body: EventBody, includeUnmatchedStart: boolean): RecurrenceSet | null {
  if (!body.recurrence?.length || body.recurringEventId) return null;
  return parseRecurrence(body.recurrence, seriesStartOf(body), { includeUnmatchedStart });
}

export interface RenderOptions {
  zone: string;
  origin: string;
  maxAttendees?: number;
}

/** The `Event` resource as the API returns it. */
export function renderEvent(ev: StoredEvent, calendar: CalendarRecord, opts: RenderOptions): Json {
  const b = ev.body;
  let attendees = b.attendees;
  let attendeesOmitted: boolean | undefined;
  if (attendees && opts.maxAttendees !== undefined && attendees.length > opts.maxAttendees) {
    attendees = attendees.filter((a) => a.self).slice(0, opts.maxAttendees);
    attendeesOmitted = true;
  }
  return defined({
    kind: 'calendar#event',
    etag: ev.etag,
    id: ev.id,
    status: b.status,
    htmlLink: htmlLink(opts.origin, ev.id, calendar.id),
    created: new Date(ev.created).toISOString(),
    updated: new Date(ev.updated).toISOString(),
    summary: b.summary,
    description: b.description,
    location: b.location,
    colorId: b.colorId,
    creator: b.creator,
    organizer: b.organizer,
    start: b.start ? renderEventDateTime(b.start, opts.zone) : undefined,
    end: b.end ? renderEventDateTime(b.end, opts.zone) : undefined,
    endTimeUnspecified: b.endTimeUnspecified,
    recurrence: b.recurrence,
    recurringEventId: b.recurringEventId,
    originalStartTime: b.originalStartTime ? renderEventDateTime(b.originalStartTime, opts.zone) : undefined,
    transparency: b.transparency,
    visibility: b.visibility,
    iCalUID: b.iCalUID,
    sequence: ev.sequence,
    attendees,
    attendeesOmitted,
    extendedProperties: b.extendedProperties,
    guestsCanModify: b.guestsCanModify,
    guestsCanInviteOthers: b.guestsCanInviteOthers,
    guestsCanSeeOtherGuests: b.guestsCanSeeOtherGuests,
    anyoneCanAddSelf: b.anyoneCanAddSelf,
    privateCopy: b.privateCopy,
    locked: b.locked,
    reminders: b.reminders,
    source: b.source,
    attachments: b.attachments,
    conferenceData: b.conferenceData,
    eventType: b.eventType,
    workingLocationProperties: b.workingLocationProperties,
    outOfOfficeProperties: b.outOfOfficeProperties,
    focusTimeProperties: b.focusTimeProperties,
    birthdayProperties: b.birthdayProperties,
  });
}

/**
 * Deleted events in list results: Google guarantees only `id` (and, for cancelled instances,
 * `recurringEventId` + `originalStartTime`), so lists carry no more than that.
 */
export function renderCancelled(ev: StoredEvent, opts: RenderOptions): Json {
  return defined({
    kind: 'calendar#event',
    etag: ev.etag,
    id: ev.id,
    status: 'cancelled',
    recurringEventId: ev.body.recurringEventId,
    originalStartTime: ev.body.originalStartTime ? renderEventDateTime(ev.body.originalStartTime, opts.zone) : undefined,
  });
}

export function htmlLink(origin: string, eventId: string, calendarId: string): string {
  return `${origin}/calendar/event?eid=${Buffer.from(`${eventId} ${calendarId}`).toString('base64url')}`;
}

/**
 * Everything but reminders, for "did this write change more than reminders": reminders do not bump
 * `updated` (https://developers.google.com/workspace/calendar/api/v3/reference/events#resource).
 */
export function withoutReminders(b: EventBody): string {
  const { reminders: _r, ...rest } = b;
  return stableJson(rest);
}

export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

export function sameTime(a: EventDateTime | undefined, b: EventDateTime | undefined): boolean {
  return stableJson(a ?? null) === stableJson(b ?? null);
}
