import type { EventData } from '../domain/appointment.js';
import type { HubId } from '../domain/ids.js';
import { providerKindOf } from '../domain/model.js';
import { graphSeriesOf } from '../domain/recurrence/graph-pattern.js';
import { occurrenceValue } from '../domain/recurrence/host-support.js';
import {
  eventTypeUnsupported,
  recurrenceNotWritable,
  seriesExceptionsDropped,
  seriesNotice,
  type SyncIssueCode,
  type SyncIssueNotice,
} from '../domain/sync-issue.js';
import { recurrenceToWrite, seriesShapeChanged, viewOfSeries, type ProviderSeriesState } from '../domain/sync/series.js';
import type { Logger } from '../logger.js';
import {
  asProviderCalendarId,
  asProviderEventId,
  ProviderError,
  type EventChange,
  type ExternalEvent,
} from '../providers/calendar-provider.js';
import { Appointment, SyncMapping, type Calendar, type SyncIssue } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { loadAppointment, loadAppointments } from './appointment-store.js';
import type { Pair, PairSeriesHooks, PairSync, RunScope } from './pair-sync.js';
import type { SyncIssues } from './sync-issues.service.js';

type DeleteChange = Extract<EventChange, { type: 'DELETE' }>;

const DAY_MS = 86_400_000;
const CHUNK = 200;

/** Notices about an item that came from a calendar (keyed by its event id). */
const EVENT_CODES: readonly SyncIssueCode[] = [
  'HOST_NO_SERIES',
  'HOST_FIRST_OCCURRENCE_ONLY',
  'HOST_NO_DAILY_RECURRENCE',
  'HOST_NO_EXCEPTIONS',
  'HOST_WEEK_START_MISMATCH',
  'ENDLESS_SERIES_CAPPED',
  'RECURRENCE_NOT_REPRESENTABLE',
  'EVENT_TYPE_UNSUPPORTED',
];
/** Notices about a host appointment written to a calendar (keyed by its appointment id). */
const HOST_CODES: readonly SyncIssueCode[] = ['RECURRENCE_NOT_REPRESENTABLE', 'SERIES_EXCEPTIONS_DROPPED'];

/** Whether a calendar event starts after the link was activated, or was edited after it (only those are imported). */
export function afterActivation(event: ExternalEvent, activatedAt: Date | null): boolean {
  const since = activatedAt?.getTime() ?? 0;
  const t = event.data.timing;
  const start = t.allDay ? Date.parse(`${t.startDate}T00:00:00Z`) : Date.parse(t.start);
  const updated = event.updatedAt ? Date.parse(event.updatedAt) : Number.NaN;
  return start >= since || (!Number.isNaN(updated) && updated >= since);
}

/** The part of an adapter's "cannot read this recurrence: <part>." reason that names what is wrong. */
const partOf = (reason: string) => (reason.includes(': ') ? reason.slice(reason.indexOf(': ') + 2) : reason).replace(/\.$/, '');

/**
 * Series through the engine for one run (docs/sync.md#series): series masters, exceptions (moved
 * or edited occurrences, each an appointment of its own with `seriesMasterId` + `originalStart`) and
 * cancelled occurrences (EXDATEs of the master), both ways, shaped by the tenant's host profile, and
 * the notices users get when a series cannot sync as it is.
 *
 * The engine calls it around its inbound read (`resolveChanges`, `admit`, `syncException`,
 * `reportAdmitted`) and its outbound writes (`outboundOrder`, `afterOutbound`); PairSync calls the
 * `PairSeriesHooks` for what a pair reads and writes.
 */
export class SeriesSync implements PairSeriesHooks {
  /** Cancelled occurrences named by this read's deletions (Google cancelled instances), by master event id. */
  private readonly learnedCancelled = new Map<string, Set<string>>();
  /** Occurrences a host without exceptions is not given, as this read leaves them, by master event id. */
  private readonly learnedUnmirrored = new Map<string, ProviderSeriesState['unmirrored']>();
  /** Warnings of admitted series, by event id, reported with their appointment once the read is applied. */
  private readonly admitted = new Map<string, SyncIssueNotice[]>();
  /** The link's open item notices by dedupe key, loaded once per run. */
  private open: Map<string, SyncIssue> | null = null;

  constructor(
    private readonly deps: { orm: Orm; issues: SyncIssues; logger: Logger },
    private readonly scope: RunScope,
  ) {}

