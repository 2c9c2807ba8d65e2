import type { Attendee, EventBody, EventData, Reminder, ShowAs } from '../appointment.js';
import { providerKindOf, type AppointmentOrigin, type ProviderSlug } from '../model.js';
import { MAX_REMINDER_MINUTES, type TenantSettings } from '../tenant-settings.js';
import { normalizeBodyText } from './body-text.js';
import { contentHash, differingFields, type ComparableOptions } from './content.js';
import { htmlToText, isEmptyHtml, recordLinkHtml, recordLinkText, removeLinkFromHtml, removeLinkFromText, sanitizeHtmlBody } from './html-body.js';

/**
 * The two directions between the host's content and what a provider holds. Every rule of field
 * fidelity (docs/sync.md, "Fields") lives here, as pure functions, so that what is written outside
 * and what is read back are each other's inverse for every field that syncs:
 * `toHostContent(toProviderData(x)) ≈ x`, where ≈ is equality of `hostHash`.
 *
 * - `toProviderData`: host content → the event written outside (origin marker, record link,
 *   resources in the location, the provider's limits), with notices for what did not fit.
 * - `toHostContent`: an event → what the host receives (markers, link and resources taken out,
 *   reminders rounded to the host's offsets, attendees matched to host users).
 * - `mergeIntoHost`: an event changed outside → the appointment's new content; a field the event
 *   still holds as the hub wrote it keeps the host's own (richer) value.
 */
export interface ProjectionContext {
  settings: TenantSettings;
  provider: ProviderSlug;
  /** Lower-cased email → HostUser id of the tenant's users (attendee matching). */
  hostUserIdsByEmail: ReadonlyMap<string, string>;
  /** The linked account's address: its own organizer entry is not an attendee, its attendee entry is the owner. */
  accountEmail: string | null;
  /** The HostUser id of the link's owner. */
  ownerId: string | null;
}

/** What the host holds beyond `EventData` that influences what is written outside. */
export interface HostExtras {
  /** Rooms and resources booked in the host: written into the location outside. */
  resources: string[];
  /** The id in the tenant's record-link template. */
  hostRecordId: string | null;
  /** Where the appointment was made (decides its origin marker). */
  origin: AppointmentOrigin;
}

/** The extras of an event the hub imports (it has none of the host's yet). */
export const importedExtras = (ctx: Pick<ProjectionContext, 'provider'>): HostExtras => ({ resources: [], hostRecordId: null, origin: providerKindOf(ctx.provider) });

/** Something of the appointment that the provider could not hold as it is (raised as a WARNING sync issue). */
export type FieldNotice =
  | { code: 'REMINDERS_DROPPED'; kept: number[]; dropped: number[] }
  | { code: 'FIELD_TRUNCATED'; field: 'subject' | 'body'; limit: number; length: number };

export interface ProviderWrite {
  data: EventData;
  /** `KEEP`: the attendees of `data` are not written; an update leaves the event's attendees as they are. */
  attendees: 'WRITE' | 'KEEP';
  notices: FieldNotice[];
}

/** What a provider can hold (docs/sync.md, "Fields"). Lengths are UTF-16 code units, as both services count. */
export interface ProviderLimits {
  subjectChars: number | null;
  bodyChars: number | null;
  reminders: number;
  /** Outlook reminders are pop-ups only. */
  emailReminders: boolean;
  /** Google knows busy and free only (`transparency`). */
  showAs: 'ALL' | 'FREE_BUSY';
  /**
   * What `reminders: null` (the calendar's default) is written as. Google has a per-event "use
   * the calendar's default"; Outlook has none — an event without a reminder gets a 15-minute
   * pop-up on create and keeps its current one on update — so the hub writes Outlook's default
   * itself, and reads it back as "unchanged".
   */
  defaultReminder: Reminder | null;
}

export const PROVIDER_LIMITS: Record<ProviderSlug, ProviderLimits> = {
  'microsoft-graph': { subjectChars: 255, bodyChars: null, reminders: 1, emailReminders: false, showAs: 'ALL', defaultReminder: { minutesBefore: 15, method: 'POPUP' } },
  'google-calendar': { subjectChars: null, bodyChars: 8_192, reminders: 5, emailReminders: true, showAs: 'FREE_BUSY', defaultReminder: null },
};

