import type { EntityManager } from '@mikro-orm/core';
import { timingStartMs, type ShowAs } from '../domain/appointment.js';
import { occurrenceKey, seriesOccurrences } from '../domain/recurrence/occurrences.js';
import type { Logger } from '../logger.js';
import {
  asProviderCalendarId,
  asProviderEventId,
  isProviderError,
  type EventChange,
  type ExternalEvent,
  type ProviderCursor,
} from '../providers/calendar-provider.js';
import { BusyCalendar, BusyEvent, Calendar } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { inTransaction } from '../store/transactions.js';
import type { InboundObserver, ObservedRun } from '../sync/inbound-observer.js';
import { LeaseLostError } from '../sync/link-lease.js';

const DAY_MS = 86_400_000;
/** The end of time for a series' row (its occurrences are found by expansion). */
const OPEN_END = new Date('9999-12-31T00:00:00.000Z');
const CHUNK = 200;

type Read = ObservedRun & { calendar: Calendar };

/**
 * The busy-time cache: per calendar, the times and free/busy of every event the incremental reads
 * saw, so `availability` answers from the store instead of asking a provider per query.
 *
 * - A link's primary calendar is fed by the sync engine's own read (`onPrimaryRead`). Calendars
 *   the engine does not read — conflict-check calendars, the primary one of a one-way link, or a
 *   primary whose cache was never filled — are read here after each run that reads (`afterRun`:
 *   polls, pushes, `syncNow`), from the cache's own cursor (`BusyCalendar.cursor`).
 * - Every event type is read (`allEventTypes`): Google's out-of-office blocks, which are never
 *   mirrored as appointments, are busy time.
 * - A complete read replaces the calendar's rows. A series is kept as its master plus its
 *   exceptions and cancelled occurrences. Google names the series of a cancelled occurrence; Graph
 *   does not (its `@removed` carries only an id, and a series master never lists its cancelled
 *   occurrences), so after a complete read, or a read with a deletion the cache cannot place, the
 *   calendar's series are compared with their instances (`getSeriesInstances`, one request per
 *   series) and the missing occurrences recorded as cancelled.
 * - A failed read is logged and kept on the calendar's state (`lastError`); it never fails the sync
 *   run. The state's `asOf` says how fresh the cache is.
 */
export class BusyCache implements InboundObserver {
  constructor(private readonly deps: { orm: Orm; logger: Logger; now?: () => Date }) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async onPrimaryRead(read: Read & { changes: EventChange[]; full: boolean }): Promise<void> {
    await this.guarded(read, async (state) => {
      await this.apply(read, read.changes, read.full);
      this.took(state, read.full);
    });
  }

  async afterRun(run: ObservedRun & { primaryRead: boolean }): Promise<void> {
    const calendars = await this.deps.orm.em.fork().find(Calendar, { connectionId: run.link.id, removedAt: null, role: { $in: ['PRIMARY', 'CONFLICT_CHECK'] } }, { orderBy: { id: 'asc' } });
    for (const calendar of calendars) {
      const read = { ...run, calendar };
      await this.guarded(read, async (state) => {
        // The engine just read this one and the cache holds a complete picture of it.
        if (calendar.role === 'PRIMARY' && run.primaryRead && state.filledAt !== null) return;
        const changes: EventChange[] = [];
        let full = false;
        let cursor: ProviderCursor | null = null;
        for await (const page of run.provider.readChanges({ calendarId: asProviderCalendarId(calendar.providerCalendarId), cursor: state.cursor, window: run.window, allEventTypes: true })) {
          changes.push(...page.changes);
          full ||= page.full;
          if (page.nextCursor) cursor = page.nextCursor;
          await run.keepAlive();
        }
        await this.apply(read, changes, full);
        if (cursor) state.cursor = cursor;
        this.took(state, full);
      });
    }
  }

  private took(state: BusyCalendar, full: boolean): void {
    const now = this.now();
    state.asOf = now;
    if (full) state.filledAt ??= now;
    state.lastError = null;
  }

  /** Runs `work` on the calendar's state and saves it; a failure is logged and kept, never thrown. */
  private async guarded(read: Read, work: (state: BusyCalendar) => Promise<void>): Promise<void> {
    const em = this.deps.orm.em.fork();
    let state = await em.findOne(BusyCalendar, { calendarId: read.calendar.id });
    if (!state) em.persist((state = new BusyCalendar({ tenantId: read.calendar.tenantId, calendarId: read.calendar.id })));
    try {
      await work(state);
    } catch (err) {
      // Another worker holds the link now: the run stops (the cache's next read repeats this one).
      if (err instanceof LeaseLostError) throw err;
      const known = isProviderError(err);
      const log = { connectionId: read.link.id, calendarId: read.calendar.id, ...(known ? { code: err.code, err: { message: err.message } } : { err }) };
      if (known) this.deps.logger.warn(log, 'busy-time cache: reading a calendar failed; availability keeps the last good read');
      else this.deps.logger.error(log, 'busy-time cache: updating a calendar failed');
      state.lastError = { code: known ? err.code : 'INTERNAL', message: known ? err.message : 'Updating the busy-time cache failed; see the server log.', at: this.now().toISOString() };
    }
    await em.flush();
  }

