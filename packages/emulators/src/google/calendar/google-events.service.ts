import { createHash } from 'node:crypto';
import { firstPast, KeptResults } from '../../core/kept-results.js';
import { CalendarApiError, calendarErrors } from '../google-api.errors.js';
import { newEtag, newEventId, type GoogleContext } from '../google-context.js';
import { listKey, type CalendarListEntryRecord, type CalendarRecord, type EventBody, type EventDateTime, type StoredEvent } from '../google-state.js';
import { occurrenceKey, type Occurrence } from '../recurrence/recurrence-set.js';
import {
  EVENT_ID,
  mergePatch,
  normalizeEventBody,
  recurrenceOf,
  renderCancelled,
  renderEvent,
  sameTime,
  stableJson,
  withoutReminders,
  type RenderOptions,
} from './event-body.js';
import { CalendarEventIndex } from './event-index.js';
import { FORBIDDEN_WITH_SYNC_TOKEN, parseEventListQuery, type EventListQuery } from './event-list-query.js';
import { formatDay, instanceSuffix, instantOf, isoUtc, parseDateOnly } from './event-time.js';
import { decodePageToken, decodeSyncToken, encodePageToken, encodeSyncToken } from './list-tokens.js';

/**
 * Calendar v3 events: the one code path for every read and write, whether it comes from the API,
 * a batch part, the control API or the sandbox page — so etags, `updated`, sync tokens and push
 * notifications behave the same for "the other side" as for the hub (docs/providers.md#google-event-ids
 * and the Google sections after it).
 */

type Json = Record<string, unknown>;

export interface ResolvedCalendar {
  calendar: CalendarRecord;
  entry: CalendarListEntryRecord;
}

/** An event as found by id: stored (single, master, exception) or an unmodified instance of a series. */
type Located =
  | { kind: 'stored'; ev: StoredEvent; master: StoredEvent | null }
  | { kind: 'instance'; ev: StoredEvent; master: StoredEvent };

interface ListItem {
  ev: StoredEvent;
  startMs: number;
  endMs: number;
  cancelled: boolean;
}

export interface WriteOptions {
  ifMatch?: string;
  timeZone?: string;
}

const ITERATION_LIMIT = 200_000;

export class GoogleEventsService {
  private readonly indexes = new WeakMap<CalendarRecord, CalendarEventIndex>();
  /** events.list results, sorted for paging, kept while nothing changes (a page is then a binary search and a slice). */
  private readonly listings = new KeptResults<Keyed[]>(8);

  constructor(private readonly ctx: GoogleContext) {}

  private index(calendar: CalendarRecord): CalendarEventIndex {
    let index = this.indexes.get(calendar);
    if (!index) this.indexes.set(calendar, (index = new CalendarEventIndex(calendar)));
    return index;
  }

  private get state() {
    return this.ctx.state;
  }

  resolveCalendar(accountId: string, calendarParam: string): ResolvedCalendar {
    const account = this.state.accounts[accountId];
    if (!account) throw calendarErrors.notFound();
    const id = calendarParam === 'primary' ? account.email : calendarParam;
    const entry = this.state.calendarList[listKey(accountId, id)];
    const calendar = this.state.calendars[id];
    if (!entry || entry.deleted || !calendar) throw calendarErrors.notFound();
    return { calendar, entry };
  }

  private writable(accountId: string, calendarParam: string): ResolvedCalendar {
    const r = this.resolveCalendar(accountId, calendarParam);
    if (r.entry.accessRole !== 'owner' && r.entry.accessRole !== 'writer') throw calendarErrors.requiredAccessLevel();
    return r;
  }

  private account(accountId: string) {
    const a = this.state.accounts[accountId];
    if (!a) throw calendarErrors.notFound();
    return a;
  }

  private renderOpts(calendar: CalendarRecord, timeZone?: string, maxAttendees?: number): RenderOptions {
    return { zone: timeZone ?? calendar.timeZone, origin: this.ctx.origin, ...(maxAttendees !== undefined ? { maxAttendees } : {}) };
  }