  private get profile() {
    return this.scope.settings.hostProfile;
  }

  private get link() {
    return this.scope.link;
  }

  // -----------------------------------------------------------------------------------------------
  // Inbound

  /**
   * Completes what a read says about series before anything is applied:
   * - a cancelled occurrence (a deletion naming its master, or the deletion of an exception the hub
   *   mirrors) is kept for its master (Google cancelled instances are not repeated with the master),
   *   and the master is read again so the host gets the EXDATE;
   * - Graph deletions that name nothing are resolved against the masters the hub knows (mirrored
   *   series and series held back by a notice): each is read again — with its cancelled occurrences —
   *   or found deleted; skipped when the masters of the read account for them;
   * - moved or edited occurrences a host without exceptions is not given are kept on their master;
   * - notices about items deleted in this read are resolved.
   */
  async resolveChanges(calendar: Calendar, upserts: Map<string, ExternalEvent>, deletes: Map<string, DeleteChange>): Promise<void> {
    const em = this.deps.orm.em.fork();
    const mappedDeletes = await this.liveMappingsByEventId(calendar, [...deletes.keys()]);
    const exceptionsGone = (await loadAppointments(em, this.link.tenantId, [...mappedDeletes.values()].map((m) => m.appointmentId))).filter((a) => a.seriesMasterId !== null);
    const masterMappings = new Map((await this.liveMappingsOf(calendar, exceptionsGone.map((a) => a.seriesMasterId!))).map((m) => [m.appointmentId, m]));

    const refresh = new Set<string>();
    const learn = (masterEventId: string, originalStart: string) => {
      if (deletes.has(masterEventId)) return;
      let set = this.learnedCancelled.get(masterEventId);
      if (!set) this.learnedCancelled.set(masterEventId, (set = new Set()));
      set.add(occurrenceValue(originalStart));
      refresh.add(masterEventId);
    };
    for (const d of deletes.values()) if (d.seriesMasterId && d.originalStart) learn(d.seriesMasterId, d.originalStart);
    // A mirrored exception deleted at the provider: its occurrence is cancelled (the master says so, on Graph in its cancelledOccurrences).
    for (const x of exceptionsGone) {
      const master = masterMappings.get(x.seriesMasterId!);
      if (master?.externalEventId && !deletes.has(master.externalEventId)) refresh.add(master.externalEventId);
    }

    const known = deletes.size > 0 ? await this.knownMasters(calendar) : { masters: [], states: new Map<string, ProviderSeriesState | null>(), unmirrored: new Map<string, string>() };
    const unexplained = [...deletes.values()].filter((d) => d.seriesMasterId === null && !mappedDeletes.has(d.eventId) && !known.unmirrored.has(d.eventId));
    if (this.link.provider === 'microsoft-graph' && unexplained.length > 0 && this.newlyCancelled(upserts, known.states) < unexplained.length) {
      for (const id of known.masters) refresh.add(id);
    }

    // Read the masters again that this read did not bring: alive they are decided as changed series, gone as deleted ones.
    for (const id of refresh) {
      if (upserts.has(id) || deletes.has(id)) continue;
      const fresh = await this.scope.provider.getEvent(asProviderCalendarId(calendar.providerCalendarId), asProviderEventId(id));
      if (fresh) upserts.set(id, fresh);
      else deletes.set(id, { type: 'DELETE', eventId: asProviderEventId(id), seriesMasterId: null, originalStart: null });
    }

    await this.keepSeriesKnowledge(calendar, upserts, deletes, known.unmirrored);
    await this.exceptionsGoneWithTheirOccurrence(calendar, upserts, deletes);
    for (const id of deletes.keys()) await this.reconcileEvent(id, [], null);
  }

