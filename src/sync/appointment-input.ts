import { IANAZone } from 'luxon';
import type { Attendee, EventBody, EventData, EventTiming, Recurrence, Reminder, Sensitivity, ShowAs } from '../domain/appointment.js';
import { REMINDER_METHODS, SENSITIVITIES, SHOW_AS } from '../domain/appointment.js';
import { ValidationError } from '../domain/errors.js';
import { isRecurrenceParseError, parseRRule } from '../domain/recurrence/rrule.js';
import { isEmail } from '../tenancy/input-rules.js';

/** Limits of what a host may store in one appointment (also what both providers can hold). */
export const APPOINTMENT_LIMITS = {
  hostAppointmentId: 256,
  hostRecordId: 256,
  subject: 1_000,
  /** UTF-8 bytes of the body. */
  bodyBytes: 1_048_576,
  location: 1_000,
  attendees: 500,
  attendeeName: 256,
  resources: 50,
  resource: 256,
  reminders: 5,
  reminderMinutes: 40_320,
  exdates: 1_000,
  /** Serialised JSON bytes of `hostOnly`. */
  hostOnlyBytes: 65_536,
  /** Longest appointment (a multi-day event still fits; a decade does not). */
  durationDays: 366,
} as const;

export interface AppointmentInput {
  hostAppointmentId: string;
  /** The hub id of a calendar-made appointment the host takes over under `hostAppointmentId`. */
  id?: string | null;
  userId: string;
  subject?: string | null;
  body?: { contentType: 'TEXT' | 'HTML'; content: string } | null;
  start?: Date | string | null;
  end?: Date | string | null;
  timeZone?: string | null;
  startDate?: string | null;
  endDate?: string | null;
  location?: string | null;
  attendees?: { email: string; name?: string | null; optional?: boolean | null }[] | null;
  resources?: string[] | null;
  reminders?: { minutesBefore: number; method?: string | null }[] | null;
  recurrence?: { rrule: string; exdates?: string[] | null } | null;
  showAs?: string | null;
  sensitivity?: string | null;
  hostRecordId?: string | null;
  hostOnly?: Record<string, unknown> | null;
}

/** What an upsert stores: the synced content plus the host-only parts. */
export interface ValidatedAppointment {
  hostAppointmentId: string;
  userId: string;
  data: EventData;
  resources: string[];
  hostRecordId: string | null;
  hostOnly: Record<string, unknown> | null;
}

/**
 * Text a user typed: empty → null, bounded. NUL characters and lone surrogates never get this far:
 * the API refuses them in every argument before an operation runs (src/api/limits/input-text.ts).
 */
export function text(field: string, value: string | null | undefined, max: number, options: { trim?: boolean } = {}): string | null {
  if (value === null || value === undefined) return null;
  const v = options.trim === false ? value : value.trim();
  if (v === '') return null;
  if (v.length > max) throw new ValidationError(field, `must be at most ${max} characters`);
  return v;
}

function required(field: string, value: string | null | undefined, max: number): string {
  const v = text(field, value, max);
  if (v === null) throw new ValidationError(field, 'must not be empty');
  return v;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isoDate(field: string, value: string): string {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new ValidationError(field, 'must be a date YYYY-MM-DD');
  }
  return value;
}

function instant(field: string, value: Date | string): string {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new ValidationError(field, 'must be an ISO 8601 date-time');
  return new Date(ms).toISOString();
}

function zone(field: string, value: string | null | undefined): string {
  const v = required(field, value, 64);
  if (!IANAZone.isValidZone(v) || /^[+-]/.test(v)) throw new ValidationError(field, 'must be an IANA time zone such as "Europe/Zurich"');
  return v;
}

function timing(input: AppointmentInput): EventTiming {
  const timed = input.start != null || input.end != null;
  const allDay = input.startDate != null || input.endDate != null;
  if (timed && allDay) throw new ValidationError('startDate', 'give either start/end/timeZone (timed) or startDate/endDate (all day), not both');
  if (!timed && !allDay) throw new ValidationError('start', 'is required (or startDate/endDate for an all-day appointment)');
  const maxMs = APPOINTMENT_LIMITS.durationDays * 86_400_000;
  if (timed) {
    if (input.start == null) throw new ValidationError('start', 'is required with end');
    if (input.end == null) throw new ValidationError('end', 'is required with start');
    const start = instant('start', input.start);
    const end = instant('end', input.end);
    const timeZone = zone('timeZone', input.timeZone);
    if (Date.parse(end) <= Date.parse(start)) throw new ValidationError('end', 'must be after start');
    if (Date.parse(end) - Date.parse(start) > maxMs) throw new ValidationError('end', `must be at most ${APPOINTMENT_LIMITS.durationDays} days after start`);
    return { allDay: false, start, end, timeZone };
  }
  if (input.startDate == null) throw new ValidationError('startDate', 'is required with endDate');
  if (input.endDate == null) throw new ValidationError('endDate', 'is required with startDate (exclusive: a one-day appointment on 3 March ends on 4 March)');
  const startDate = isoDate('startDate', input.startDate);
  const endDate = isoDate('endDate', input.endDate);
  if (endDate <= startDate) throw new ValidationError('endDate', 'must be after startDate (it is exclusive: a one-day appointment on 3 March ends on 4 March)');
  if (Date.parse(endDate) - Date.parse(startDate) > maxMs) throw new ValidationError('endDate', `must be at most ${APPOINTMENT_LIMITS.durationDays} days after startDate`);
  const timeZone = input.timeZone == null ? null : zone('timeZone', input.timeZone);
  return { allDay: true, startDate, endDate, timeZone };
}