  /** Takes a read into the calendar's rows (a complete one replaces them). */
  private async apply(read: Read, changes: EventChange[], full: boolean): Promise<void> {
    const calendarId = read.calendar.id;
    let unplaced = false;
    await inTransaction(this.deps.orm.em.fork(), async (em) => {
      if (full) await em.nativeDelete(BusyEvent, { calendarId });
      const ids = changes.map((c) => (c.type === 'UPSERT' ? c.event.id : c.eventId));
      const rows = new Map<string, BusyEvent>();
      for (let i = 0; i < ids.length && !full; i += CHUNK) {
        for (const row of await em.find(BusyEvent, { calendarId, externalEventId: { $in: ids.slice(i, i + CHUNK) } })) rows.set(row.externalEventId, row);
      }
      for (const change of changes) {
        if (change.type === 'UPSERT') {
          const row = rows.get(change.event.id) ?? newRow(em, read.calendar, change.event.id);
          describe(row, change.event, read.link.accountEmail);
          rows.set(change.event.id, row);
          continue;
        }
        const row = rows.get(change.eventId);
        if (change.seriesMasterId !== null && change.originalStart !== null) {
          // A cancelled occurrence: it stays as a row so the series' expansion leaves it out.
          const cancelled = row ?? newRow(em, read.calendar, change.eventId);
          cancelOccurrence(cancelled, change.seriesMasterId, change.originalStart);
          rows.set(change.eventId, cancelled);
        } else if (row) {
          rows.delete(change.eventId);
          em.remove(row);
          if (row.kind === 'SERIES_MASTER') await em.nativeDelete(BusyEvent, { calendarId, seriesMasterId: row.externalEventId });
        } else {
          unplaced = true;
        }
      }
      await em.flush();
    });
    if (full || unplaced) await this.findCancelledOccurrences(read);
  }

  /**
   * Records the occurrences of the calendar's series that the provider no longer lists as
   * cancelled (Graph: a cancelled occurrence is only missing from the series' instances).
   */
  private async findCancelledOccurrences(read: Read): Promise<void> {
    const { calendar, provider, window } = read;
    const em = this.deps.orm.em.fork();
    const masters = await em.find(BusyEvent, { calendarId: calendar.id, kind: 'SERIES_MASTER', startsAt: { $lt: new Date(window.end) } });
    const span = { start: Date.parse(window.start), end: Date.parse(window.end) };
    for (const master of masters) {
      await read.keepAlive();
      const expected = seriesOccurrences(master.timing, master.recurrence!, span);
      if (expected.length === 0) continue;
      const instances = await provider.getSeriesInstances(asProviderCalendarId(calendar.providerCalendarId), asProviderEventId(master.externalEventId), window).catch((err: unknown) => {
        if (isProviderError(err) && err.code === 'NOT_FOUND') return null;
        throw err;
      });
      if (instances === null) continue;
      const known = new Set(
        [...instances.map((i) => i.originalStart), ...(await em.find(BusyEvent, { calendarId: calendar.id, seriesMasterId: master.externalEventId })).map((r) => r.originalStart)]
          .filter((s): s is string => s !== null)
          .map(occurrenceKey),
      );
      for (const occurrence of expected) {
        const key = occurrenceKey(occurrence.originalStart);
        if (known.has(key)) continue;
        cancelOccurrence(newRow(em, calendar, `cancelled:${master.externalEventId}:${key}`), master.externalEventId, occurrence.originalStart);
      }
      await em.flush();
    }
  }
}

function newRow(em: EntityManager, calendar: Calendar, externalEventId: string): BusyEvent {
  const row = new BusyEvent({ tenantId: calendar.tenantId, calendarId: calendar.id, externalEventId, kind: 'SINGLE' });
  em.persist(row);
  return row;
}

/** Fills a row from a provider event: its times, its recurrence, and what it counts as for the account's owner. */
function describe(row: BusyEvent, event: ExternalEvent, accountEmail: string | null): void {
  const { timing, recurrence } = event.data;
  const isSeries = event.kind === 'SERIES_MASTER' && recurrence !== null;
  row.kind = isSeries ? 'SERIES_MASTER' : event.kind === 'SINGLE' || event.seriesMasterId === null ? 'SINGLE' : 'EXCEPTION';
  row.seriesMasterId = row.kind === 'EXCEPTION' ? event.seriesMasterId : null;
  row.originalStart = row.kind === 'EXCEPTION' ? event.originalStart : null;
  row.timing = timing;
  row.recurrence = isSeries ? recurrence : null;
  row.showAs = showAsFor(event, accountEmail);
  row.cancelled = false;
  // All-day dates are placed in a zone only at query time: a day of slack on each side.
  const start = timingStartMs(timing);
  const end = timing.allDay ? Date.parse(`${timing.endDate}T00:00:00Z`) : Date.parse(timing.end);
  row.startsAt = new Date(timing.allDay ? start - DAY_MS : start);
  row.endsAt = isSeries ? OPEN_END : new Date(timing.allDay ? end + DAY_MS : end);
}

function cancelOccurrence(row: BusyEvent, seriesMasterId: string, originalStart: string): void {
  row.kind = 'EXCEPTION';
  row.seriesMasterId = seriesMasterId;
  row.originalStart = originalStart;
  row.cancelled = true;
  row.showAs = 'FREE';
  const at = /^\d{4}-\d{2}-\d{2}$/.test(originalStart) ? `${originalStart}T00:00:00.000Z` : new Date(Date.parse(originalStart)).toISOString();
  row.timing = { allDay: false, start: at, end: at, timeZone: 'UTC' };
  row.recurrence = null;
  row.startsAt = new Date(at);
  row.endsAt = new Date(at);
}

/**
 * What an event counts as for the calendar's owner: free when they declined it (Google keeps
 * declined invitations in the calendar), tentative when they answered "maybe" to a busy one.
 */
export function showAsFor(event: ExternalEvent, accountEmail: string | null): ShowAs {
  const self = accountEmail === null ? undefined : event.data.attendees.find((a) => a.email.toLowerCase() === accountEmail.toLowerCase());
  if (self?.response === 'DECLINED') return 'FREE';
  if (self?.response === 'TENTATIVE' && event.data.showAs === 'BUSY') return 'TENTATIVE';
  return event.data.showAs;
}