  private touch(calendar: CalendarRecord, ev: StoredEvent, bumpUpdated = true): void {
    ev.changeSeq = this.ctx.nextSeq();
    this.indexes.get(calendar)?.touched(ev);
    ev.etag = newEtag(this.ctx);
    if (bumpUpdated) ev.updated = this.ctx.now();
    calendar.updated = this.ctx.now();
  }

  private committed(calendar: CalendarRecord): void {
    this.ctx.calendarChanged(calendar.id);
    this.ctx.changed();
  }


  private includeUnmatchedStart(): boolean {
    return this.state.settings.includeUnmatchedStart;
  }

  private durationOf(master: EventBody): { days: number; ms: number } {
    if (master.start?.date && master.end?.date) return { days: (parseDateOnly(master.end.date) ?? 0) - (parseDateOnly(master.start.date) ?? 0), ms: 0 };
    return { days: 0, ms: Date.parse(master.end?.dateTime ?? '') - Date.parse(master.start?.dateTime ?? '') };
  }

  private occurrenceTimes(master: StoredEvent, occ: Occurrence): { start: EventDateTime; end: EventDateTime } {
    const b = master.body;
    const dur = this.durationOf(b);
    if (occ.kind === 'date') {
      return {
        start: { date: formatDay(occ.day), ...(b.start?.timeZone ? { timeZone: b.start.timeZone } : {}) },
        end: { date: formatDay(occ.day + dur.days), ...(b.end?.timeZone ? { timeZone: b.end.timeZone } : {}) },
      };
    }
    const tz = b.start?.timeZone;
    return {
      start: { dateTime: isoUtc(occ.instantMs), ...(tz ? { timeZone: tz } : {}) },
      end: { dateTime: isoUtc(occ.instantMs + dur.ms), ...((b.end?.timeZone ?? tz) ? { timeZone: b.end?.timeZone ?? tz } : {}) },
    };
  }

  /** An unmodified instance of a series, built from the master. */
  private virtualInstance(master: StoredEvent, occ: Occurrence, cancelled = false): StoredEvent {
    const { start, end } = this.occurrenceTimes(master, occ);
    const id = `${master.id}_${instanceSuffix(start)}`;
    const { recurrence: _r, ...rest } = master.body;
    return {
      id,
      body: { ...rest, start, end, recurringEventId: master.id, originalStartTime: start, status: cancelled ? 'cancelled' : master.body.status },
      sequence: master.sequence,
      created: master.created,
      updated: master.updated,
      etag: `"${BigInt('0x' + createHash('sha1').update(master.etag + id).digest('hex').slice(0, 13)).toString()}"`,
      changeSeq: master.changeSeq,
    };
  }

  /** Instances of a series whose time overlaps [timeMin, timeMax), up to the per-series cap. */
  private *seriesOccurrences(master: StoredEvent, calendarZone: string, timeMin: number | null, timeMax: number | null): Generator<Occurrence> {
    const set = recurrenceOf(master.body, this.includeUnmatchedStart());
    if (!set) return;
    const dur = this.durationOf(master.body);
    const cap = this.state.settings.maxInstancesPerSeries;
    let emitted = 0;
    let seen = 0;
    for (const occ of set.occurrences()) {
      if (++seen > ITERATION_LIMIT || emitted >= cap) return;
      const startMs = occ.kind === 'date' ? instantOf({ date: formatDay(occ.day) }, calendarZone) : occ.instantMs;
      const endMs = occ.kind === 'date' ? instantOf({ date: formatDay(occ.day + dur.days) }, calendarZone) : occ.instantMs + dur.ms;
      if (timeMax !== null && startMs >= timeMax) return;
      if (timeMin !== null && endMs <= timeMin) continue;
      emitted++;
      yield occ;
    }
  }

