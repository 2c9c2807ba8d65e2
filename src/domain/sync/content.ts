import { createHash } from 'node:crypto';
import type { Attendee, EventBody, EventData, EventTiming, Recurrence, Reminder } from '../appointment.js';
import { ianaAliasesOf, ianaToWindows } from '../windows-time-zones.js';
import { normalizeBodyText } from './body-text.js';

/**
 * The comparable form of an appointment's synced content, and its hash.
 *
 * A pair's side counts as changed only when its version moved AND its content hash differs from
 * the one stored at the last sync (docs/sync.md, "Changed, unchanged, echo"). The hash is taken
 * over this normalised form, so differences that carry no meaning for a user — a provider
 * rewrapping an HTML body, CRLF vs LF, the order of attendees, upper/lower case in an email,
 * an RRULE's part order, milliseconds in an instant, two names of the same time zone — never read
 * as a change.
 */
export interface ComparableContent {
  subject: string | null;
  body: string | null;
  timing: ComparableTiming;
  location: string | null;
  attendees: { email: string; name: string | null; optional: boolean; resource: boolean; response?: Attendee['response'] }[] | null;
  reminders: Reminder[] | null;
  recurrence: Recurrence | null;
  showAs: EventData['showAs'];
  sensitivity: EventData['sensitivity'];
}

export interface ComparableOptions {
  /** Whether attendees take part in the comparison (they do not when they are not written outside). */
  attendees: boolean;
  /** Whether their responses do too (a provider's answer moving from "needs action" to "accepted"). */
  responses?: boolean;
}

/**
 * All-day: the dates (the zone an all-day event was set in does not move its days). Timed: the
 * instants and the zone as a key that two names of one zone share (IANA aliases, and IANA zones
 * CLDR maps to the same Windows zone — the granularity Outlook holds zones in).
 */
export type ComparableTiming = { allDay: true; startDate: string; endDate: string } | { allDay: false; start: string; end: string; zone: string };

const text = (value: string | null): string | null => {
  if (value === null) return null;
  const out = value.replace(/\r\n?/g, '\n').normalize('NFC').trim();
  return out === '' ? null : out;
};

const instant = (iso: string): string => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(Math.floor(ms / 1000) * 1000).toISOString();
};

const UTC_ZONES = new Set(ianaAliasesOf('Etc/UTC').map((z) => z.toLowerCase()));

/** One key for every name of a zone (see `ComparableTiming`). */
export function zoneKey(zone: string): string {
  if (UTC_ZONES.has(zone.trim().toLowerCase())) return 'UTC';
  const windows = ianaToWindows(zone);
  return windows !== null ? `windows:${windows}` : ianaAliasesOf(zone)[0]!;
}

export function normalizeTiming(t: EventTiming): ComparableTiming {
  return t.allDay
    ? { allDay: true, startDate: t.startDate, endDate: t.endDate }
    : { allDay: false, start: instant(t.start), end: instant(t.end), zone: zoneKey(t.timeZone) };
}

export function normalizeBody(body: EventBody | null): string | null {
  if (body === null) return null;
  return text(normalizeBodyText(body));
}

function normalizeRRule(rrule: string): string {
  const parts = rrule
    .replace(/^RRULE:/i, '')
    .split(';')
    .map((p) => p.trim().toUpperCase())
    // WKST=MO is RFC 5545's default week start (Graph states it, Google and the host leave it out).
    .filter((p) => p !== '' && p !== 'WKST=MO');
  return parts.sort().join(';');
}

function normalizeExdate(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : instant(value);
}

function normalizeRecurrence(r: Recurrence | null): Recurrence | null {
  if (r === null) return null;
  return {
    rrule: normalizeRRule(r.rrule),
    exdates: [...new Set(r.exdates.map(normalizeExdate))].sort(),
    rdates: [...new Set(r.rdates.map(normalizeExdate))].sort(),
  };
}

function normalizeAttendees(attendees: Attendee[], responses: boolean): ComparableContent['attendees'] {
  const byEmail = new Map<string, NonNullable<ComparableContent['attendees']>[number]>();
  for (const a of attendees) {
    const email = a.email.trim().toLowerCase();
    if (email === '' || byEmail.has(email)) continue;
    byEmail.set(email, { email, name: text(a.name), optional: a.optional, resource: a.resource, ...(responses ? { response: a.response } : {}) });
  }
  return [...byEmail.values()].sort((a, b) => a.email.localeCompare(b.email));
}

function normalizeReminders(reminders: Reminder[] | null): Reminder[] | null {
  if (reminders === null) return null;
  const seen = new Set<string>();
  const out: Reminder[] = [];
  for (const r of reminders) {
    const key = `${r.method}:${r.minutesBefore}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ minutesBefore: r.minutesBefore, method: r.method });
  }
  return out.sort((a, b) => a.minutesBefore - b.minutesBefore || a.method.localeCompare(b.method));
}

export function comparableContent(data: EventData, options: ComparableOptions): ComparableContent {
  return {
    subject: text(data.subject),
    body: normalizeBody(data.body),
    timing: normalizeTiming(data.timing),
    location: text(data.location),
    attendees: options.attendees ? normalizeAttendees(data.attendees, options.responses === true) : null,
    reminders: normalizeReminders(data.reminders),
    recurrence: normalizeRecurrence(data.recurrence),
    showAs: data.showAs,
    sensitivity: data.sensitivity,
  };
}

/** JSON with object keys sorted, so equal content always serialises to equal text. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 (base64url, 22 chars are plenty to tell contents apart) of the comparable content. */
export function contentHash(data: EventData, options: ComparableOptions): string {
  return createHash('sha256').update(canonicalJson(comparableContent(data, options))).digest('base64url').slice(0, 22);
}

/** Whether two timings describe a different time (attendee responses are reset when they do). */
export function timingMoved(a: EventTiming, b: EventTiming): boolean {
  return canonicalJson({ ...normalizeTiming(a), zone: null }) !== canonicalJson({ ...normalizeTiming(b), zone: null });
}

/** The fields in which two contents differ under `options` (what the hashes compare). */
export function differingFields(a: EventData, b: EventData, options: ComparableOptions): Set<keyof ComparableContent> {
  const x = comparableContent(a, options);
  const y = comparableContent(b, options);
  return new Set((Object.keys(x) as (keyof ComparableContent)[]).filter((k) => canonicalJson(x[k]) !== canonicalJson(y[k])));
}