/** Separator between the location and the resources written after it. */
export const LOCATION_SEPARATOR = '; ';

// -------------------------------------------------------------------------------------------------
// Subjects and origin markers

function markerOf(settings: TenantSettings, origin: AppointmentOrigin): string {
  const m = settings.titleMarkers;
  return (origin === 'HOST' ? m.host : origin === 'MICROSOFT' ? m.microsoft : m.google).trim();
}

/** Whether markers show outside (on items from elsewhere than this calendar) and in the host (on items from a calendar). */
function markerPlaces(ctx: ProjectionContext, origin: AppointmentOrigin): { outside: string | null; host: string | null } {
  const { enabled, placement } = ctx.settings.titleMarkers;
  const marker = markerOf(ctx.settings, origin);
  if (!enabled || marker === '') return { outside: null, host: null };
  return {
    outside: placement !== 'HOST' && origin !== providerKindOf(ctx.provider) ? marker : null,
    host: placement !== 'OUTSIDE' && origin !== 'HOST' ? marker : null,
  };
}

/** `[S] Title` — never doubled: a title that already starts with the marker is left as it is. */
export function addMarker(subject: string | null, marker: string | null): string | null {
  if (marker === null) return subject;
  const s = subject?.trim() ?? '';
  if (s === '') return marker;
  return s === marker || s.startsWith(`${marker} `) ? s : `${marker} ${s}`;
}

export function stripMarker(subject: string | null, marker: string | null): string | null {
  if (marker === null || subject === null) return subject;
  const s = subject.trim();
  if (s === marker) return null;
  return s.startsWith(`${marker} `) ? s.slice(marker.length + 1).trim() : subject;
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** The longest prefix of `text` of at most `max` UTF-16 units that does not split a character (emoji, combining marks). */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > max) break;
    out += segment;
  }
  return out;
}

const ELLIPSIS = '…';

// -------------------------------------------------------------------------------------------------
// Bodies and the record link

export function recordLinkUrl(settings: TenantSettings, hostRecordId: string | null): string | null {
  if (settings.recordLinkTemplate === null || hostRecordId === null || hostRecordId === '') return null;
  return settings.recordLinkTemplate.replaceAll('{hostRecordId}', encodeURIComponent(hostRecordId));
}

function bodyOutside(body: EventBody | null, link: string | null, ctx: ProjectionContext, notices: FieldNotice[]): EventBody | null {
  const label = ctx.settings.recordLinkLabel;
  const limit = PROVIDER_LIMITS[ctx.provider].bodyChars;
  let b = body;
  if (b !== null && limit !== null) {
    const linkLength = link === null ? 0 : (b.contentType === 'HTML' ? recordLinkHtml(link, label) : `\n\n${recordLinkText(link, label)}`).length;
    if (b.content.length + linkLength > limit) {
      // Cut as text: cutting markup could break it. The link is added after the cut, so it survives.
      const text = b.contentType === 'HTML' ? htmlToText(b.content) : b.content;
      const room = limit - (link === null ? 0 : `\n\n${recordLinkText(link, label)}`.length) - ELLIPSIS.length;
      notices.push({ code: 'FIELD_TRUNCATED', field: 'body', limit, length: b.content.length });
      b = { contentType: 'TEXT', content: `${cutText(text, Math.max(0, room))}${ELLIPSIS}` };
    }
  }
  if (link === null) return b;
  if (b === null) return { contentType: 'TEXT', content: recordLinkText(link, label) };
  return b.contentType === 'HTML'
    ? { contentType: 'HTML', content: `${b.content}${recordLinkHtml(link, label)}` }
    : { contentType: 'TEXT', content: `${b.content.replace(/\s+$/, '')}\n\n${recordLinkText(link, label)}` };
}