  private exceptionsOf(calendar: CalendarRecord, masterId: string): StoredEvent[] {
    return this.index(calendar).exceptionsOf(masterId);
  }

  /** What a read since `since` looks at: the events changed after it, and the series of changed exceptions. */
  private changedSince(calendar: CalendarRecord, since: number): StoredEvent[] {
    const out = new Set<StoredEvent>();
    for (const ev of this.index(calendar).changedAfter(since)) {
      out.add(ev);
      const master = ev.body.recurringEventId ? calendar.events[ev.body.recurringEventId] : undefined;
      if (master) out.add(master);
    }
    return [...out];
  }

  private locate(calendar: CalendarRecord, eventId: string): Located | null {
    const stored = calendar.events[eventId];
    if (stored) {
      const master = stored.body.recurringEventId ? (calendar.events[stored.body.recurringEventId] ?? null) : null;
      return { kind: 'stored', ev: stored, master };
    }
    const sep = eventId.lastIndexOf('_');
    if (sep <= 0) return null;
    const master = calendar.events[eventId.slice(0, sep)];
    const suffix = eventId.slice(sep + 1);
    if (!master || !/^\d{8}(T\d{6}Z)?$/.test(suffix)) return null;
    const set = recurrenceOf(master.body, this.includeUnmatchedStart());
    if (!set) return null;
    const target = suffix.length === 8 ? Date.UTC(+suffix.slice(0, 4), +suffix.slice(4, 6) - 1, +suffix.slice(6, 8)) : Date.parse(`${suffix.slice(0, 4)}-${suffix.slice(4, 6)}-${suffix.slice(6, 8)}T${suffix.slice(9, 11)}:${suffix.slice(11, 13)}:${suffix.slice(13, 15)}Z`);
    let seen = 0;
    for (const occ of set.occurrences()) {
      const key = occurrenceKey(occ);
      if (key === target) return { kind: 'instance', ev: this.virtualInstance(master, occ, master.body.status === 'cancelled'), master };
      if (key > target || ++seen > ITERATION_LIMIT) break;
    }
    return null;
  }

  private checkIfMatch(ev: StoredEvent, ifMatch: string | undefined): void {
    if (ifMatch === undefined || ifMatch === '*') return;
    const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (!tags.includes(ev.etag)) throw calendarErrors.conditionNotMet();
  }

