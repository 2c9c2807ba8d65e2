import type { EntityManager } from '@mikro-orm/core';
import { announce, type EventPublisher } from '../events/event-publisher.js';
import { TOPICS } from '../events/pubsub-topics.js';
import type { EventData } from '../domain/appointment.js';
import type { HubId } from '../domain/ids.js';
import { providerKindOf, type AppointmentChangeKind } from '../domain/model.js';
import { decide, type Decision, type HostSide, type ProviderSide, type SyncAction } from '../domain/sync/decision.js';
import { formatHubTag } from '../domain/sync/hub-tag.js';
import { fieldTruncated, remindersDropped } from '../domain/sync-issue.js';
import { hostHash, importedExtras, mergeIntoHost, providerHash, sameContent, toHostContent, toProviderData, type FieldNotice, type HostExtras, type ProjectionContext } from '../domain/sync/projection.js';
import type { ProviderSeriesState } from '../domain/sync/series.js';
import type { TenantSettings } from '../domain/tenant-settings.js';
import type { Logger } from '../logger.js';
import { asProviderCalendarId, asProviderEventId, isProviderError, type CalendarProvider, type ExternalEvent, type ProviderError } from '../providers/calendar-provider.js';
import { Appointment, Conflict, SyncMapping, type Calendar, type Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { inTransaction } from '../store/transactions.js';
import { applyContent, contentOf, extrasOf } from './appointment-content.js';
import { insertAppointment, isStaleAppointmentError, loadAppointment, updateAppointment } from './appointment-store.js';
import type { AttendeeIndex } from './attendee-index.js';
import type { ChangeFeed } from './change-feed.service.js';
import type { SyncIssues } from './sync-issues.service.js';
import type { RunTracker } from './sync-runs.service.js';

/** Item failures are retried after 1, 2, 4 … minutes, at most every 6 hours. */
const ITEM_RETRY_BASE_MS = 60_000;
const ITEM_RETRY_MAX_MS = 6 * 3_600_000;
/** Rounds of "write, find the other side moved (412/404), decide again" per pair and run. */
const MAX_ROUNDS = 3;

/** What a run knows of a link while it syncs it. */
export interface RunScope {
  link: Connection;
  settings: TenantSettings;
  provider: CalendarProvider;
  tracker: RunTracker;
  attendees: AttendeeIndex;
}

export interface PairSyncDeps {
  orm: Orm;
  changes: ChangeFeed;
  /** Raises the field notices of a write (docs/sync.md, "Fields"). */
  issues: SyncIssues;
  pubsub: EventPublisher;
  logger: Logger;
}

/**
 * One pair as a run sees it: the mapping (if any), the host appointment (if any), and what the
 * provider showed (an event, a deletion, or nothing observed in this run).
 */
export interface Pair {
  calendar: Calendar;
  mapping: SyncMapping | null;
  appointment: Appointment | null;
  /** The event as the provider showed it in this run; null when not observed. */
  event: ExternalEvent | null;
  /** The provider showed that the event is gone (tombstone, 404, or a complete read without it). */
  providerGone: boolean;
  /** A new exception from a calendar: the series appointment and the occurrence it replaces (set on the appointment it becomes). */
  occurrence?: { seriesMasterId: HubId<'appointment'>; originalStart: string };
}

/**
 * What series add to a pair's life (src/sync/series-sync.ts): how the host sees a calendar's series,
 * what is written for the host's version of one, and how a host exception reaches its occurrence.
 */
export interface PairSeriesHooks {
  /** The event as the host sees it (the host profile applied), and what the pair keeps of it as a series. */
  view(event: ExternalEvent, mapping: SyncMapping | null): { event: ExternalEvent; series: ProviderSeriesState | null };
  /** What is written for the host's content; throws UNSUPPORTED for what the provider cannot hold. */
  outboundData(pair: Pair, data: EventData): Promise<EventData>;
  /** Writes a host exception into its occurrence (occurrences exist with their series; they are never created). */
  writeOccurrence(pair: Pair, data: EventData): Promise<ExternalEvent>;
  /** After the host's version of the pair was written (`before`/`after`: what the pair knew of the series); may settle other pairs through `pairs`. */
  written(pair: Pair, before: ProviderSeriesState | null, after: ProviderSeriesState | null, pairs: PairSync): Promise<void>;
}

/** Run-level failures stop the whole run (the link is throttled, unreachable or needs a relink). */
export function isRunLevelFailure(e: unknown): e is ProviderError {
  return isProviderError(e) && (e.code === 'AUTH_REVOKED' || e.code === 'RATE_LIMITED' || e.code === 'TRANSIENT');
}

/**
 * Classifies pairs, looks their action up in the decision table (src/domain/sync/decision.ts) and
 * carries it out: provider writes first, then the mapping (and the host side) in one transaction.
 * A failed provider write leaves the mapping as it was, so the pair is tried again; a 412 or a 404
 * means the other side moved — the pair is read again and decided again.
 */
export class PairSync {
  readonly projection: ProjectionContext;
  /** The series knowledge of the events this run saw through `series.view`, stored with their provider side. */
  private readonly seriesOf = new WeakMap<ExternalEvent, ProviderSeriesState | null>();

  constructor(
    private readonly deps: PairSyncDeps,
    private readonly scope: RunScope,
    private readonly series: PairSeriesHooks | null = null,
  ) {
    this.projection = {
      settings: scope.settings,
      provider: scope.link.provider,
      hostUserIdsByEmail: scope.attendees.map,
      accountEmail: scope.link.accountEmail,
      ownerId: scope.link.userId,
    };
  }

  /** A provider event as the host sees it (once per event). */
  private seen(event: ExternalEvent | null, mapping: SyncMapping | null): ExternalEvent | null {
    if (!event || !this.series || this.seriesOf.has(event)) return event;
    const view = this.series.view(event, mapping);
    this.seriesOf.set(view.event, view.series);
    return view.event;
  }

  private get provider(): CalendarProvider {
    return this.scope.provider;
  }

  // ---------------------------------------------------------------------------------------------
  // Classification

  /**
   * A pair the host no longer wants in this calendar although the appointment lives on: its owner
   * changed, or the owner's primary calendar is now another one. Appointments are written to
   * exactly one calendar (the owner's primary), so the event here is withdrawn (deleted) — the
   * appointment's pair with the current primary writes it there.
   */
  withdrawn(pair: Pair): boolean {
    const { appointment: a, mapping: m, calendar } = pair;
    return a !== null && !a.deleted && m !== null && m.closedAt === null && (a.ownerId !== calendar.userId || calendar.role !== 'PRIMARY');
  }

  hostSide(pair: Pair): HostSide {
    const { appointment: a, mapping: m } = pair;
    if (!a) return 'ABSENT';
    if (a.deleted) return 'DELETED';
    if (!m || m.externalEventId === null || m.closedAt !== null) return 'NEW';
    if (a.version === m.hostVersion) return 'UNCHANGED';
    return hostHash(contentOf(a), extrasOf(a), this.projection) === m.hostHash ? 'UNCHANGED' : 'CHANGED';
  }

  providerSide(pair: Pair): ProviderSide {
    const { mapping: m, event } = pair;
    const linked = m !== null && m.externalEventId !== null && m.closedAt === null;
    if (pair.providerGone) return linked ? 'DELETED' : 'ABSENT';
    if (!event) return linked ? 'UNCHANGED' : 'ABSENT';
    if (!linked || event.id !== m.externalEventId) return 'NEW';
    if (event.version === m.providerVersion) return 'UNCHANGED';
    return providerHash(event.data, this.extrasFor(pair.appointment), this.projection) === m.providerHash ? 'UNCHANGED' : 'CHANGED';
  }

  /** The host's extras of a pair (what the projection needs beyond the content); an import has none yet. */
  private extrasFor(a: Appointment | null): HostExtras {
    return a ? extrasOf(a) : importedExtras(this.projection);
  }

  decideFor(pair: Pair, host: HostSide, provider: ProviderSide): Decision {
    const { appointment: a, event, mapping: m } = pair;
    const same = a !== null && !a.deleted && event !== null && !pair.providerGone && sameContent(contentOf(a), extrasOf(a), event.data, this.projection);
    const hostAt = a?.contentChangedAt?.getTime() ?? null;
    const providerAt = event?.updatedAt ? Date.parse(event.updatedAt) : null;
    const latest = hostAt === null || providerAt === null || Number.isNaN(providerAt) ? null : providerAt > hostAt ? 'PROVIDER' : 'HOST';
    return decide({
      host,
      provider,
      twoWay: this.scope.link.twoWay,
      policy: this.scope.settings.conflictPolicy,
      deletionWins: this.scope.settings.deletionWins,
      held: m?.state === 'CONFLICT' && m.closedAt === null,
      sameContent: same,
      latest,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Running one pair

  /**
   * Decides and carries out one pair, re-reading the provider side when a write finds it moved.
   * Item failures are recorded on the mapping (ERROR, retried with backoff) and counted; run-level
   * failures (throttling, a dead grant) are rethrown to stop the run.
   */
  async sync(pair: Pair, direction: 'outbound' | 'inbound'): Promise<SyncAction> {
    const { tracker } = this.scope;
    pair.event = this.seen(pair.event, pair.mapping);
    for (let round = 1; ; round++) {
      // A withdrawn pair is not a question of which side changed: the event leaves this calendar.
      const decision: Decision = this.withdrawn(pair) ? { action: 'DELETE_OUTSIDE', conflict: null } : this.decideFor(pair, this.hostSide(pair), this.providerSide(pair));
      try {
        await this.apply(pair, decision, direction);
        return decision.action;
      } catch (e) {
        if (isRunLevelFailure(e)) throw e;
        const moved = isProviderError(e) && (e.code === 'PRECONDITION_FAILED' || e.code === 'NOT_FOUND');
        if ((moved || isStaleAppointmentError(e)) && round < MAX_ROUNDS) {
          await this.reread(pair);
          continue;
        }
        tracker.count(direction, 'errors');
        await this.recordItemFailure(pair, e);
        return 'NOTHING';
      }
    }
  }

  /** Loads both sides of the pair again (after a 412/404 or a concurrent host write). */
  private async reread(pair: Pair): Promise<void> {
    const em = this.deps.orm.em.fork();
    if (pair.mapping) pair.mapping = await em.findOne(SyncMapping, { id: pair.mapping.id });
    if (pair.appointment) pair.appointment = await loadAppointment(em, { id: pair.appointment.id });
    const eventId = pair.mapping?.externalEventId ?? pair.event?.id ?? null;
    if (eventId) {
      const fresh = await this.provider.getEvent(asProviderCalendarId(pair.calendar.providerCalendarId), asProviderEventId(eventId));
      pair.event = this.seen(fresh, pair.mapping);
      pair.providerGone = fresh === null;
    }
  }

  private async recordItemFailure(pair: Pair, e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    const code = isProviderError(e) ? e.code : 'INTERNAL';
    this.deps.logger.warn(
      { connectionId: this.scope.link.id, mappingId: pair.mapping?.id, appointmentId: pair.appointment?.id, eventId: pair.event?.id, code, err: { message } },
      'a pair could not be synced; it is tried again later',
    );
    if (!pair.mapping) return;
    const em = this.deps.orm.em.fork();
    const m = await em.findOne(SyncMapping, { id: pair.mapping.id });
    if (!m) return;
    m.attempts += 1;
    m.state = code === 'UNSUPPORTED' ? 'UNSUPPORTED' : 'ERROR';
    m.lastError = { code, message, at: new Date().toISOString() };
    m.nextAttemptAt = new Date(Date.now() + Math.min(ITEM_RETRY_MAX_MS, ITEM_RETRY_BASE_MS * 2 ** Math.min(m.attempts - 1, 12)));
    await em.flush();
  }

  // ---------------------------------------------------------------------------------------------
  // Actions

  /**
   * Carries out a chosen action (a manual conflict resolution): writes overwrite whatever the
   * provider holds now, the choice was made knowing both versions.
   */
  async force(pair: Pair, action: SyncAction): Promise<void> {
    pair.event = this.seen(pair.event, pair.mapping);
    await this.apply(pair, { action, conflict: null }, action.endsWith('_HOST') ? 'inbound' : 'outbound', true);
  }

  private async apply(pair: Pair, decision: Decision, direction: 'outbound' | 'inbound', forced = false): Promise<void> {
    const { tracker } = this.scope;
    const overwrite = forced || decision.conflict !== null;
    if (decision.conflict) {
      tracker.count(direction, 'conflicts');
      await this.recordConflict(pair, decision);
    }
    switch (decision.action) {
      case 'NOTHING':
        await this.refreshVersions(pair);
        tracker.count(direction, 'unchanged');
        return;
      case 'HOLD':
        await this.hold(pair);
        tracker.count(direction, 'skipped');
        return;
      case 'LINK':
        await this.link(pair);
        tracker.count(direction, 'unchanged');
        return;
      case 'FORGET':
        await this.forget(pair);
        tracker.count(direction, 'unchanged');
        return;
      case 'CREATE_OUTSIDE':
        await this.writeOutside(pair, 'create');
        tracker.count('outbound', 'created');
        return;
      case 'RECREATE_OUTSIDE':
        await this.writeOutside(pair, 'recreate');
        tracker.count('outbound', 'created');
        return;
      case 'UPDATE_OUTSIDE':
        await this.writeOutside(pair, 'update', overwrite);
        tracker.count('outbound', 'updated');
        return;
      case 'DELETE_OUTSIDE':
        await this.deleteOutside(pair, overwrite || this.withdrawn(pair));
        tracker.count('outbound', 'deleted');
        return;
      case 'CREATE_HOST':
        await this.createHost(pair);
        tracker.count('inbound', 'created');
        return;
      case 'UPDATE_HOST':
      case 'RESTORE_HOST':
        await this.updateHost(pair);
        tracker.count('inbound', 'updated');
        return;
      case 'DELETE_HOST':
        await this.deleteHost(pair);
        tracker.count('inbound', 'deleted');
        return;
    }
  }

  /** The mapping to write: the pair's, or a new one for an adopted event / a new appointment. */
  private mappingFor(em: EntityManager, pair: Pair, appointmentId: HubId<'appointment'>): SyncMapping {
    if (pair.mapping) return em.merge(pair.mapping);
    const m = new SyncMapping({ tenantId: this.scope.link.tenantId, appointmentId, calendarId: pair.calendar.id, connectionId: this.scope.link.id });
    em.persist(m);
    pair.mapping = m;
    return m;
  }

  private recordProviderSide(m: SyncMapping, event: ExternalEvent, a: Appointment | null): void {
    m.externalEventId = event.id;
    m.iCalUid = event.iCalUid;
    m.providerVersion = event.version;
    m.providerHash = providerHash(event.data, this.extrasFor(a), this.projection);
    m.providerUpdatedAt = event.updatedAt ? new Date(event.updatedAt) : null;
    if (this.seriesOf.has(event)) m.providerSeries = this.seriesOf.get(event)!;
  }

  private recordHostSide(m: SyncMapping, a: Appointment): void {
    m.hostVersion = a.version;
    m.hostHash = hostHash(contentOf(a), extrasOf(a), this.projection);
  }

  private markSynced(m: SyncMapping): void {
    m.state = 'SYNCED';
    m.lastError = null;
    m.attempts = 0;
    m.nextAttemptAt = null;
    m.closedAt = null;
    m.lastSyncedAt = new Date();
    m.deriveKeys();
  }

  /**
   * After a mapping was stored as SYNCED for host version v: when the host moved on meanwhile (an
   * edit that arrived during the write), the pair goes back to PENDING. The host's writers set
   * PENDING after they store the appointment, so between the two no edit is lost.
   */
  private async recheckHost(m: SyncMapping): Promise<void> {
    if (m.hostVersion === null) return;
    const em = this.deps.orm.em.fork();
    const current = await em.findOne(Appointment, { id: m.appointmentId }, { fields: ['version'], disableIdentityMap: true });
    if (current && current.version !== m.hostVersion) {
      await em.nativeUpdate(SyncMapping, { id: m.id, state: 'SYNCED' }, { state: 'PENDING', updatedAt: new Date() });
    }
  }

  private async refreshVersions(pair: Pair): Promise<void> {
    // A provider version that moved with equal content (an echo, a provider-side touch) is stored
    // so the next If-Match uses it.
    const { mapping: m, event } = pair;
    if (!m || !event || m.externalEventId !== event.id || m.providerVersion === event.version) {
      if (m && m.state !== 'SYNCED' && m.state !== 'CONFLICT' && pair.appointment && this.hostSide(pair) === 'UNCHANGED') await this.settle(m);
      return;
    }
    const em = this.deps.orm.em.fork();
    const fresh = em.merge(m);
    this.recordProviderSide(fresh, event, pair.appointment);
    if (fresh.state === 'PENDING' && pair.appointment && this.hostSide(pair) === 'UNCHANGED') this.markSynced(fresh);
    await em.flush();
  }

  /** A pending pair whose host side turned out unchanged: nothing to write. */
  private async settle(m: SyncMapping): Promise<void> {
    const em = this.deps.orm.em.fork();
    const fresh = em.merge(m);
    this.markSynced(fresh);
    await em.flush();
    await this.recheckHost(fresh);
  }

  private async hold(pair: Pair): Promise<void> {
    if (!pair.mapping || pair.mapping.state === 'CONFLICT') return;
    const em = this.deps.orm.em.fork();
    const m = em.merge(pair.mapping);
    m.state = 'CONFLICT';
    await em.flush();
  }

  private async link(pair: Pair): Promise<void> {
    const { appointment: a, event } = pair;
    if (!a || !event) return;
    const em = this.deps.orm.em.fork();
    const m = this.mappingFor(em, pair, a.id);
    this.recordProviderSide(m, event, a);
    this.recordHostSide(m, a);
    this.markSynced(m);
    await em.flush();
    await this.recheckHost(m);
  }

  private async forget(pair: Pair): Promise<void> {
    if (!pair.mapping) return;
    const em = this.deps.orm.em.fork();
    const m = em.merge(pair.mapping);
    m.closedAt = new Date();
    m.state = 'SYNCED';
    m.lastError = null;
    await em.flush();
  }

  private async writeOutside(pair: Pair, mode: 'create' | 'recreate' | 'update', overwrite = false): Promise<void> {
    const a = pair.appointment;
    if (!a) return;
    const calendarId = asProviderCalendarId(pair.calendar.providerCalendarId);
    const em = this.deps.orm.em.fork();
    const m = this.mappingFor(em, pair, a.id);
    const { data: content, attendees, notices } = toProviderData(contentOf(a), extrasOf(a), this.projection);
    const data = this.series ? await this.series.outboundData(pair, content) : content;
    const before = m.providerSeries;
    let event: ExternalEvent;
    if (mode === 'update' && m.externalEventId !== null && m.closedAt === null && !pair.providerGone) {
      // The winner of a conflict overwrites; otherwise a provider change since the last sync is a 412.
      const ifMatch = overwrite ? null : pair.event?.id === m.externalEventId ? pair.event.version : m.providerVersion;
      event = await this.provider.updateEvent({ calendarId, eventId: asProviderEventId(m.externalEventId), data, ifMatch, attendees });
    } else if (mode === 'update' && pair.event && !pair.providerGone) {
      // Adopting one of the hub's own events found again: update that event.
      event = await this.provider.updateEvent({ calendarId, eventId: pair.event.id, data, ifMatch: null, attendees });
    } else if (a.seriesMasterId !== null && this.series) {
      // An exception: its occurrence exists with the series, it is updated, never created.
      event = await this.series.writeOccurrence(pair, data);
    } else {
      if (mode === 'recreate' || (m.externalEventId !== null && pair.providerGone)) {
        // The old event is gone: the new one gets the next tag generation (a new idempotency key).
        m.generation += 1;
        m.externalEventId = null;
      }
      const idempotencyKey = formatHubTag({ appointmentId: a.id, calendarId: pair.calendar.id, generation: m.generation });
      event = this.seen(await this.provider.createEvent({ calendarId, idempotencyKey, data, attendees }), m)!;
      if (!sameContent(contentOf(a), extrasOf(a), event.data, this.projection)) {
        // The key found the event of an earlier create of this pair whose answer was lost: it holds
        // the host's content of then, and the host moved on since. It gets the content of now — with
        // If-Match, so a change made to it this very moment sends the pair back to classification.
        event = await this.provider.updateEvent({ calendarId, eventId: event.id, data, ifMatch: event.version, attendees });
      }
    }
    event = this.seen(event, m)!;
    this.recordProviderSide(m, event, a);
    this.recordHostSide(m, a);
    this.markSynced(m);
    await em.flush();
    pair.event = event;
    pair.providerGone = false;
    await this.recheckHost(m);
    await this.series?.written(pair, before, m.providerSeries, this);
    await this.reportFieldNotices(m, a, notices);
  }

  /**
   * What the last write could not hold (reminders dropped, text cut) is a WARNING sync issue of the
   * pair, one per kind; a write that held everything resolves them.
   */
  private async reportFieldNotices(m: SyncMapping, a: Appointment, notices: FieldNotice[]): Promise<void> {
    const { link } = this.scope;
    const raised = new Set<string>();
    for (const n of notices) {
      const key = `${n.code}:${m.id}${n.code === 'FIELD_TRUNCATED' ? `:${n.field}` : ''}`;
      raised.add(key);
      const notice = n.code === 'REMINDERS_DROPPED' ? remindersDropped({ provider: link.provider, kept: n.kept, dropped: n.dropped }) : fieldTruncated({ provider: link.provider, ...n });
      await this.deps.issues.raise(notice, key, { tenantId: link.tenantId, userId: link.userId, connectionId: link.id, appointmentId: a.id, mappingId: m.id, details: { ...n } });
    }
    for (const key of [`REMINDERS_DROPPED:${m.id}`, `FIELD_TRUNCATED:${m.id}:subject`, `FIELD_TRUNCATED:${m.id}:body`]) {
      if (!raised.has(key)) await this.deps.issues.resolve(link.tenantId, key);
    }
  }

  private async deleteOutside(pair: Pair, overwrite: boolean): Promise<void> {
    const m0 = pair.mapping;
    // The pair's event; or, when the pair holds none (closed, or its create never heard back), the
    // hub's own event found by its tag — an orphan of a create whose answer was lost.
    const eventId = m0 && m0.closedAt === null && m0.externalEventId !== null ? m0.externalEventId : (pair.event?.id ?? m0?.externalEventId ?? null);
    if (eventId && !pair.providerGone) {
      const ifMatch = overwrite || !m0 || m0.externalEventId !== eventId ? null : pair.event?.id === eventId ? pair.event.version : m0.providerVersion;
      await this.provider.deleteEvent({ calendarId: asProviderCalendarId(pair.calendar.providerCalendarId), eventId: asProviderEventId(eventId), ifMatch, notifyAttendees: this.scope.settings.writeAttendees });
    }
    const em = this.deps.orm.em.fork();
    if (m0) {
      const m = em.merge(m0);
      m.closedAt = new Date();
      m.state = 'SYNCED';
      m.lastError = null;
      m.lastSyncedAt = new Date();
    } else if (pair.appointment) {
      // An adopted event of a deleted appointment: keep a closed mapping as the record of the pair.
      const m = this.mappingFor(em, pair, pair.appointment.id);
      if (pair.event) this.recordProviderSide(m, pair.event, pair.appointment);
      m.closedAt = new Date();
      m.state = 'SYNCED';
    }
    await em.flush();
  }

  /** A provider event becomes a host appointment of the link's owner. */
  private async createHost(pair: Pair): Promise<void> {
    const { event } = pair;
    if (!event) return;
    const { link } = this.scope;
    const content = toHostContent(event.data, this.projection);
    const a = new Appointment({ tenantId: link.tenantId, ownerId: link.userId, timing: content.timing });
    applyContent(a, content);
    a.attendees = content.attendees;
    a.origin = providerKindOf(link.provider);
    a.contentChangedAt = event.updatedAt ? new Date(event.updatedAt) : new Date();
    if (pair.occurrence) {
      a.seriesMasterId = pair.occurrence.seriesMasterId;
      a.originalStart = pair.occurrence.originalStart;
    }
    await inTransaction(this.deps.orm.em.fork(), async (em) => {
      await insertAppointment(em, a);
      const m = new SyncMapping({ tenantId: link.tenantId, appointmentId: a.id, calendarId: pair.calendar.id, connectionId: link.id });
      this.recordProviderSide(m, event, a);
      this.recordHostSide(m, a);
      this.markSynced(m);
      em.persist(m);
      pair.mapping = m;
      await this.deps.changes.record(em, this.change(a, 'CREATED'));
      await em.flush();
    });
    pair.appointment = a;
    await this.announce(a, 'CREATED');
  }

  /** The provider's content goes into the appointment (restoring it when the host had deleted it). */
  private async updateHost(pair: Pair): Promise<void> {
    const { event } = pair;
    const a = pair.appointment;
    if (!event || !a) return;
    const expected = a.version;
    const restored = a.deleted;
    const content = mergeIntoHost(contentOf(a), extrasOf(a), event.data, this.projection);
    applyContent(a, content);
    a.deleted = false;
    a.deletedAt = null;
    a.contentChangedAt = event.updatedAt ? new Date(event.updatedAt) : new Date();
    await inTransaction(this.deps.orm.em.fork(), async (em) => {
      await updateAppointment(em, a, expected);
      const m = this.mappingFor(em, pair, a.id);
      this.recordProviderSide(m, event, a);
      this.recordHostSide(m, a);
      this.markSynced(m);
      await this.deps.changes.record(em, this.change(a, restored ? 'CREATED' : 'UPDATED'));
      await em.flush();
    });
    await this.announce(a, restored ? 'CREATED' : 'UPDATED');
  }

  private async deleteHost(pair: Pair): Promise<void> {
    const a = pair.appointment;
    const m0 = pair.mapping;
    if (!a || a.deleted) {
      if (m0) await this.forget(pair);
      return;
    }
    const expected = a.version;
    a.deleted = true;
    a.deletedAt = new Date();
    a.contentChangedAt = new Date();
    let exceptions: Appointment[] = [];
    await inTransaction(this.deps.orm.em.fork(), async (em) => {
      await updateAppointment(em, a, expected);
      if (m0) closeMapping(em.merge(m0), a);
      await this.deps.changes.record(em, this.change(a, 'DELETED'));
      exceptions = a.recurrence === null ? [] : await this.deleteExceptionsOf(em, a);
      await em.flush();
    });
    await this.announce(a, 'DELETED');
    for (const x of exceptions) await this.announce(x, 'DELETED');
  }

  /**
   * A series deleted in the calendar takes the host's exceptions of it along, as a series deleted in
   * the host does (appointment.service.ts). An exception whose edit had not gone out yet goes too:
   * its occurrence no longer exists anywhere, and kept alone it would be retried forever against
   * an event that cannot be written (found by the chaos model's series commands). A host write
   * racing this one fails the transaction on the version check, and the next run decides again.
   */
  private async deleteExceptionsOf(em: EntityManager, master: Appointment): Promise<Appointment[]> {
    const exceptions = await em.find(Appointment, { tenantId: master.tenantId, seriesMasterId: master.id, deleted: false }, { disableIdentityMap: true });
    if (exceptions.length === 0) return [];
    const mappings = await em.find(SyncMapping, { appointmentId: { $in: exceptions.map((x) => x.id) }, closedAt: null });
    for (const x of exceptions) {
      const expected = x.version;
      x.deleted = true;
      x.deletedAt = master.deletedAt;
      x.contentChangedAt = master.contentChangedAt;
      await updateAppointment(em, x, expected);
      for (const m of mappings) if (m.appointmentId === x.id) closeMapping(m, x);
      await this.deps.changes.record(em, this.change(x, 'DELETED'));
    }
    return exceptions;
  }

  private change(a: Appointment, kind: AppointmentChangeKind) {
    const { link } = this.scope;
    return { tenantId: link.tenantId, appointmentId: a.id, userId: a.ownerId, kind, provider: link.provider, connectionId: link.id, at: new Date() };
  }

  private async announce(a: Appointment, kind: AppointmentChangeKind): Promise<void> {
    await announce(this.deps, TOPICS.APPOINTMENT_CHANGED, {
        tenantId: a.tenantId as HubId<'tenant'>,
        appointmentId: a.id as HubId<'appointment'>,
        userId: a.ownerId as HubId<'hostUser'>,
        kind,
        source: providerKindOf(this.scope.link.provider),
        at: new Date().toISOString(),
      }, { appointmentId: a.id });
  }

  // ---------------------------------------------------------------------------------------------
  // Conflicts

  private async recordConflict(pair: Pair, decision: Decision): Promise<void> {
    const { conflict } = decision;
    const { mapping: m, appointment: a } = pair;
    if (!conflict || !m || !a) return;
    const em = this.deps.orm.em.fork();
    // A pair held for a manual choice keeps one open conflict, however often it is seen again.
    if (conflict.winner === null && (await em.count(Conflict, { mappingId: m.id, status: 'OPEN' })) > 0) return;
    const hostSnapshot: EventData | null = a.deleted ? null : contentOf(a);
    const providerSnapshot: EventData | null = pair.providerGone || !pair.event ? null : toHostContent(pair.event.data, this.projection, extrasOf(a));
    const c = new Conflict({
      tenantId: a.tenantId,
      mappingId: m.id,
      appointmentId: a.id,
      connectionId: this.scope.link.id,
      kind: conflict.kind,
      hostSnapshot,
      providerSnapshot,
      policy: this.scope.settings.conflictPolicy,
    });
    c.reason = conflict.reason;
    c.hostChangedAt = a.contentChangedAt;
    c.providerChangedAt = pair.event?.updatedAt ? new Date(pair.event.updatedAt) : null;
    if (conflict.winner !== null) {
      c.decision = conflict.winner;
      c.status = 'RESOLVED';
      c.resolvedAt = new Date();
      c.resolvedBy = 'POLICY';
    }
    await em.persist(c).flush();
    await announce(this.deps, TOPICS.CONFLICT_DETECTED, {
        tenantId: a.tenantId as HubId<'tenant'>,
        conflictId: c.id as HubId<'conflict'>,
        connectionId: this.scope.link.id as HubId<'connection'>,
        appointmentId: a.id as HubId<'appointment'>,
        at: new Date().toISOString(),
      }, { conflictId: c.id });
  }
}

/** The pair of a deleted appointment is done: closed, nothing left to write. */
function closeMapping(m: SyncMapping, a: Appointment): void {
  m.closedAt = new Date();
  m.state = 'SYNCED';
  m.lastError = null;
  m.hostVersion = a.version;
  m.lastSyncedAt = new Date();
}