function bodyToHost(body: EventBody | null, link: string | null, ctx: ProjectionContext): EventBody | null {
  if (body === null) return null;
  let b: EventBody = body.contentType === 'HTML' ? { contentType: 'HTML', content: sanitizeHtmlBody(body.content) } : body;
  if (link !== null) {
    b =
      b.contentType === 'HTML'
        ? { contentType: 'HTML', content: removeLinkFromHtml(b.content, link, ctx.settings.recordLinkLabel).trim() }
        : { contentType: 'TEXT', content: removeLinkFromText(b.content, link) };
  }
  const empty = b.contentType === 'TEXT' ? normalizeBodyText(b) === '' : isEmptyHtml(b.content);
  return empty ? null : b;
}

// -------------------------------------------------------------------------------------------------
// Locations and resources

function locationOutside(location: string | null, resources: string[]): string | null {
  const own = location?.trim() ?? '';
  const segments = own === '' ? [] : own.split(LOCATION_SEPARATOR).map((s) => s.trim());
  const added = resources.map((r) => r.trim()).filter((r, i, all) => r !== '' && !segments.includes(r) && all.indexOf(r) === i);
  const parts = [...(own === '' ? [] : [own]), ...added];
  return parts.length > 0 ? parts.join(LOCATION_SEPARATOR) : null;
}

function locationToHost(location: string | null, resources: string[]): string | null {
  if (location === null || resources.length === 0) return location;
  const names = new Set(resources.map((r) => r.trim()));
  const segments = location.split(LOCATION_SEPARATOR);
  while (segments.length > 0 && names.has(segments.at(-1)!.trim())) segments.pop();
  const rest = segments.join(LOCATION_SEPARATOR).trim();
  return rest === '' ? null : rest;
}

// -------------------------------------------------------------------------------------------------
// Reminders

const byLeadTime = (a: Reminder, b: Reminder) => a.minutesBefore - b.minutesBefore || a.method.localeCompare(b.method);