  /**
   * Mirrored exceptions whose events the read does not report gone, although they are: an
   * occurrence the series shows cancelled has no exception, and a series whose first occurrence or
   * rule changed may have dropped its exceptions (Outlook does; their events are checked). Graph
   * delta reports only the net change since the last read, so an exception the hub wrote after it
   * and the calendar dropped before the next one is never reported removed.
   */
  private async exceptionsGoneWithTheirOccurrence(calendar: Calendar, upserts: Map<string, ExternalEvent>, deletes: Map<string, DeleteChange>): Promise<void> {
    const masters = [...upserts.values()].filter((e) => e.kind === 'SERIES_MASTER' && e.data.recurrence !== null);
    if (masters.length === 0) return;
    const em = this.deps.orm.em.fork();
    const calendarId = asProviderCalendarId(calendar.providerCalendarId);
    const mappings = await this.liveMappingsByEventId(calendar, masters.map((e) => e.id));
    for (const master of masters) {
      const m = mappings.get(master.id);
      if (!m) continue;
      const state = m.providerSeries;
      const cancelled = new Set([...master.data.recurrence!.exdates, ...(state?.cancelled ?? []), ...(this.learnedCancelled.get(master.id) ?? [])].map(occurrenceValue));
      const reshaped = state !== null && seriesShapeChanged(state, { recurrence: master.data.recurrence!, timing: master.data.timing });
      if (cancelled.size === 0 && !reshaped) continue;
      for (const x of await em.find(Appointment, { tenantId: this.link.tenantId, seriesMasterId: m.appointmentId, deleted: false }, { fields: ['id', 'originalStart'], disableIdentityMap: true })) {
        const own = await em.findOne(SyncMapping, { appointmentId: x.id, calendarId: calendar.id, closedAt: null }, { fields: ['externalEventId'] });
        const id = own?.externalEventId;
        if (!id || deletes.has(id) || upserts.has(id)) continue;
        const gone = cancelled.has(occurrenceValue(x.originalStart!)) || (reshaped && !(await this.scope.provider.getEvent(calendarId, asProviderEventId(id))));
        if (gone) deletes.set(id, { type: 'DELETE', eventId: asProviderEventId(id), seriesMasterId: null, originalStart: null });
      }
    }
  }

  /** Occurrences the masters of a read show cancelled that the hub did not know of (new masters: all of theirs). */
  private newlyCancelled(upserts: Map<string, ExternalEvent>, states: Map<string, ProviderSeriesState | null>): number {
    let n = 0;
    for (const e of upserts.values()) {
      if (e.kind !== 'SERIES_MASTER' || !e.data.recurrence) continue;
      const before = new Set((states.get(e.id)?.recurrence.exdates ?? []).map(occurrenceValue));
      n += e.data.recurrence.exdates.filter((d) => !before.has(occurrenceValue(d))).length;
    }
    return n;
  }

  /** The masters the hub knows in this calendar: mirrored series (with what their pairs keep) and series held back by an open notice. */
  private async knownMasters(calendar: Calendar): Promise<{ masters: string[]; states: Map<string, ProviderSeriesState | null>; unmirrored: Map<string, string> }> {
    const em = this.deps.orm.em.fork();
    const mapped = await em.find(SyncMapping, { calendarId: calendar.id, closedAt: null, providerSeries: { $ne: null } }, { fields: ['externalEventId', 'providerSeries'] });
    const states = new Map<string, ProviderSeriesState | null>();
    const unmirrored = new Map<string, string>();
    for (const m of mapped) {
      if (!m.externalEventId) continue;
      states.set(m.externalEventId, m.providerSeries);
      for (const x of m.providerSeries?.unmirrored ?? []) unmirrored.set(x.eventId, m.externalEventId);
    }
    const held = [...(await this.openIssues()).values()].map((i) => i.externalEventId).filter((id): id is string => id !== null);
    return { masters: [...new Set([...states.keys(), ...held])], states, unmirrored };
  }