function body(input: AppointmentInput['body']): EventBody | null {
  if (!input) return null;
  const content = text('body.content', input.content, Number.MAX_SAFE_INTEGER, { trim: false });
  if (content === null || content.trim() === '') return null;
  if (Buffer.byteLength(content, 'utf8') > APPOINTMENT_LIMITS.bodyBytes) throw new ValidationError('body.content', `must be at most ${APPOINTMENT_LIMITS.bodyBytes} bytes`);
  if (input.contentType !== 'TEXT' && input.contentType !== 'HTML') throw new ValidationError('body.contentType', 'must be TEXT or HTML');
  return { contentType: input.contentType, content };
}

function attendees(input: AppointmentInput['attendees']): Attendee[] {
  const list = input ?? [];
  if (list.length > APPOINTMENT_LIMITS.attendees) throw new ValidationError('attendees', `must hold at most ${APPOINTMENT_LIMITS.attendees} attendees`);
  const seen = new Set<string>();
  const out: Attendee[] = [];
  list.forEach((a, i) => {
    const email = required(`attendees[${i}].email`, a.email, 254).toLowerCase();
    if (!isEmail(email)) throw new ValidationError(`attendees[${i}].email`, 'must be a valid email address');
    if (seen.has(email)) return;
    seen.add(email);
    out.push({ email, name: text(`attendees[${i}].name`, a.name, APPOINTMENT_LIMITS.attendeeName), optional: a.optional ?? false, resource: false, response: 'NEEDS_ACTION', hostUserId: null });
  });
  return out;
}

function reminders(input: AppointmentInput['reminders']): Reminder[] | null {
  if (input === null || input === undefined) return null;
  if (input.length > APPOINTMENT_LIMITS.reminders) throw new ValidationError('reminders', `must hold at most ${APPOINTMENT_LIMITS.reminders} reminders`);
  return input.map((r, i) => {
    if (!Number.isInteger(r.minutesBefore) || r.minutesBefore < 0 || r.minutesBefore > APPOINTMENT_LIMITS.reminderMinutes) {
      throw new ValidationError(`reminders[${i}].minutesBefore`, `must be an integer between 0 and ${APPOINTMENT_LIMITS.reminderMinutes}`);
    }
    const method = r.method ?? 'POPUP';
    if (!(REMINDER_METHODS as readonly string[]).includes(method)) throw new ValidationError(`reminders[${i}].method`, `must be one of ${REMINDER_METHODS.join(', ')}`);
    return { minutesBefore: r.minutesBefore, method: method as Reminder['method'] };
  });
}

function recurrence(input: AppointmentInput['recurrence'], t: EventTiming): Recurrence | null {
  if (!input) return null;
  const raw = required('recurrence.rrule', input.rrule, 1_000).replace(/^RRULE:/i, '');
  try {
    parseRRule(raw);
  } catch (e) {
    if (isRecurrenceParseError(e)) throw new ValidationError('recurrence.rrule', e.message);
    throw e;
  }
  const exdates = input.exdates ?? [];
  if (exdates.length > APPOINTMENT_LIMITS.exdates) throw new ValidationError('recurrence.exdates', `must hold at most ${APPOINTMENT_LIMITS.exdates} dates`);
  return {
    rrule: raw,
    exdates: exdates.map((d, i) => (t.allDay ? isoDate(`recurrence.exdates[${i}]`, d) : instant(`recurrence.exdates[${i}]`, d))),
    rdates: [],
  };
}

function choice<T extends string>(field: string, value: string | null | undefined, allowed: readonly T[], fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** Checks and normalises an upsert; throws `ValidationError` naming the first bad field. */
export function validateAppointmentInput(input: AppointmentInput): ValidatedAppointment {
  const hostAppointmentId = required('hostAppointmentId', input.hostAppointmentId, APPOINTMENT_LIMITS.hostAppointmentId);
  const userId = required('userId', input.userId, 100);
  const t = timing(input);
  const resources = (input.resources ?? []).map((r, i) => required(`resources[${i}]`, r, APPOINTMENT_LIMITS.resource));
  if (resources.length > APPOINTMENT_LIMITS.resources) throw new ValidationError('resources', `must hold at most ${APPOINTMENT_LIMITS.resources} entries`);
  let hostOnly: Record<string, unknown> | null = null;
  if (input.hostOnly !== null && input.hostOnly !== undefined) {
    if (typeof input.hostOnly !== 'object' || Array.isArray(input.hostOnly)) throw new ValidationError('hostOnly', 'must be a JSON object');
    const json = JSON.stringify(input.hostOnly);
    if (Buffer.byteLength(json, 'utf8') > APPOINTMENT_LIMITS.hostOnlyBytes) throw new ValidationError('hostOnly', `must be at most ${APPOINTMENT_LIMITS.hostOnlyBytes} bytes as JSON`);
    hostOnly = input.hostOnly;
  }
  const data: EventData = {
    subject: text('subject', input.subject, APPOINTMENT_LIMITS.subject),
    body: body(input.body),
    timing: t,
    location: text('location', input.location, APPOINTMENT_LIMITS.location),
    attendees: attendees(input.attendees),
    reminders: reminders(input.reminders),
    recurrence: recurrence(input.recurrence, t),
    showAs: choice<ShowAs>('showAs', input.showAs, SHOW_AS, 'BUSY'),
    sensitivity: choice<Sensitivity>('sensitivity', input.sensitivity, SENSITIVITIES, 'NORMAL'),
  };
  return { hostAppointmentId, userId, data, resources, hostRecordId: text('hostRecordId', input.hostRecordId, APPOINTMENT_LIMITS.hostRecordId), hostOnly };
}