function uniqueReminders(list: Reminder[]): Reminder[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const key = `${r.method}:${r.minutesBefore}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const clampMinutes = (m: number) => Math.min(MAX_REMINDER_MINUTES, Math.max(0, Math.round(m)));

/** Outlook: one pop-up, the earliest reminder (longest lead time). Google: up to five, the nearest ones. */
function remindersOutside(reminders: Reminder[] | null, ctx: ProjectionContext, notices: FieldNotice[]): Reminder[] | null {
  const limits = PROVIDER_LIMITS[ctx.provider];
  if (reminders === null) return limits.defaultReminder === null ? null : [limits.defaultReminder];
  const all = uniqueReminders(reminders.map((r) => ({ minutesBefore: clampMinutes(r.minutesBefore), method: limits.emailReminders ? r.method : 'POPUP' })));
  const ordered = limits.reminders === 1 ? [...all].sort((a, b) => b.minutesBefore - a.minutesBefore) : [...all].sort(byLeadTime);
  const kept = ordered.slice(0, limits.reminders).sort(byLeadTime);
  const dropped = ordered.slice(limits.reminders).filter((d) => !kept.some((k) => k.minutesBefore === d.minutesBefore));
  if (dropped.length > 0) notices.push({ code: 'REMINDERS_DROPPED', kept: kept.map((r) => r.minutesBefore), dropped: dropped.map((r) => r.minutesBefore).sort((a, b) => a - b) });
  return kept;
}

/** The supported offset nearest to `minutes` (a tie goes to the earlier reminder). */
export function roundReminder(minutes: number, supported: readonly number[]): number {
  if (supported.length === 0) return minutes;
  let best = supported[0]!;
  for (const s of supported) {
    const d = Math.abs(s - minutes);
    const bd = Math.abs(best - minutes);
    if (d < bd || (d === bd && s > best)) best = s;
  }
  return best;
}

function remindersToHost(reminders: Reminder[] | null, ctx: ProjectionContext): Reminder[] | null {
  if (reminders === null) return null;
  const supported = ctx.settings.hostProfile.reminderMinutes;
  return uniqueReminders(reminders.map((r) => ({ minutesBefore: roundReminder(clampMinutes(r.minutesBefore), supported), method: r.method }))).sort(byLeadTime);
}

// -------------------------------------------------------------------------------------------------
// Attendees

const emailKey = (email: string) => email.trim().toLowerCase();

function isAccount(a: Attendee, ctx: ProjectionContext): boolean {
  return ctx.accountEmail !== null && emailKey(a.email) === emailKey(ctx.accountEmail);
}

/** A meeting someone else organises (the user was invited): its attendee list is never written. */
export function isInvitation(attendees: Attendee[], ctx: ProjectionContext): boolean {
  return attendees.some((a) => a.response === 'ORGANIZER' && !isAccount(a, ctx));
}

/**
 * Who organises an appointment when it is not its owner (an invitation the owner attends): the
 * attendee with the answer ORGANIZER. The account's own organizer entry never reaches the host
 * (`toHostContent` drops it), so any other one is someone else's meeting. Null: the owner's own.
 */
export function organizerOf(attendees: Attendee[], ownerId: string): Attendee | null {
  return attendees.find((a) => a.response === 'ORGANIZER' && a.hostUserId !== ownerId) ?? null;
}

export function matchAttendees(attendees: Attendee[], ctx: Pick<ProjectionContext, 'hostUserIdsByEmail' | 'accountEmail' | 'ownerId'>): Attendee[] {
  const seen = new Set<string>();
  const out: Attendee[] = [];
  for (const a of attendees) {
    const key = emailKey(a.email);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    const own = ctx.accountEmail !== null && key === emailKey(ctx.accountEmail) ? ctx.ownerId : null;
    // Emails are held lower-cased on the host side, as the host's own input is.
    out.push({ ...a, email: key, hostUserId: own ?? ctx.hostUserIdsByEmail.get(key) ?? null });
  }
  return out;
}

function attendeesToHost(attendees: Attendee[], ctx: ProjectionContext): Attendee[] {
  // The account organising its own meeting is the appointment's owner, not one of its attendees.
  return matchAttendees(
    attendees.filter((a) => !(a.response === 'ORGANIZER' && isAccount(a, ctx))),
    ctx,
  );
}

/** The host's list with each attendee's answer (and match) as the calendar has it, plus the calendar's other attendees when `addOthers`. */
function withProviderAnswers(host: Attendee[], provider: Attendee[], addOthers: boolean): Attendee[] {
  const theirs = new Map(provider.map((a) => [emailKey(a.email), a]));
  const out = host.map((a) => {
    const p = theirs.get(emailKey(a.email));
    return p ? { ...a, response: p.response, hostUserId: a.hostUserId ?? p.hostUserId } : a;
  });
  if (!addOthers) return out;
  const mine = new Set(host.map((a) => emailKey(a.email)));
  return [...out, ...provider.filter((a) => !mine.has(emailKey(a.email)))];
}

// -------------------------------------------------------------------------------------------------
// The two directions

const showAsOutside = (showAs: ShowAs, ctx: ProjectionContext): ShowAs => (PROVIDER_LIMITS[ctx.provider].showAs === 'ALL' || showAs === 'FREE' ? showAs : 'BUSY');

/** Host content → the event written to the provider, with notices for what the provider cannot hold. */
export function toProviderData(content: EventData, extras: HostExtras, ctx: ProjectionContext): ProviderWrite {
  const notices: FieldNotice[] = [];
  const markers = markerPlaces(ctx, extras.origin);
  let subject = addMarker(stripMarker(content.subject, markers.host), markers.outside);
  const subjectLimit = PROVIDER_LIMITS[ctx.provider].subjectChars;
  if (subject !== null && subjectLimit !== null && subject.length > subjectLimit) {
    notices.push({ code: 'FIELD_TRUNCATED', field: 'subject', limit: subjectLimit, length: subject.length });
    subject = `${cutText(subject, subjectLimit - ELLIPSIS.length)}${ELLIPSIS}`;
  }
  const write = ctx.settings.writeAttendees && !isInvitation(content.attendees, ctx);
  const data: EventData = {
    ...content,
    subject,
    body: bodyOutside(content.body, recordLinkUrl(ctx.settings, extras.hostRecordId), ctx, notices),
    location: locationOutside(content.location, extras.resources),
    // The organizer is the calendar's to set; host user ids never leave the hub.
    attendees: write ? content.attendees.filter((a) => a.response !== 'ORGANIZER').map((a) => ({ ...a, hostUserId: null })) : [],
    reminders: remindersOutside(content.reminders, ctx, notices),
    showAs: showAsOutside(content.showAs, ctx),
  };
  return { data, attendees: write ? 'WRITE' : 'KEEP', notices };
}

/** A provider event → host content. `extras`: the appointment's, when the event belongs to one. */
export function toHostContent(providerData: EventData, ctx: ProjectionContext, extras: HostExtras = importedExtras(ctx)): EventData {
  const markers = markerPlaces(ctx, extras.origin);
  return {
    ...providerData,
    subject: addMarker(stripMarker(providerData.subject, markers.outside), markers.host),
    body: bodyToHost(providerData.body, recordLinkUrl(ctx.settings, extras.hostRecordId), ctx),
    location: locationToHost(providerData.location, extras.resources),
    attendees: attendeesToHost(providerData.attendees, ctx),
    reminders: remindersToHost(providerData.reminders, ctx),
  };
}

/** What the host would read back of its own content after writing it: the normal form `hostHash` is taken of. */
export function roundTrip(content: EventData, extras: HostExtras, ctx: ProjectionContext): EventData {
  const write = toProviderData(content, extras, ctx);
  const back = toHostContent(write.data, ctx, extras);
  // Attendees left as they are outside read back as the host's own (they came from it or are not compared).
  return write.attendees === 'KEEP' ? { ...back, attendees: content.attendees } : back;
}

/**
 * The appointment's content after its event changed outside. Each field the event holds as the hub
 * would have written it keeps the host's value (a subject cut for Outlook keeps its full text, an
 * e-mail reminder Outlook holds as a pop-up stays an e-mail reminder); the others take the event's.
 * Attendees: with `writeAttendees` they follow the same rule, answers always come from the calendar;
 * without it the list is the calendar's for items made there, and the host's plus the calendar's
 * additions for items made in the host.
 */
export function mergeIntoHost(current: EventData, extras: HostExtras, providerData: EventData, ctx: ProjectionContext): EventData {
  const written = roundTrip(current, extras, ctx);
  const incoming = toHostContent(providerData, ctx, extras);
  const changed = differingFields(written, incoming, { attendees: true });
  const pick = <K extends keyof EventData>(k: K): EventData[K] => (changed.has(k as Parameters<typeof changed.has>[0]) ? incoming[k] : current[k]);
  let attendees: Attendee[];
  if (ctx.settings.writeAttendees) attendees = changed.has('attendees') ? incoming.attendees : withProviderAnswers(current.attendees, incoming.attendees, false);
  else attendees = extras.origin === 'HOST' ? withProviderAnswers(current.attendees, incoming.attendees, true) : incoming.attendees;
  return {
    subject: pick('subject'),
    body: pick('body'),
    timing: pick('timing'),
    location: pick('location'),
    attendees,
    reminders: pick('reminders'),
    recurrence: pick('recurrence'),
    showAs: pick('showAs'),
    sensitivity: pick('sensitivity'),
  };
}

// -------------------------------------------------------------------------------------------------
// Hashes

/** What the host side is compared on: attendees only when they are written outside. */
export function comparableOptions(ctx: ProjectionContext): ComparableOptions {
  return { attendees: ctx.settings.writeAttendees };
}

/** The hash of the host's side of a pair: of its content as it would read back after a write. */
export function hostHash(content: EventData, extras: HostExtras, ctx: ProjectionContext): string {
  return contentHash(roundTrip(content, extras, ctx), comparableOptions(ctx));
}

/**
 * The hash of the provider's side of a pair, as the host would receive it. It tells whether the
 * event changed, so it covers its attendees and their answers too (they reach the host).
 */
export function providerHash(providerData: EventData, extras: HostExtras, ctx: ProjectionContext): string {
  return contentHash(toHostContent(providerData, ctx, extras), { attendees: true, responses: true });
}

/** Whether the event holds what the hub would write for the appointment (an adopted event, an edit made on both sides). */
export function sameContent(content: EventData, extras: HostExtras, providerData: EventData, ctx: ProjectionContext): boolean {
  return hostHash(content, extras, ctx) === contentHash(toHostContent(providerData, ctx, extras), comparableOptions(ctx));
}