  /**
   * Stores what the pairs of mirrored masters must keep beyond this read: cancelled occurrences
   * named by deletions, and the moved or edited occurrences a host without exceptions is not given
   * (with their removals). A master whose view changes without a new version at the provider
   * (Google keeps cancelled instances apart from the master) loses its stored version, so the
   * master read again counts as changed.
   */
  private async keepSeriesKnowledge(calendar: Calendar, upserts: Map<string, ExternalEvent>, deletes: Map<string, DeleteChange>, unmirroredOf: Map<string, string>): Promise<void> {
    const withoutExceptions = this.profile.recurrence === 'FULL' && !this.profile.supportsExceptions;
    const exceptions = withoutExceptions ? [...upserts.values()].filter((e) => e.kind === 'EXCEPTION' && e.seriesMasterId && e.originalStart) : [];
    const removed = withoutExceptions ? [...deletes.keys()].filter((id) => unmirroredOf.has(id)) : [];
    const masterIds = new Set([...this.learnedCancelled.keys(), ...exceptions.map((e) => e.seriesMasterId!), ...removed.map((id) => unmirroredOf.get(id)!)]);
    if (masterIds.size === 0) return;
    const em = this.deps.orm.em.fork();
    const mapped = await this.liveMappingsByEventId(calendar, [...masterIds]);
    for (const id of masterIds) {
      if (deletes.has(id)) continue;
      // The master is decided again with what it keeps (read again when this read did not bring it).
      let master = upserts.get(id);
      if (!master) {
        const fresh = await this.scope.provider.getEvent(asProviderCalendarId(calendar.providerCalendarId), asProviderEventId(id));
        if (!fresh) {
          deletes.set(id, { type: 'DELETE', eventId: asProviderEventId(id), seriesMasterId: null, originalStart: null });
          continue;
        }
        upserts.set(id, (master = fresh));
      }
      const m = mapped.get(id);
      const state = m?.providerSeries ?? null;
      const cancelled = new Set([...(state?.cancelled ?? []), ...(this.learnedCancelled.get(id) ?? [])]);
      const unmirrored = new Map((state?.unmirrored ?? []).map((x) => [x.eventId, x.originalStart]));
      for (const x of exceptions) {
        if (x.seriesMasterId !== id) continue;
        // An occurrence moved back to where the series puts it, unchanged otherwise, is no exception any more.
        if (isRegularOccurrence(x, master.data)) unmirrored.delete(x.id);
        else unmirrored.set(x.id, occurrenceValue(x.originalStart!));
      }
      for (const x of removed) if (unmirroredOf.get(x) === id) unmirrored.delete(x);
      const kept = [...unmirrored].map(([eventId, originalStart]) => ({ eventId, originalStart }));
      this.learnedUnmirrored.set(id, kept);
      if (!m) continue;
      const newCancellation = cancelled.size !== (state?.cancelled.length ?? 0);
      const next = state ? { ...state, cancelled: [...cancelled].sort(), unmirrored: kept } : null;
      if (!newCancellation && JSON.stringify(next) === JSON.stringify(state)) continue;
      await em.nativeUpdate(SyncMapping, { id: m.id }, { ...(next ? { providerSeries: next } : {}), ...(newCancellation ? { providerVersion: null } : {}), updatedAt: new Date() });
    }
  }

  /**
   * Whether an event from a calendar goes on to be decided: a series the host cannot hold, or an
   * item of a kind that cannot be an appointment, is held back with a blocking notice (for items
   * the hub would import or already mirrors); warnings are reported with the appointment after the
   * read (`reportAdmitted`).
   */
  async admit(event: ExternalEvent, mapping: SyncMapping | null): Promise<boolean> {
    const { blocked, notices } = this.assess(event, mapping);
    if (!blocked) {
      this.admitted.set(event.id, notices);
      return true;
    }
    const concerned = mapping !== null || afterActivation(event, this.link.activatedAt);
    await this.reconcileEvent(event.id, concerned ? notices : [], mapping?.appointmentId ?? null);
    return false;
  }

  /** Reports the warnings of the series admitted in this read, with the appointments they became. */
  async reportAdmitted(calendar: Calendar): Promise<void> {
    const byEvent = await this.liveMappingsByEventId(calendar, [...this.admitted.keys()]);
    for (const [id, notices] of this.admitted) {
      const m = byEvent.get(id);
      await this.reconcileEvent(id, m ? notices : [], m?.appointmentId ?? null);
    }
    this.admitted.clear();
  }

  private assess(event: ExternalEvent, mapping: SyncMapping | null): { blocked: boolean; notices: SyncIssueNotice[] } {
    const item = { subject: event.data.subject, side: providerKindOf(this.link.provider) };
    if (event.unsupportedReason !== null) {
      const unreadableSeries = event.kind === 'SERIES_MASTER' && event.data.recurrence === null;
      const notice = unreadableSeries
        ? seriesNotice({ code: 'RECURRENCE_NOT_REPRESENTABLE', part: partOf(event.unsupportedReason) }, item)
        : eventTypeUnsupported({ ...item, reason: event.unsupportedReason });
      return { blocked: true, notices: [notice] };
    }
    if (event.kind !== 'SERIES_MASTER' || event.data.recurrence === null) return { blocked: false, notices: [] };
    const view = viewOfSeries(event.data, this.stateFor(event, mapping), this.profile);
    return { blocked: view.blocked, notices: view.findings.map((f) => seriesNotice(f, item)) };
  }