  private checkSequence(ev: StoredEvent, input: unknown): void {
    const seq = (input as Json | null)?.sequence;
    if (seq === undefined || seq === null) return;
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) throw calendarErrors.invalid('Invalid sequence value.');
    if (this.state.settings.rejectStaleSequence && seq < ev.sequence) {
      throw calendarErrors.invalid(
        'Invalid sequence value. The specified sequence number is below the current sequence number of the resource. Re-fetch the resource and use its sequence number on the following request.',
      );
    }
  }


  getEvent(accountId: string, calendarParam: string, eventId: string, opts: { timeZone?: string; maxAttendees?: number; ifNoneMatch?: string } = {}): Json | { notModified: true; etag: string } {
    const { calendar } = this.resolveCalendar(accountId, calendarParam);
    const found = this.locate(calendar, eventId);
    if (!found) throw calendarErrors.notFound();
    if (opts.ifNoneMatch && opts.ifNoneMatch.split(',').map((t) => t.trim()).includes(found.ev.etag)) return { notModified: true, etag: found.ev.etag };
    return renderEvent(found.ev, calendar, this.renderOpts(calendar, opts.timeZone, opts.maxAttendees));
  }


  insertEvent(accountId: string, calendarParam: string, input: unknown, opts: WriteOptions = {}): Json {
    const { calendar } = this.writable(accountId, calendarParam);
    const account = this.account(accountId);
    const raw = (input ?? {}) as Json;
    let id: string;
    if (raw.id !== undefined && raw.id !== null) {
      if (typeof raw.id !== 'string' || !EVENT_ID.test(raw.id)) throw calendarErrors.invalid('Invalid resource id value.');
      id = raw.id;
      if (calendar.events[id]) throw calendarErrors.duplicate();
    } else {
      do id = newEventId();
      while (calendar.events[id]);
    }
    const body = normalizeEventBody(input, { account, calendar, existing: null, enforceExtendedPropertyLimits: this.state.settings.enforceExtendedPropertyLimits });
    if (!body.iCalUID) body.iCalUID = `${id}@google.com`;
    const now = this.ctx.now();
    const ev: StoredEvent = { id, body, sequence: typeof raw.sequence === 'number' && raw.sequence >= 0 ? Math.floor(raw.sequence) : 0, created: now, updated: now, etag: '', changeSeq: 0 };
    calendar.events[id] = ev;
    this.touch(calendar, ev);
    this.committed(calendar);
    return renderEvent(ev, calendar, this.renderOpts(calendar, opts.timeZone));
  }

  updateEvent(accountId: string, calendarParam: string, eventId: string, input: unknown, opts: WriteOptions = {}): Json {
    return this.write(accountId, calendarParam, eventId, opts, input, () => input);
  }

  patchEvent(accountId: string, calendarParam: string, eventId: string, patch: unknown, opts: WriteOptions = {}): Json {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw calendarErrors.badRequest('Invalid event resource.');
    return this.write(accountId, calendarParam, eventId, opts, patch, (current) => mergePatch(JSON.parse(JSON.stringify(current)) as Json, patch));
  }

  private write(accountId: string, calendarParam: string, eventId: string, opts: WriteOptions, input: unknown, desired: (current: EventBody) => unknown): Json {
    const { calendar } = this.writable(accountId, calendarParam);
    const account = this.account(accountId);
    const found = this.locate(calendar, eventId);
    if (!found) throw calendarErrors.notFound();
    this.checkIfMatch(found.ev, opts.ifMatch);
    this.checkSequence(found.ev, input);
    const current = found.ev.body;
    const next = normalizeEventBody(desired(current), { account, calendar, existing: current, enforceExtendedPropertyLimits: this.state.settings.enforceExtendedPropertyLimits });
    if (current.status === 'cancelled' && next.status !== 'cancelled' && !this.state.settings.allowRestoreOfDeletedEvents) {
      throw new CalendarApiError(403, { domain: 'global', reason: 'forbidden', message: 'Forbidden' });
    }
    if (found.kind === 'instance' || current.recurringEventId) {
      // An instance stays an instance: it keeps its series link and takes no recurrence of its own.
      delete next.recurrence;
      next.recurringEventId = current.recurringEventId;
      next.originalStartTime = current.originalStartTime;
      next.iCalUID = current.iCalUID;
    }
    const requested = (input as Json).sequence;
    const significant = !sameTime(current.start, next.start) || !sameTime(current.end, next.end) || stableJson(current.recurrence) !== stableJson(next.recurrence) || current.status !== next.status;
    const sequence = Math.max(found.ev.sequence + (significant ? 1 : 0), typeof requested === 'number' ? requested : 0);
    const remindersOnly = withoutReminders(current) === withoutReminders(next) && stableJson(current.reminders) !== stableJson(next.reminders);

    let ev: StoredEvent;
    if (found.kind === 'instance') {
      ev = { ...found.ev, body: next, sequence, created: found.master.created };
      calendar.events[ev.id] = ev;
    } else {
      ev = found.ev;
      ev.body = next;
      ev.sequence = sequence;
    }
    this.touch(calendar, ev, !remindersOnly);
    this.committed(calendar);
    return renderEvent(ev, calendar, this.renderOpts(calendar, opts.timeZone));
  }

  deleteEvent(accountId: string, calendarParam: string, eventId: string, opts: WriteOptions = {}): void {
    const { calendar } = this.writable(accountId, calendarParam);
    const found = this.locate(calendar, eventId);
    if (!found) throw calendarErrors.notFound();
    if (found.ev.body.status === 'cancelled') throw calendarErrors.deleted();
    this.checkIfMatch(found.ev, opts.ifMatch);
    if (found.kind === 'instance') {
      // Deleting one instance leaves a cancelled exception; the master's recurrence is unchanged
      // (docs/providers.md#google-recurrence).
      const ev: StoredEvent = { ...found.ev, body: { ...found.ev.body, status: 'cancelled' } };
      calendar.events[ev.id] = ev;
      this.touch(calendar, ev);
    } else {
      const ev = found.ev;
      ev.body = { ...ev.body, status: 'cancelled' };
      this.touch(calendar, ev);
      if (ev.body.recurrence?.length) {
        for (const exc of this.exceptionsOf(calendar, ev.id)) {
          if (exc.body.status === 'cancelled') continue;
          exc.body = { ...exc.body, status: 'cancelled' };
          this.touch(calendar, exc);
        }
      }
    }
    this.committed(calendar);
  }


  listEvents(accountId: string, calendarParam: string, rawQuery: Json): Json {
    const { calendar, entry } = this.resolveCalendar(accountId, calendarParam);
    const q = parseEventListQuery(rawQuery);
    if (q.syncToken !== undefined) {
      const used = FORBIDDEN_WITH_SYNC_TOKEN.filter((p) => rawQuery[p] !== undefined);
      if (used.length) throw calendarErrors.invalid(`The parameter ${used[0]} cannot be used together with syncToken.`, used[0]);
      if (q.showDeleted === false) throw calendarErrors.invalid('showDeleted=false cannot be used together with syncToken.', 'showDeleted');
    }
    if (q.timeMin !== null && q.timeMax !== null && q.timeMin >= q.timeMax) throw calendarErrors.timeRangeEmpty();
    if (q.orderBy === 'startTime' && !q.singleEvents) throw calendarErrors.badRequest('The requested ordering is not available for the particular query.');

    const secret = this.state.tokenSecret;
    const page = q.pageToken !== undefined ? decodePageToken(secret, q.pageToken) : null;
    if (q.pageToken !== undefined && (!page || page.query !== q.fingerprint)) throw calendarErrors.invalid('Invalid page token value.', 'pageToken');
    let since: number | null = page ? page.since : null;
    if (!page && q.syncToken !== undefined) since = this.checkSyncToken(q.syncToken, calendar, accountId);
    const snapshot = page?.snapshot ?? this.state.seq;
    const showDeleted = since !== null || (q.showDeleted ?? false);

    const listingKey = [calendar.id, q.fingerprint, q.timeZone ?? '', since, showDeleted].join('\n');
    const keyed = this.listings.get(listingKey, [calendar, calendar.timeZone, this.state.seq, JSON.stringify(this.state.settings)], () =>
      sortedByKey(this.collect(calendar, q, since, showDeleted).filter((i) => this.matchesFilters(i, q)), sortKey(q)),
    );
    const { slice, next } = pageAfter(keyed, q, page?.after ?? null);
    const opts = this.renderOpts(calendar, q.timeZone, q.maxAttendees);
    return {
      kind: 'calendar#events',
      etag: `"p${snapshot}"`,
      summary: calendar.summary,
      ...(calendar.description ? { description: calendar.description } : {}),
      updated: new Date(calendar.updated).toISOString(),
      timeZone: calendar.timeZone,
      accessRole: entry.accessRole,
      defaultReminders: entry.defaultReminders,
      ...(next
        ? { nextPageToken: encodePageToken(secret, { after: next, snapshot, since, query: q.fingerprint }) }
        : { nextSyncToken: encodeSyncToken(secret, { kind: 'e', resource: calendar.id, account: accountId, seq: snapshot, epoch: calendar.syncEpoch, issuedAt: this.ctx.now() }) }),
      items: slice.map((i) => (i.cancelled && this.state.settings.minimalCancelledEventsInLists ? renderCancelled(i.ev, opts) : renderEvent(i.ev, calendar, opts))),
    };
  }

  private checkSyncToken(token: string, calendar: CalendarRecord, accountId: string): number {
    const p = decodeSyncToken(this.state.tokenSecret, token);
    const maxAge = this.state.settings.syncTokenMaxAgeSeconds;
    if (
      !p ||
      p.kind !== 'e' ||
      p.resource !== calendar.id ||
      p.account !== accountId ||
      p.epoch !== calendar.syncEpoch ||
      p.seq > this.state.seq ||
      (maxAge !== null && this.ctx.now() - p.issuedAt > maxAge * 1000)
    ) {
      throw calendarErrors.fullSyncRequired();
    }
    return p.seq;
  }

  private item(ev: StoredEvent, zone: string): ListItem {
    const b = ev.body;
    const start = b.start ?? b.originalStartTime;
    const startMs = start ? instantOf(start, zone) : 0;
    const endMs = b.end ? instantOf(b.end, zone) : startMs;
    return { ev, startMs, endMs, cancelled: b.status === 'cancelled' };
  }

  private inRange(i: ListItem, q: { timeMin: number | null; timeMax: number | null }): boolean {
    if (q.timeMin !== null && i.endMs <= q.timeMin) return false;
    if (q.timeMax !== null && i.startMs >= q.timeMax) return false;
    return true;
  }

  private collect(calendar: CalendarRecord, q: EventListQuery, since: number | null, showDeleted: boolean): ListItem[] {
    const zone = q.timeZone ?? calendar.timeZone;
    // A sync-token read looks at what changed only, not the whole calendar.
    const all = since === null ? Object.values(calendar.events) : this.changedSince(calendar, since);
    const changed = (e: StoredEvent) => since === null || e.changeSeq > since;
    const out: ListItem[] = [];
    const isMaster = (e: StoredEvent) => !!e.body.recurrence?.length && !e.body.recurringEventId;

    if (!q.singleEvents) {
      for (const ev of all) {
        if (!changed(ev)) continue;
        const it = this.item(ev, zone);
        if (it.cancelled && !showDeleted) {
          // Cancelled instances of a live series are listed even without showDeleted
          // (https://developers.google.com/workspace/calendar/api/v3/reference/events/list#parameters).
          const master = ev.body.recurringEventId ? calendar.events[ev.body.recurringEventId] : undefined;
          if (!master || master.body.status === 'cancelled') continue;
        }
        if (isMaster(ev) && (q.timeMin !== null || q.timeMax !== null)) {
          if (this.seriesOccurrences(ev, zone, q.timeMin, q.timeMax).next().done) continue;
        } else if (!this.inRange(it, q)) {
          continue;
        }
        out.push(it);
      }
      return out;
    }

    for (const ev of all) {
      if (isMaster(ev)) {
        const masterChanged = changed(ev);
        const exceptions = this.exceptionsOf(calendar, ev.id);
        if (ev.body.status === 'cancelled') {
          if (!showDeleted || !masterChanged) continue;
          for (const occ of this.seriesOccurrences(ev, zone, q.timeMin, q.timeMax)) out.push({ ...this.item(this.virtualInstance(ev, occ, true), zone), cancelled: true });
          continue;
        }
        const replaced = new Set(exceptions.map((e) => e.id));
        if (masterChanged) {
          for (const occ of this.seriesOccurrences(ev, zone, q.timeMin, q.timeMax)) {
            const inst = this.virtualInstance(ev, occ);
            if (!replaced.has(inst.id)) out.push(this.item(inst, zone));
          }
        }
        for (const exc of exceptions) {
          if (!masterChanged && !changed(exc)) continue;
          const it = this.item(exc, zone);
          if (it.cancelled && !showDeleted) continue;
          if (this.inRange(it, q)) out.push(it);
        }
      } else if (!ev.body.recurringEventId) {
        if (!changed(ev)) continue;
        const it = this.item(ev, zone);
        if (it.cancelled && !showDeleted) continue;
        if (this.inRange(it, q)) out.push(it);
      } else if (!calendar.events[ev.body.recurringEventId]) {
        // An exception whose master is gone behaves like a single event.
        if (!changed(ev)) continue;
        const it = this.item(ev, zone);
        if ((!it.cancelled || showDeleted) && this.inRange(it, q)) out.push(it);
      }
    }
    return out;
  }

  private matchesFilters(i: ListItem, q: EventListQuery): boolean {
    const b = i.ev.body;
    if (q.iCalUID !== undefined && b.iCalUID !== q.iCalUID) return false;
    if (q.updatedMin !== null && i.ev.updated < q.updatedMin) return false;
    if (q.eventTypes.length && !q.eventTypes.includes(b.eventType)) return false;
    const any = this.state.settings.extendedPropertyMatch === 'any';
    for (const [constraints, map] of [
      [q.privateExtendedProperty, b.extendedProperties?.private],
      [q.sharedExtendedProperty, b.extendedProperties?.shared],
    ] as const) {
      if (!constraints.length) continue;
      const hits = constraints.map((c) => {
        const eq = c.indexOf('=');
        return map?.[c.slice(0, eq)] === c.slice(eq + 1);
      });
      if (any ? !hits.some(Boolean) : !hits.every(Boolean)) return false;
    }
    if (q.q) {
      const haystack = [b.summary, b.description, b.location, b.organizer.email, b.organizer.displayName, ...(b.attendees ?? []).flatMap((a) => [a.email, a.displayName])]
        .filter((s): s is string => typeof s === 'string')
        .join('\n')
        .toLowerCase();
      if (!q.q.toLowerCase().split(/\s+/).filter(Boolean).every((term) => haystack.includes(term))) return false;
    }
    return true;
  }

  listInstances(accountId: string, calendarParam: string, eventId: string, rawQuery: Json): Json {
    const { calendar, entry } = this.resolveCalendar(accountId, calendarParam);
    const master = calendar.events[eventId];
    if (!master) throw calendarErrors.notFound();
    const q = parseEventListQuery(rawQuery);
    if (q.timeMin !== null && q.timeMax !== null && q.timeMin >= q.timeMax) throw calendarErrors.timeRangeEmpty();
    const zone = q.timeZone ?? calendar.timeZone;
    const showDeleted = q.showDeleted ?? false;
    let items: ListItem[] = [];
    if (!master.body.recurrence?.length || master.body.recurringEventId) {
      items = [this.item(master, zone)];
    } else if (master.body.status !== 'cancelled' || showDeleted) {
      const cancelledSeries = master.body.status === 'cancelled';
      const exceptions = new Map(this.exceptionsOf(calendar, master.id).map((e) => [e.id, e]));
      for (const occ of this.seriesOccurrences(master, zone, q.timeMin, q.timeMax)) {
        const inst = this.virtualInstance(master, occ, cancelledSeries);
        const ev = exceptions.get(inst.id) ?? inst;
        exceptions.delete(inst.id);
        items.push(this.item(ev, zone));
      }
      items.push(...[...exceptions.values()].map((e) => this.item(e, zone)));
      items = items.filter((i) => (!i.cancelled || showDeleted) && this.inRange(i, q));
      if (q.originalStart !== null) {
        items = items.filter((i) => i.ev.body.originalStartTime && instantOf(i.ev.body.originalStartTime, zone) === q.originalStart);
      }
    }
    const secret = this.state.tokenSecret;
    const page = q.pageToken !== undefined ? decodePageToken(secret, q.pageToken) : null;
    if (q.pageToken !== undefined && (!page || page.query !== q.fingerprint)) throw calendarErrors.invalid('Invalid page token value.', 'pageToken');
    const { slice, next } = pageAfter(sortedByKey(items, (i) => [i.startMs, i.ev.id]), q, page?.after ?? null);
    const opts = this.renderOpts(calendar, q.timeZone, q.maxAttendees);
    return {
      kind: 'calendar#events',
      etag: `"p${this.state.seq}"`,
      summary: calendar.summary,
      updated: new Date(calendar.updated).toISOString(),
      timeZone: calendar.timeZone,
      accessRole: entry.accessRole,
      defaultReminders: entry.defaultReminders,
      ...(next ? { nextPageToken: encodePageToken(secret, { after: next, snapshot: this.state.seq, since: null, query: q.fingerprint }) } : {}),
      items: slice.map((i) => renderEvent(i.ev, calendar, opts)),
    };
  }

  /** freeBusy.query: busy blocks of opaque, non-cancelled events per calendar. */
  freeBusy(accountId: string, body: unknown): Json {
    const b = (body ?? {}) as Json;
    if (typeof b.timeMin !== 'string') throw calendarErrors.required('Missing timeMin parameter.');
    if (typeof b.timeMax !== 'string') throw calendarErrors.required('Missing timeMax parameter.');
    const q = parseEventListQuery({ timeMin: b.timeMin, timeMax: b.timeMax, singleEvents: 'true', ...(typeof b.timeZone === 'string' ? { timeZone: b.timeZone } : {}) });
    if ((q.timeMin ?? 0) >= (q.timeMax ?? 0)) throw calendarErrors.timeRangeEmpty();
    const calendars: Json = {};
    for (const item of Array.isArray(b.items) ? (b.items as Json[]) : []) {
      const id = String(item?.id ?? '');
      try {
        const { calendar } = this.resolveCalendar(accountId, id);
        const busy = this.collect(calendar, q, null, false)
          .filter((i) => !i.cancelled && i.ev.body.transparency !== 'transparent')
          .map((i) => [Math.max(i.startMs, q.timeMin ?? 0), Math.min(i.endMs, q.timeMax ?? 0)] as const)
          .sort((x, y) => x[0] - y[0]);
        const merged: [number, number][] = [];
        for (const [s, e] of busy) {
          const last = merged[merged.length - 1];
          if (last && s <= last[1]) last[1] = Math.max(last[1], e);
          else merged.push([s, e]);
        }
        calendars[id] = { busy: merged.map(([s, e]) => ({ start: isoUtc(s), end: isoUtc(e) })) };
      } catch {
        calendars[id] = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
      }
    }
    return { kind: 'calendar#freeBusy', timeMin: isoUtc(q.timeMin ?? 0), timeMax: isoUtc(q.timeMax ?? 0), calendars };
  }
}

type SortKey = [number, string];

function sortKey(q: EventListQuery): (i: ListItem) => SortKey {
  if (q.orderBy === 'updated') return (i) => [i.ev.updated, i.ev.id];
  if (q.singleEvents) return (i) => [i.startMs, i.ev.id];
  return (i) => [i.ev.created, i.ev.id];
}

const compareKeys = (a: SortKey, b: SortKey) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

interface Keyed {
  i: ListItem;
  k: SortKey;
}

function sortedByKey(items: ListItem[], key: (i: ListItem) => SortKey): Keyed[] {
  return items.map((i) => ({ i, k: key(i) })).sort((a, b) => compareKeys(a.k, b.k));
}

/** One page after the cursor, and the cursor for the next page if more items follow. */
function pageAfter(keyed: Keyed[], q: EventListQuery, after: SortKey | null): { slice: ListItem[]; next: SortKey | null } {
  const from = after ? firstPast(keyed, (x) => compareKeys(x.k, after) <= 0) : 0;
  const slice = keyed.slice(from, from + q.maxResults);
  const last = slice[slice.length - 1];
  return { slice: slice.map((x) => x.i), next: keyed.length - from > q.maxResults && last ? last.k : null };
}
