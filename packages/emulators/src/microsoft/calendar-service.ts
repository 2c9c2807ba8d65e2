import { createHash, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { EmulatorClock } from '../core/clock.js';
import { EventIndex } from './event-index.js';
import { parseEventInput, wrapHtml } from './event-input.js';
import { accessDenied, GraphError, idMalformed, itemNotFound } from './graph-errors.js';
import { formatLocal, isoDate, parseLocal, resolveZone, type DateTimeTimeZone } from './graph-time.js';
import type { MicrosoftEmulatorSettings } from './microsoft-settings.js';
import type { AccountRecord, CalendarRecord, EventProps, EventRecord, ExceptionRecord, MicrosoftState } from './microsoft-state.js';
import { expandRecurrenceDates, sameRecurrence, type PatternedRecurrence } from './recurrence-expander.js';

/**
 * Calendars and events of every mailbox, with the side effects Exchange has: a new changeKey on
 * every change, a change-log entry per mutation (delta rounds replay it), and a change event for
 * subscriptions. The Graph routes, the control API and the sandbox page all go through here, so
 * "the other side" changes sync exactly like API changes.
 */

export type InstanceKind = 'singleInstance' | 'seriesMaster' | 'occurrence' | 'exception';

/** An event as Graph shows it: a single event, a series master, or one occurrence/exception of a series. */
export interface EventInstance {
  kind: InstanceKind;
  id: string;
  master: EventRecord;
  /** Effective properties (master + exception overrides). */
  props: EventProps;
  originalStart: number | null;
  changeKey: string;
  createdAt: number;
  lastModifiedAt: number;
  startMs: number;
  endMs: number;
  singleValueExtendedProperties: { id: string; value: string }[];
}

export interface EventChange {
  accountId: string;
  calendarId: string;
  /** Id of the item that changed (an exception's or occurrence's own id for occurrence edits). */
  itemId: string;
  changeType: 'created' | 'updated' | 'deleted';
  changeKey: string | null;
}

const MASTER_ID_RE = /^AAMk[A-Za-z0-9_-]+=$/;
const CALENDAR_ID_RE = /^AQMk[A-Za-z0-9_-]+=$/;

export const newEventId = () => `AAMkAGI2${randomBytes(30).toString('base64url')}AAA=`;
export const newCalendarId = () => `AQMkADAw${randomBytes(24).toString('base64url')}AAA=`;
export const newChangeKey = () => `DwAAABYAAA${randomBytes(18).toString('base64')}`;

/**
 * Occurrence and exception ids are opaque like Graph's: `AAMkAGI2` and the URL-safe base64 (padding
 * `=` only at the end) of a masked record of the master id and the original start, which only the
 * emulator decodes. The same occurrence always gets the same id.
 */
const OCCURRENCE_ID_PREFIX = 'AAMkAGI2';
const OCCURRENCE_MARKER = 0x4f;
const OCCURRENCE_MASK = createHash('sha256').update('graph-emulator occurrence id').digest();
const mask = (bytes: Buffer): Buffer => Buffer.from(bytes.map((b, i) => b ^ OCCURRENCE_MASK[i % OCCURRENCE_MASK.length]!));

export function occurrenceId(masterId: string, originalStart: number): string {
  const start = Buffer.alloc(8);
  start.writeBigInt64BE(BigInt(originalStart));
  const plain = Buffer.concat([Buffer.from([OCCURRENCE_MARKER]), start, Buffer.from(masterId, 'latin1')]);
  return `${OCCURRENCE_ID_PREFIX}${mask(plain).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')}`;
}

function decodeOccurrenceId(id: string): { masterId: string; originalStart: number } | null {
  const body = id.slice(OCCURRENCE_ID_PREFIX.length);
  if (!id.startsWith(OCCURRENCE_ID_PREFIX) || !/^[A-Za-z0-9_-]+={0,2}$/.test(body)) return null;
  const plain = mask(Buffer.from(body, 'base64url'));
  if (plain.length < 10 || plain[0] !== OCCURRENCE_MARKER) return null;
  const masterId = plain.subarray(9).toString('latin1');
  const originalStart = Number(plain.readBigInt64BE(1));
  return MASTER_ID_RE.test(masterId) && Number.isSafeInteger(originalStart) ? { masterId, originalStart } : null;
}

/** The master id and, for an occurrence or exception id, its original start. Throws ErrorInvalidIdMalformed. */
export function parseEventId(id: string): { masterId: string; originalStart: number | null } {
  const occurrence = decodeOccurrenceId(id);
  if (occurrence) return occurrence;
  if (!MASTER_ID_RE.test(id)) throw idMalformed();
  return { masterId: id, originalStart: null };
}

export function assertCalendarId(id: string): void {
  if (!CALENDAR_ID_RE.test(id)) throw idMalformed();
}

function instant(dtz: DateTimeTimeZone): DateTime {
  const zone = resolveZone(dtz.timeZone) ?? 'UTC';
  return parseLocal(dtz.dateTime, zone) ?? DateTime.invalid('unparseable');
}

const clone = <T>(v: T): T => structuredClone(v);

const DEFAULT_PROPS = (): Omit<EventProps, 'start' | 'end'> => ({
  subject: '',
  body: { contentType: 'html', content: wrapHtml('') },
  isAllDay: false,
  location: { displayName: '', locationType: 'default', uniqueIdType: 'unknown' },
  locations: [],
  attendees: [],
  reminderMinutesBeforeStart: 15,
  isReminderOn: true,
  categories: [],
  showAs: 'busy',
  sensitivity: 'normal',
  importance: 'normal',
  isOnlineMeeting: false,
  onlineMeetingProvider: 'unknown',
  allowNewTimeProposals: true,
  hideAttendees: false,
  responseRequested: true,
});

const PROP_KEYS = Object.keys({ ...DEFAULT_PROPS(), start: 0, end: 0 }) as (keyof EventProps)[];

export class CalendarService {
  private listeners: ((c: EventChange) => void)[] = [];
  private readonly index: EventIndex;

  constructor(
    private readonly state: MicrosoftState,
    private readonly deps: { clock: EmulatorClock; settings: MicrosoftEmulatorSettings; changed: () => void },
  ) {
    this.index = new EventIndex(state.events);
  }

  onChange(listener: (c: EventChange) => void): void {
    this.listeners.push(listener);
  }

  private now(): number {
    return this.deps.clock.now();
  }

  account(accountId: string): AccountRecord {
    const a = this.state.accounts[accountId];
    if (!a) throw itemNotFound();
    return a;
  }

  calendars(accountId: string): CalendarRecord[] {
    return Object.values(this.state.calendars)
      .filter((c) => c.accountId === accountId)
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  }

  defaultCalendar(accountId: string): CalendarRecord {
    const c = this.calendars(accountId).find((x) => x.isDefault);
    if (!c) throw itemNotFound();
    return c;
  }

  /** `calendarId` null = the default calendar. Foreign or unknown ids → ErrorItemNotFound. */
  calendar(accountId: string, calendarId: string | null): CalendarRecord {
    if (calendarId === null) return this.defaultCalendar(accountId);
    assertCalendarId(calendarId);
    const c = this.state.calendars[calendarId];
    if (!c || c.accountId !== accountId) throw itemNotFound();
    return c;
  }

  createCalendar(accountId: string, input: { name: string; isDefault?: boolean; canEdit?: boolean; color?: string; hexColor?: string }): CalendarRecord {
    this.account(accountId);
    if (typeof input.name !== 'string' || input.name.trim() === '') throw new GraphError(400, 'ErrorInvalidRequest', 'The calendar name is required.');
    if (this.calendars(accountId).some((c) => c.name.toLowerCase() === input.name.trim().toLowerCase())) {
      throw new GraphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
    }
    const cal: CalendarRecord = {
      id: newCalendarId(),
      accountId,
      name: input.name.trim(),
      color: input.color ?? 'auto',
      hexColor: input.hexColor ?? '',
      isDefault: input.isDefault ?? false,
      canEdit: input.canEdit ?? true,
      isRemovable: !(input.isDefault ?? false) && (input.canEdit ?? true),
      changeKey: newChangeKey(),
    };
    this.state.calendars[cal.id] = cal;
    this.state.changeLogs[accountId] ??= { seq: 0, floor: 0, entries: [] };
    this.deps.changed();
    return cal;
  }

  private writable(cal: CalendarRecord): void {
    if (!cal.canEdit) throw accessDenied('Access is denied. Check credentials and try again.');
  }

  /** The stored event (single or master) behind an id of this mailbox. */
  private record(accountId: string, masterId: string): EventRecord {
    const e = this.state.events[masterId];
    if (!e || e.accountId !== accountId) throw itemNotFound();
    return e;
  }

  /** Every write ends here: the change log gets the entry and the index the event as it is now. */
  private log(accountId: string, calendarId: string, eventId: string, before: EventRecord | null): void {
    const current = this.state.events[eventId];
    if (current) this.index.put(current);
    else this.index.remove(eventId);
    const log = (this.state.changeLogs[accountId] ??= { seq: 0, floor: 0, entries: [] });
    log.seq += 1;
    log.entries.push({ seq: log.seq, calendarId, eventId, before: before ? clone(before) : null });
    const limit = Math.max(1, this.deps.settings.deltaLogLimit);
    while (log.entries.length > limit) log.floor = log.entries.shift()!.seq;
  }

  private emit(change: EventChange): void {
    this.deps.changed();
    for (const l of this.listeners) l(change);
  }

  currentSeq(accountId: string): number {
    return this.state.changeLogs[accountId]?.seq ?? 0;
  }

  /** Creates an event; with a known `transactionId` (and dedup on) returns the original instead. */
  createEvent(accountId: string, calendarId: string | null, raw: unknown): { instance: EventInstance; created: boolean } {
    const cal = this.calendar(accountId, calendarId);
    this.writable(cal);
    const input = parseEventInput(raw, { forCreate: true });
    if (input.transactionId && this.deps.settings.transactionIdDedup) {
      const existing = this.index.withTransactionId(accountId, input.transactionId);
      if (existing) return { instance: this.masterInstance(existing), created: false };
    }
    this.account(accountId);
    const now = this.now();
    const props = { ...DEFAULT_PROPS(), ...input.props } as EventProps;
    const event: EventRecord = {
      ...props,
      id: newEventId(),
      accountId,
      calendarId: cal.id,
      type: input.recurrence ? 'seriesMaster' : 'singleInstance',
      recurrence: input.recurrence ?? null,
      transactionId: input.transactionId ?? null,
      iCalUId: `040000008200E00074C5B7101A82E008000000${randomBytes(20).toString('hex').toUpperCase()}`,
      changeKey: newChangeKey(),
      createdAt: now,
      lastModifiedAt: now,
      extensions: input.extensions ?? [],
      singleValueExtendedProperties: input.singleValueExtendedProperties ?? [],
      exceptions: {},
      cancelled: [],
    };
    this.state.events[event.id] = event;
    this.log(accountId, cal.id, event.id, null);
    this.emit({ accountId, calendarId: cal.id, itemId: event.id, changeType: 'created', changeKey: event.changeKey });
    return { instance: this.masterInstance(event), created: true };
  }

  private checkIfMatch(changeKey: string, ifMatch: string | undefined): void {
    if (!ifMatch || ifMatch.trim() === '*') return;
    const values = ifMatch.split(',').map((v) => v.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
    if (!values.includes(changeKey)) throw new GraphError(412, 'ErrorIrresolvableConflict', 'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.');
  }

  /** PATCH: a single event or master changes in place; an occurrence becomes an exception. */
  updateEvent(accountId: string, id: string, raw: unknown, ifMatch?: string): EventInstance {
    const { masterId, originalStart } = parseEventId(id);
    const event = this.record(accountId, masterId);
    this.writable(this.calendar(accountId, event.calendarId));
    const before = clone(event);
    const now = this.now();
    if (originalStart !== null) {
      const inst = this.occurrence(event, originalStart);
      if (!inst) throw itemNotFound();
      this.checkIfMatch(inst.changeKey, ifMatch);
      const input = parseEventInput(raw, { forCreate: false, current: inst.props, occurrence: true });
      const key = String(originalStart);
      const existing = event.exceptions[key];
      const exception: ExceptionRecord = existing ?? { props: {}, changeKey: '', createdAt: now, lastModifiedAt: now, singleValueExtendedProperties: [] };
      exception.props = { ...exception.props, ...input.props };
      exception.changeKey = newChangeKey();
      exception.lastModifiedAt = now;
      if (input.singleValueExtendedProperties) exception.singleValueExtendedProperties = mergeExtended(exception.singleValueExtendedProperties, input.singleValueExtendedProperties);
      event.exceptions[key] = exception;
      event.changeKey = newChangeKey();
      event.lastModifiedAt = now;
      this.log(accountId, event.calendarId, event.id, before);
      this.emit({ accountId, calendarId: event.calendarId, itemId: id, changeType: 'updated', changeKey: exception.changeKey });
      return this.occurrence(event, originalStart)!;
    }
    this.checkIfMatch(event.changeKey, ifMatch);
    const input = parseEventInput(raw, { forCreate: false, current: event });
    if (input.transactionId !== undefined && input.transactionId !== event.transactionId) {
      throw new GraphError(400, 'ErrorInvalidRequest', 'The transactionId of an event cannot be changed.');
    }
    Object.assign(event, input.props);
    if (input.recurrence !== undefined) {
      event.recurrence = input.recurrence;
      event.type = input.recurrence ? 'seriesMaster' : 'singleInstance';
    } else if (event.recurrence && (input.props.start || input.props.isAllDay !== undefined)) {
      // Moving a series moves its range with it (range.startDate must equal the start date).
      const s = instant(event.start);
      event.recurrence = { ...event.recurrence, range: { ...event.recurrence.range, startDate: isoDate(s) } };
      if (event.recurrence.range.type === 'endDate' && event.recurrence.range.endDate < event.recurrence.range.startDate) {
        event.recurrence.range.endDate = event.recurrence.range.startDate;
      }
    }
    if (input.singleValueExtendedProperties) event.singleValueExtendedProperties = mergeExtended(event.singleValueExtendedProperties, input.singleValueExtendedProperties);
    const seriesChanged =
      before.type === 'seriesMaster' &&
      (!sameRecurrence(before.recurrence, event.recurrence) || before.start.dateTime !== event.start.dateTime || before.start.timeZone !== event.start.timeZone || before.end.dateTime !== event.end.dateTime);
    if (seriesChanged && this.deps.settings.dropExceptionsOnSeriesChange) {
      event.exceptions = {};
      event.cancelled = [];
    }
    if (event.type === 'singleInstance') {
      event.exceptions = {};
      event.cancelled = [];
    }
    event.changeKey = newChangeKey();
    event.lastModifiedAt = now;
    this.log(accountId, event.calendarId, event.id, before);
    this.emit({ accountId, calendarId: event.calendarId, itemId: event.id, changeType: 'updated', changeKey: event.changeKey });
    return this.masterInstance(event);
  }

  /** DELETE: a single event or a whole series goes; an occurrence is cancelled (https://learn.microsoft.com/graph/api/event-delete). */
  deleteEvent(accountId: string, id: string, ifMatch?: string): void {
    const { masterId, originalStart } = parseEventId(id);
    const event = this.record(accountId, masterId);
    this.writable(this.calendar(accountId, event.calendarId));
    const before = clone(event);
    if (originalStart !== null) {
      const inst = this.occurrence(event, originalStart);
      if (!inst) throw itemNotFound();
      this.checkIfMatch(inst.changeKey, ifMatch);
      delete event.exceptions[String(originalStart)];
      event.cancelled.push(originalStart);
      event.changeKey = newChangeKey();
      event.lastModifiedAt = this.now();
      this.log(accountId, event.calendarId, event.id, before);
      this.emit({ accountId, calendarId: event.calendarId, itemId: id, changeType: 'deleted', changeKey: null });
      return;
    }
    this.checkIfMatch(event.changeKey, ifMatch);
    delete this.state.events[event.id];
    this.log(accountId, event.calendarId, event.id, before);
    this.emit({ accountId, calendarId: event.calendarId, itemId: event.id, changeType: 'deleted', changeKey: null });
  }

  /** Touches an event without changing properties (extension writes): new changeKey, logged, notified. */
  touch(accountId: string, id: string, mutate: (e: EventRecord) => void): EventInstance {
    const { masterId, originalStart } = parseEventId(id);
    if (originalStart !== null) throw new GraphError(400, 'ErrorInvalidRequest', 'Extensions can be added to single events and series masters only.');
    const event = this.record(accountId, masterId);
    this.writable(this.calendar(accountId, event.calendarId));
    const before = clone(event);
    mutate(event);
    event.changeKey = newChangeKey();
    event.lastModifiedAt = this.now();
    this.log(accountId, event.calendarId, event.id, before);
    this.emit({ accountId, calendarId: event.calendarId, itemId: event.id, changeType: 'updated', changeKey: event.changeKey });
    return this.masterInstance(event);
  }

  /** GET by id: single events, masters, occurrences and exceptions. */
  getInstance(accountId: string, id: string): EventInstance {
    const { masterId, originalStart } = parseEventId(id);
    const event = this.record(accountId, masterId);
    if (originalStart === null) return this.masterInstance(event);
    const inst = this.occurrence(event, originalStart);
    if (!inst) throw itemNotFound();
    return inst;
  }

  getRecord(accountId: string, id: string): EventRecord {
    const { masterId, originalStart } = parseEventId(id);
    if (originalStart !== null) throw new GraphError(400, 'ErrorInvalidRequest', 'The operation is not supported on an occurrence.');
    return this.record(accountId, masterId);
  }

  /**
   * `/events`: single events and series masters only (https://learn.microsoft.com/graph/api/user-list-events).
   * With `propertyValue`, only those with an extended property of that value (ignoring case) — a
   * superset the caller's filter narrows.
   */
  listMasters(accountId: string, calendarId: string | null, propertyValue: string | null = null): EventInstance[] {
    const cal = this.calendar(accountId, calendarId);
    const events = propertyValue === null ? this.index.inCalendar(cal.id) : this.index.withPropertyValue(cal.id, propertyValue);
    return [...events].map((e) => this.masterInstance(e));
  }

  /** calendarView semantics: instances (never masters) overlapping [from, to). */
  instancesInWindow(accountId: string, calendarId: string | null, from: number, to: number): EventInstance[] {
    const cal = this.calendar(accountId, calendarId);
    const out: EventInstance[] = [];
    for (const e of this.index.inCalendar(cal.id)) out.push(...instancesOf(e, from, to, this.deps.settings.clampDayOfMonth));
    return out;
  }

  seriesInstances(accountId: string, id: string, from: number, to: number): EventInstance[] {
    const { masterId, originalStart } = parseEventId(id);
    if (originalStart !== null) throw new GraphError(400, 'ErrorInvalidRequest', 'The id of a series master is expected.');
    const event = this.record(accountId, masterId);
    if (event.type !== 'seriesMaster') return [];
    return instancesOf(event, from, to, this.deps.settings.clampDayOfMonth);
  }

  masterInstance(e: EventRecord): EventInstance {
    return wholeEventInstance(e, e.type);
  }

  /** The occurrence of `event` that originally started at `originalStart`, if the series has one there. */
  occurrence(event: EventRecord, originalStart: number): EventInstance | null {
    if (event.type !== 'seriesMaster' || !event.recurrence) return null;
    if (event.cancelled.includes(originalStart)) return null;
    const found = instancesOf(event, originalStart - 1, originalStart + 1, this.deps.settings.clampDayOfMonth, true).find((i) => i.originalStart === originalStart);
    return found ?? null;
  }
}

/** A stored event seen as one instance (a single event, or a series master as itself). */
function wholeEventInstance(e: EventRecord, kind: EventInstance['kind']): EventInstance {
  return {
    kind,
    id: e.id,
    master: e,
    props: pickProps(e),
    originalStart: null,
    changeKey: e.changeKey,
    createdAt: e.createdAt,
    lastModifiedAt: e.lastModifiedAt,
    startMs: instant(e.start).toMillis(),
    endMs: instant(e.end).toMillis(),
    singleValueExtendedProperties: e.singleValueExtendedProperties,
  };
}

function pickProps(source: EventProps): EventProps {
  const out = {} as Record<string, unknown>;
  for (const k of PROP_KEYS) out[k] = (source as unknown as Record<string, unknown>)[k];
  return out as unknown as EventProps;
}

function mergeExtended(current: { id: string; value: string }[], incoming: { id: string; value: string }[]): { id: string; value: string }[] {
  const out = [...current];
  for (const p of incoming) {
    const i = out.findIndex((c) => c.id.toLowerCase() === p.id.toLowerCase());
    if (i >= 0) out[i] = p;
    else out.push(p);
  }
  return out;
}

/** The zone a series' dates are counted in: the range's recurrenceTimeZone, else the start's zone (all-day series: the start's). */
function recurrenceZone(e: EventRecord, rec: PatternedRecurrence): string {
  const startZone = resolveZone(e.start.timeZone) ?? 'UTC';
  return e.isAllDay ? startZone : (resolveZone(rec.range.recurrenceTimeZone) ?? startZone);
}

/**
 * A series master's `cancelledOccurrences`: `OID.{seriesMasterId}.{yyyy-MM-dd}` per cancelled
 * occurrence, dated in the series' recurrence time zone; empty for anything else.
 */
export function cancelledOccurrences(e: EventRecord): string[] {
  if (e.type !== 'seriesMaster' || !e.recurrence) return [];
  const zone = recurrenceZone(e, e.recurrence);
  return [...e.cancelled].sort((a, b) => a - b).map((ms) => `OID.${e.id}.${DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd')}`);
}

/**
 * The instances of one stored event overlapping [from, to): the event itself when single, the
 * occurrences and exceptions when a series (masters never). With `byOriginalStart`, occurrences
 * are matched on their original start instead of their effective times (lookup by id).
 */
export function instancesOf(e: EventRecord, from: number, to: number, clamp: boolean, byOriginalStart = false): EventInstance[] {
  const overlaps = (s: number, end: number) => (end > s ? s < to && end > from : s >= from && s < to);
  if (e.type !== 'seriesMaster' || !e.recurrence) {
    const whole = wholeEventInstance(e, 'singleInstance');
    return overlaps(whole.startMs, whole.endMs) ? [whole] : [];
  }
  const rec = e.recurrence;
  const startZone = resolveZone(e.start.timeZone) ?? 'UTC';
  const recZone = recurrenceZone(e, rec);
  const masterStart = instant(e.start).setZone(recZone);
  const masterEnd = instant(e.end);
  const durationMs = masterEnd.toMillis() - masterStart.toMillis();
  const allDayDays = e.isAllDay ? Math.round(masterEnd.setZone(startZone).startOf('day').diff(masterStart.startOf('day'), 'days').days) : 0;
  // Expand a little past the window's end (in the recurrence zone) so late-evening local starts are included.
  const until = DateTime.fromMillis(to, { zone: recZone }).plus({ days: 1 }).toFormat('yyyy-LL-dd');
  const out: EventInstance[] = [];
  const seen = new Set<number>();
  const cancelled = new Set(e.cancelled);

  const build = (originalStart: number, occStart: DateTime): EventInstance | null => {
    const exception = e.exceptions[String(originalStart)];
    const base = pickProps(e);
    const occEnd = e.isAllDay ? occStart.plus({ days: allDayDays }) : occStart.plus({ milliseconds: durationMs });
    base.start = { dateTime: formatLocal(occStart.setZone(startZone)), timeZone: e.start.timeZone };
    base.end = { dateTime: formatLocal(e.isAllDay ? occEnd : occEnd.setZone(resolveZone(e.end.timeZone) ?? 'UTC')), timeZone: e.end.timeZone };
    const props = exception ? { ...base, ...exception.props } : base;
    const s = exception ? instant(props.start).toMillis() : occStart.toMillis();
    const end = exception ? instant(props.end).toMillis() : occEnd.toMillis();
    const matches = byOriginalStart ? originalStart >= from && originalStart < to : overlaps(s, end);
    if (!matches) return null;
    return {
      kind: exception ? 'exception' : 'occurrence',
      id: occurrenceId(e.id, originalStart),
      master: e,
      props,
      originalStart,
      changeKey: exception ? exception.changeKey : e.changeKey,
      createdAt: exception ? exception.createdAt : e.createdAt,
      lastModifiedAt: exception ? exception.lastModifiedAt : e.lastModifiedAt,
      startMs: s,
      endMs: end,
      singleValueExtendedProperties: exception ? exception.singleValueExtendedProperties : e.singleValueExtendedProperties,
    };
  };

  for (const date of expandRecurrenceDates(rec, { clampDayOfMonth: clamp, until })) {
    const occStart = DateTime.fromISO(date, { zone: recZone }).set({
      hour: masterStart.hour,
      minute: masterStart.minute,
      second: masterStart.second,
      millisecond: masterStart.millisecond,
    });
    const originalStart = occStart.toMillis();
    seen.add(originalStart);
    if (cancelled.has(originalStart)) continue;
    if (!byOriginalStart && originalStart - Math.max(durationMs, 0) - 86_400_000 * (allDayDays + 1) > to) continue;
    const inst = build(originalStart, occStart);
    if (inst) out.push(inst);
  }
  // Exceptions moved into the window from an original date beyond the expansion horizon.
  for (const key of Object.keys(e.exceptions)) {
    const originalStart = Number(key);
    if (seen.has(originalStart) || cancelled.has(originalStart)) continue;
    const inst = build(originalStart, DateTime.fromMillis(originalStart, { zone: recZone }));
    if (inst) out.push(inst);
  }
  return out;
}