  /**
   * A moved or edited occurrence from a calendar: the exception appointment it is mirrored as, or a
   * new one of its series' appointment (an exception the host made for that occurrence whose write
   * was not answered is found by its occurrence, never duplicated). Occurrences of series the host
   * does not mirror, or that a host without exceptions is not given, are skipped.
   */
  async syncException(pairs: PairSync, calendar: Calendar, event: ExternalEvent, mapping: SyncMapping | null): Promise<void> {
    const em = this.deps.orm.em.fork();
    if (mapping) {
      const appointment = await loadAppointment(em, { id: mapping.appointmentId });
      await pairs.sync({ calendar, mapping, appointment, event, providerGone: false }, 'inbound');
      return;
    }
    const skip = () => this.scope.tracker.count('inbound', 'skipped');
    if (this.profile.recurrence !== 'FULL' || !this.profile.supportsExceptions || !event.seriesMasterId || !event.originalStart) return skip();
    const master = (await this.liveMappingsByEventId(calendar, [event.seriesMasterId])).get(event.seriesMasterId);
    const series = master ? await loadAppointment(em, { id: master.appointmentId }) : null;
    if (!series || series.deleted || series.recurrence === null) return skip();
    const originalStart = occurrenceValue(event.originalStart);
    const existing = await em.findOne(Appointment, { tenantId: series.tenantId, seriesMasterId: series.id, originalStart, deleted: false }, { disableIdentityMap: true });
    if (existing) {
      const own = await em.findOne(SyncMapping, { appointmentId: existing.id, calendarId: calendar.id });
      await pairs.sync({ calendar, mapping: own, appointment: existing, event, providerGone: false }, 'inbound');
      return;
    }
    await pairs.sync({ calendar, mapping: null, appointment: null, event, providerGone: false, occurrence: { seriesMasterId: series.id, originalStart } }, 'inbound');
  }

  /** Series masters first (their exceptions need their appointment), exceptions last. */
  ordered(events: ExternalEvent[]): ExternalEvent[] {
    const rank = (e: ExternalEvent) => (e.kind === 'SERIES_MASTER' ? 0 : e.kind === 'EXCEPTION' ? 2 : 1);
    return [...events].sort((a, b) => rank(a) - rank(b));
  }

  // -----------------------------------------------------------------------------------------------
  // PairSync hooks

  view(event: ExternalEvent, mapping: SyncMapping | null): { event: ExternalEvent; series: ProviderSeriesState | null } {
    if (event.kind !== 'SERIES_MASTER' || event.data.recurrence === null) return { event, series: null };
    const state = this.stateFor(event, mapping);
    const view = viewOfSeries(event.data, state, this.profile);
    const data: EventData = view.blocked ? event.data : { ...event.data, recurrence: view.recurrence };
    return { event: { ...event, data }, series: { recurrence: event.data.recurrence, timing: event.data.timing, ...state } };
  }

  /**
   * The host's version of a series as it is written: what the host kept of the view it was given
   * stays as the calendar has it (`recurrenceToWrite`). A rule Outlook cannot hold is refused
   * with a notice naming the part (nothing is written, the pair is UNSUPPORTED until the host
   * changes it).
   */
  async outboundData(pair: Pair, data: EventData): Promise<EventData> {
    const a = pair.appointment!;
    if (a.seriesMasterId !== null) return data;
    const state = pair.mapping?.providerSeries ?? null;
    const out = state ? { ...data, recurrence: recurrenceToWrite(data.recurrence, state, this.profile) } : data;
    if (out.recurrence === null || this.link.provider !== 'microsoft-graph') return out;
    const key = this.hostKey('RECURRENCE_NOT_REPRESENTABLE', a.id);
    const graph = graphSeriesOf(out.recurrence, out.timing);
    if (!graph.ok) {
      const notice = recurrenceNotWritable({ subject: a.subject, provider: this.link.provider, part: graph.reason.replace(/\.$/, ''), firstOffPattern: graph.firstOffPattern === true });
      await this.raise(notice, key, { appointmentId: a.id, side: 'HOST', mappingId: pair.mapping?.id ?? null });
      throw new ProviderError('UNSUPPORTED', graph.reason);
    }
    await this.resolveKey(key);
    return out;
  }

  /**
   * A host exception goes into its occurrence: found among the series' instances by its original
   * start, then updated (it becomes an exception at the provider). The series must be in the
   * calendar first; the outbound run writes series before exceptions.
   */
  async writeOccurrence(pair: Pair, data: EventData): Promise<ExternalEvent> {
    const a = pair.appointment!;
    const calendarId = asProviderCalendarId(pair.calendar.providerCalendarId);
    const master = await this.deps.orm.em.fork().findOne(SyncMapping, { appointmentId: a.seriesMasterId!, calendarId: pair.calendar.id, closedAt: null });
    if (!master?.externalEventId) throw new ProviderError('UNKNOWN', 'Its series is not in the calendar yet; the occurrence is written once the series is.');
    const at = Date.parse(a.timing.allDay ? `${a.originalStart}T00:00:00Z` : a.originalStart!);
    const window = { start: new Date(at - 2 * DAY_MS).toISOString(), end: new Date(at + 2 * DAY_MS).toISOString() };
    const instances = await this.scope.provider.getSeriesInstances(calendarId, asProviderEventId(master.externalEventId), window);
    const occurrence = instances.find((i) => i.originalStart !== null && occurrenceValue(i.originalStart) === occurrenceValue(a.originalStart!));
    if (!occurrence) throw new ProviderError('UNKNOWN', `The series has no occurrence at ${a.originalStart} in the calendar (it may have been cancelled there).`);
    return this.scope.provider.updateEvent({ calendarId, eventId: occurrence.id, data, ifMatch: null });
  }

  /**
   * After the host's version of a series was written: a calendar may drop a series' moved and
   * edited occurrences when its first occurrence or its rule changes (Outlook does), and the hub
   * follows it — the exceptions whose events are gone are deleted here too — and tells the user.
   */
  async written(pair: Pair, before: ProviderSeriesState | null, after: ProviderSeriesState | null, pairs: PairSync): Promise<void> {
    const a = pair.appointment;
    if (!a || a.recurrence === null || a.seriesMasterId !== null || !before || !after) return;
    const key = this.hostKey('SERIES_EXCEPTIONS_DROPPED', a.id);
    const dropped = seriesShapeChanged(before, after) ? await this.dropGoneExceptions(pairs, pair.calendar, a.id) : 0;
    if (dropped === 0) return void (await this.resolveKey(key));
    await this.raise(seriesExceptionsDropped({ subject: a.subject, count: dropped, provider: this.link.provider }), key, { appointmentId: a.id, side: 'HOST', mappingId: pair.mapping?.id ?? null });
  }

  /** Deletes the exception appointments of a series whose events the calendar no longer has; returns how many. */
  private async dropGoneExceptions(pairs: PairSync, calendar: Calendar, masterId: HubId<'appointment'>): Promise<number> {
    const em = this.deps.orm.em.fork();
    const calendarId = asProviderCalendarId(calendar.providerCalendarId);
    let dropped = 0;
    for (const x of await em.find(Appointment, { tenantId: this.link.tenantId, seriesMasterId: masterId, deleted: false }, { disableIdentityMap: true })) {
      const m = await em.findOne(SyncMapping, { appointmentId: x.id, calendarId: calendar.id, closedAt: null });
      if (!m?.externalEventId || (await this.scope.provider.getEvent(calendarId, asProviderEventId(m.externalEventId)))) continue;
      await pairs.sync({ calendar, mapping: m, appointment: x, event: null, providerGone: true }, 'inbound');
      dropped += 1;
    }
    return dropped;
  }

  // -----------------------------------------------------------------------------------------------
  // Outbound

  /** Series before their exceptions, so an exception finds its series in the calendar. */
  outboundOrder(batch: SyncMapping[], appointments: Map<string, Appointment>): SyncMapping[] {
    const isException = (m: SyncMapping) => (appointments.get(m.appointmentId)?.seriesMasterId ?? null) !== null;
    return [...batch.filter((m) => !isException(m)), ...batch.filter(isException)];
  }

  /** A host appointment that was deleted takes its notices with it. */
  async afterOutbound(pair: Pair): Promise<void> {
    const a = pair.appointment;
    if (!a?.deleted) return;
    for (const code of HOST_CODES) await this.resolveKey(this.hostKey(code, a.id));
  }

  // -----------------------------------------------------------------------------------------------
  // Pair knowledge and notices

  /** What the pair keeps of a series, with what this read added. */
  private stateFor(event: ExternalEvent, mapping: SyncMapping | null): Pick<ProviderSeriesState, 'cancelled' | 'unmirrored'> {
    const prior = mapping && mapping.externalEventId === event.id ? mapping.providerSeries : null;
    const cancelled = [...new Set([...(prior?.cancelled ?? []), ...(this.learnedCancelled.get(event.id) ?? [])])].sort();
    return { cancelled, unmirrored: this.learnedUnmirrored.get(event.id) ?? prior?.unmirrored ?? [] };
  }

  private async liveMappingsByEventId(calendar: Calendar, ids: string[]): Promise<Map<string, SyncMapping>> {
    const em = this.deps.orm.em.fork();
    const out = new Map<string, SyncMapping>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const m of await em.find(SyncMapping, { calendarId: calendar.id, externalKey: { $in: ids.slice(i, i + CHUNK) }, closedAt: null })) out.set(m.externalEventId!, m);
    }
    return out;
  }

  private async liveMappingsOf(calendar: Calendar, appointmentIds: HubId<'appointment'>[]): Promise<SyncMapping[]> {
    if (appointmentIds.length === 0) return [];
    return this.deps.orm.em.fork().find(SyncMapping, { calendarId: calendar.id, appointmentId: { $in: [...new Set(appointmentIds)] }, closedAt: null });
  }

  private eventKey(code: SyncIssueCode, eventId: string): string {
    return `${code}:${this.link.id}:event:${eventId}`;
  }

  private hostKey(code: SyncIssueCode, appointmentId: string): string {
    return `${code}:${this.link.id}:host:${appointmentId}`;
  }

  private async openIssues(): Promise<Map<string, SyncIssue>> {
    this.open ??= new Map((await this.deps.issues.openOf(this.link.id, [...new Set([...EVENT_CODES, ...HOST_CODES])])).map((i) => [i.dedupeKey, i]));
    return this.open;
  }

  private async raise(notice: SyncIssueNotice, key: string, item: { appointmentId: HubId<'appointment'> | null; side: 'HOST' | 'MICROSOFT' | 'GOOGLE'; externalEventId?: string; mappingId?: HubId<'syncMapping'> | null }): Promise<void> {
    const { link } = this;
    const issue = await this.deps.issues.raise(notice, key, {
      tenantId: link.tenantId,
      userId: link.userId,
      connectionId: link.id,
      appointmentId: item.appointmentId,
      mappingId: item.mappingId ?? null,
      externalEventId: item.externalEventId ?? null,
      side: item.side,
    });
    (await this.openIssues()).set(key, issue);
  }

  private async resolveKey(key: string): Promise<void> {
    const open = await this.openIssues();
    if (!open.has(key)) return;
    await this.deps.issues.resolve(this.link.tenantId, key);
    open.delete(key);
  }

  /** Raises the notices an item from a calendar has now and resolves the ones whose cause went away. */
  private async reconcileEvent(eventId: string, notices: SyncIssueNotice[], appointmentId: HubId<'appointment'> | null): Promise<void> {
    const side = providerKindOf(this.link.provider);
    for (const notice of notices) await this.raise(notice, this.eventKey(notice.code, eventId), { appointmentId, side, externalEventId: eventId });
    const now = new Set(notices.map((n) => n.code));
    for (const code of EVENT_CODES) if (!now.has(code)) await this.resolveKey(this.eventKey(code, eventId));
  }
}

/** An exception that starts where its series puts the occurrence, lasts as long and carries the series' fields is an occurrence again. */
function isRegularOccurrence(exception: ExternalEvent, master: EventData): boolean {
  const t = exception.data.timing;
  const m = master.timing;
  const length = (x: typeof t) => (x.allDay ? Date.parse(x.endDate) - Date.parse(x.startDate) : Date.parse(x.end) - Date.parse(x.start));
  const start = t.allDay ? t.startDate : new Date(Date.parse(t.start)).toISOString();
  const fields = (d: EventData) => JSON.stringify([d.subject, d.location, d.showAs, d.sensitivity]);
  return exception.originalStart !== null && start === occurrenceValue(exception.originalStart) && length(t) === length(m) && fields(exception.data) === fields(master);
}
