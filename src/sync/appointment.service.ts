import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { announce, type EventPublisher } from '../events/event-publisher.js';
import { TOPICS } from '../events/pubsub-topics.js';
import type { Attendee } from '../domain/appointment.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { parseId, type HubId } from '../domain/ids.js';
import { APPOINTMENT_ORIGINS, MAPPING_STATES, type AppointmentChangeKind, type AppointmentOrigin, type MappingState } from '../domain/model.js';
import { contentHash, timingMoved } from '../domain/sync/content.js';
import type { Logger } from '../logger.js';
import { Appointment, Calendar, Connection, HostUser, SyncMapping } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { paginate, type Page, type PageArgs, type Stored } from '../store/repositories/paginate.js';
import { resolveTenantId, tenantFilter, type Caller } from '../tenancy/caller.js';
import { oneOf } from '../tenancy/input-rules.js';
import { occurrenceKey, seriesOccurrences } from '../domain/recurrence/occurrences.js';
import { applyContent, contentOf, resetResponses } from './appointment-content.js';
import { validateAppointmentInput, type AppointmentInput, type ValidatedAppointment } from './appointment-input.js';
import { insertAppointment, isStaleAppointmentError, loadAppointment, updateAppointment } from './appointment-store.js';
import { loadTenantSettings } from './sync-engine.js';

/** Sync state of an appointment as the API shows it: its pair's state, or NONE when it has no calendar to go to. */
export const APPOINTMENT_SYNC_STATES = [...MAPPING_STATES, 'NONE'] as const;
export type AppointmentSyncState = (typeof APPOINTMENT_SYNC_STATES)[number];

export interface AppointmentFilter {
  tenantId?: string | null;
  userId?: string | null;
  from?: Date | null;
  to?: Date | null;
  origin?: AppointmentOrigin | null;
  syncState?: AppointmentSyncState | null;
  includeDeleted?: boolean | null;
  /** Only the exceptions of this series. */
  seriesMasterId?: string | null;
}

const MAX_WRITE_ROUNDS = 3;

/**
 * The host's side of the API: appointments saved and deleted by the host, and read back with their
 * sync state. Every write stores the appointment (optimistically, on its version), marks its pair
 * with the owner's primary calendar PENDING — in that order, so a sync run that stores its own
 * result in between sees the new version and keeps the pair pending — and asks for an outbound
 * run at once.
 */
export class AppointmentService {
  constructor(
    private readonly deps: {
      orm: Orm;
      pubsub: EventPublisher;
      logger: Logger;
      /** Wakes the outbound writer of a link (SyncScheduler.requestOutbound). */
      requestOutbound: (connectionId: HubId<'connection'>) => Promise<void>;
    },
  ) {}

  /**
   * Creates or replaces the appointment the host keys by `hostAppointmentId`. The input is the whole
   * appointment: fields left out are cleared. `created` is true for a new (or deleted and now
   * restored) appointment. Attendee responses are kept unless the time changed.
   */
  async upsert(caller: Caller, input: AppointmentInput & { tenantId?: string | null }): Promise<{ appointment: Appointment; created: boolean }> {
    const em = this.deps.orm.em.fork();
    const tenantId = await resolveTenantId(em, caller, input.tenantId);
    const valid = validateAppointmentInput(input, (await loadTenantSettings(this.deps.orm, tenantId)).hostProfile);
    const ownerId = parseId('hostUser', valid.userId);
    const owner = ownerId ? await em.findOne(HostUser, { id: ownerId, tenantId }) : null;
    if (!owner) throw new ValidationError('userId', 'is not a host user of this tenant');
    const matched = await this.matchAttendees(em, tenantId, valid.data.attendees);
    if (input.id) await this.adopt(em, tenantId, input.id, valid.hostAppointmentId);

    for (let round = 1; ; round++) {
      const existing = await em.findOne(Appointment, { tenantId, hostKey: `host:${valid.hostAppointmentId}` }, { disableIdentityMap: true });
      const seriesMasterId = await this.checkOccurrence(em, tenantId, owner.id, valid, existing);
      const now = new Date();
      try {
        if (!existing) {
          const a = new Appointment({ tenantId, ownerId: owner.id, timing: valid.data.timing, hostAppointmentId: valid.hostAppointmentId });
          applyContent(a, { ...valid.data, attendees: matched });
          a.seriesMasterId = seriesMasterId;
          a.originalStart = valid.occurrenceOf?.originalStart ?? null;
          a.resources = valid.resources;
          a.hostRecordId = valid.hostRecordId;
          a.hostOnly = valid.hostOnly;
          a.contentChangedAt = now;
          await insertAppointment(em, a);
          await this.afterHostWrite(em, a, owner, 'CREATED');
          return { appointment: a, created: true };
        }
        const before = existing.deleted ? null : contentHash(contentOf(existing), { attendees: true });
        const previousOwner = existing.ownerId;
        const restored = existing.deleted;
        // Responses belong to the attendees, not to the host's input: keep them unless the time moved.
        const responses = new Map(existing.attendees.map((x) => [x.email.toLowerCase(), x.response]));
        const moved = timingMoved(existing.timing, valid.data.timing);
        const attendees = matched.map((x) => ({ ...x, response: responses.get(x.email) ?? x.response }));
        applyContent(existing, { ...valid.data, attendees: moved ? resetResponses(attendees) : attendees });
        const changed =
          restored ||
          before !== contentHash(contentOf(existing), { attendees: true }) ||
          previousOwner !== owner.id ||
          JSON.stringify(existing.resources) !== JSON.stringify(valid.resources) ||
          existing.hostRecordId !== valid.hostRecordId ||
          JSON.stringify(existing.hostOnly) !== JSON.stringify(valid.hostOnly);
        existing.ownerId = owner.id;
        existing.seriesMasterId = seriesMasterId;
        existing.originalStart = valid.occurrenceOf?.originalStart ?? null;
        existing.resources = valid.resources;
        existing.hostRecordId = valid.hostRecordId;
        existing.hostOnly = valid.hostOnly;
        existing.deleted = false;
        existing.deletedAt = null;
        if (changed) {
          existing.contentChangedAt = now;
          await updateAppointment(em, existing, existing.version);
        }
        // Saved again, even unchanged: an appointment that predates the link syncs once the host saves it.
        await this.afterHostWrite(em, existing, owner, restored ? 'CREATED' : changed ? 'UPDATED' : null);
        return { appointment: existing, created: restored };
      } catch (e) {
        const raced = e instanceof UniqueConstraintViolationException || isStaleAppointmentError(e);
        if (raced && round < MAX_WRITE_ROUNDS) continue;
        throw e;
      }
    }
  }

  /**
   * The host takes over an appointment that came from a calendar: it gets the host's id, so the
   * upsert that follows updates it (and its pair) instead of creating a second appointment.
   */
  private async adopt(em: EntityManager, tenantId: HubId<'tenant'>, id: string, hostAppointmentId: string): Promise<void> {
    const appointmentId = parseId('appointment', id);
    const a = appointmentId ? await loadAppointment(em, { id: appointmentId, tenantId }) : null;
    if (!a) throw new NotFoundError('Appointment', id);
    if (a.hostAppointmentId === hostAppointmentId) return;
    if (a.hostAppointmentId !== null) {
      throw new ConflictError(`Appointment ${id} is already the host's "${a.hostAppointmentId}".`, 'Upsert it with that hostAppointmentId, without id.');
    }
    if ((await em.count(Appointment, { tenantId, hostKey: `host:${hostAppointmentId}` })) > 0) {
      throw new ConflictError(`hostAppointmentId "${hostAppointmentId}" belongs to another appointment.`, 'Use the hostAppointmentId of the appointment you mean, or a new one.');
    }
    a.hostAppointmentId = hostAppointmentId;
    await updateAppointment(em, a, a.version);
  }

  /** Deletes by hub id or by the host's id; the appointment stays readable by id as a tombstone. */
  async delete(caller: Caller, args: { id?: string | null; hostAppointmentId?: string | null; tenantId?: string | null }): Promise<Appointment> {
    const em = this.deps.orm.em.fork();
    for (let round = 1; ; round++) {
      const a = await this.find(em, caller, args);
      if (a.deleted) return a;
      a.deleted = true;
      a.deletedAt = new Date();
      a.contentChangedAt = a.deletedAt;
      try {
        await updateAppointment(em, a, a.version);
      } catch (e) {
        if (isStaleAppointmentError(e) && round < MAX_WRITE_ROUNDS) continue;
        throw e;
      }
      const owner = await em.findOne(HostUser, { id: a.ownerId });
      await this.afterHostWrite(em, a, owner, 'DELETED');
      await this.deleteExceptionsOf(em, a, owner);
      return a;
    }
  }

  /** A deleted series takes its exceptions with it (after it, so the series goes out first and takes them along in the calendar). */
  private async deleteExceptionsOf(em: EntityManager, master: Appointment, owner: HostUser | null): Promise<void> {
    if (master.recurrence === null) return;
    for (const x of await em.find(Appointment, { tenantId: master.tenantId, seriesMasterId: master.id, deleted: false }, { disableIdentityMap: true })) {
      x.deleted = true;
      x.deletedAt = master.deletedAt;
      x.contentChangedAt = master.contentChangedAt;
      try {
        await updateAppointment(em, x, x.version);
      } catch (e) {
        // A sync run changed it meanwhile: the engine deletes it with its series.
        if (isStaleAppointmentError(e)) continue;
        throw e;
      }
      await this.afterHostWrite(em, x, owner, 'DELETED');
    }
  }

  /**
   * An exception's series: a live series master of the tenant with the same owner, and an occurrence
   * of it (not cancelled) that no other appointment is the exception for. An exception stays the
   * exception of its occurrence, and an appointment never becomes one later.
   */
  private async checkOccurrence(em: EntityManager, tenantId: HubId<'tenant'>, ownerId: HubId<'hostUser'>, valid: ValidatedAppointment, existing: Appointment | null): Promise<HubId<'appointment'> | null> {
    const wanted = valid.occurrenceOf;
    if (existing && !existing.deleted && (existing.seriesMasterId ?? null) !== (wanted ? parseId('appointment', wanted.seriesMasterId) : null)) {
      throw new ValidationError('seriesMasterId', existing.seriesMasterId ? `must stay ${existing.seriesMasterId}: an exception keeps its series (delete it to undo the exception)` : 'must be empty: an existing appointment cannot become an exception');
    }
    if (!wanted) return null;
    if (existing && !existing.deleted && existing.originalStart !== wanted.originalStart) throw new ValidationError('originalStart', `must stay ${existing.originalStart}: an exception keeps its occurrence`);
    const masterId = parseId('appointment', wanted.seriesMasterId);
    const master = masterId ? await loadAppointment(em, { id: masterId, tenantId }) : null;
    if (!master || master.deleted) throw new ValidationError('seriesMasterId', 'is not a series of this tenant');
    if (master.recurrence === null || master.seriesMasterId !== null) throw new ValidationError('seriesMasterId', 'is not a series (it has no recurrence)');
    if (master.ownerId !== ownerId) throw new ValidationError('userId', 'must be the owner of the series (an exception belongs to its series)');
    if (master.timing.allDay !== valid.data.timing.allDay) throw new ValidationError(master.timing.allDay ? 'startDate' : 'start', `must be ${master.timing.allDay ? 'all day' : 'timed'}, like its series`);
    const at = Date.parse(master.timing.allDay ? `${wanted.originalStart}T00:00:00Z` : wanted.originalStart);
    const occurrence = seriesOccurrences(master.timing, master.recurrence, { start: at - 86_400_000, end: at + 2 * 86_400_000 }).find(
      (o) => occurrenceKey(o.originalStart) === occurrenceKey(wanted.originalStart),
    );
    if (!occurrence) throw new ValidationError('originalStart', 'is not the start of an occurrence of the series (or that occurrence is cancelled)');
    const other = await em.findOne(Appointment, { tenantId, seriesMasterId: master.id, originalStart: occurrenceKey(wanted.originalStart), deleted: false, ...(existing ? { id: { $ne: existing.id } } : {}) });
    if (other) throw new ValidationError('originalStart', `already has an exception: appointment ${other.hostAppointmentId ?? other.id}`);
    return master.id;
  }

  async get(caller: Caller, id: string): Promise<Appointment> {
    const appointmentId = parseId('appointment', id);
    const a = appointmentId ? await loadAppointment(this.deps.orm.em.fork(), { id: appointmentId, ...tenantFilter(caller) }) : null;
    if (!a) throw new NotFoundError('Appointment', id);
    return a;
  }

  async list(caller: Caller, filter: AppointmentFilter, page: PageArgs): Promise<Page<Stored<Appointment>>> {
    const em = this.deps.orm.em.fork();
    const tenantId = await resolveTenantId(em, caller, filter.tenantId);
    const where: FilterQuery<Appointment> = { tenantId };
    if (!filter.includeDeleted) where.deleted = false;
    if (filter.userId) {
      const userId = parseId('hostUser', filter.userId);
      const user = userId ? await em.findOne(HostUser, { id: userId, tenantId }) : null;
      if (!user) throw new NotFoundError('HostUser', filter.userId);
      where.ownerId = user.id;
    }
    if (filter.from && filter.to && filter.to <= filter.from) throw new ValidationError('filter.to', 'must be after filter.from');
    if (filter.from) where.endsAt = { $gt: filter.from };
    if (filter.to) where.startsAt = { $lt: filter.to };
    if (filter.origin) where.origin = oneOf('filter.origin', filter.origin, APPOINTMENT_ORIGINS);
    if (filter.seriesMasterId) where.seriesMasterId = parseId('appointment', filter.seriesMasterId) ?? ('' as HubId<'appointment'>);
    if (filter.syncState) {
      const state = oneOf('filter.syncState', filter.syncState, APPOINTMENT_SYNC_STATES);
      const mapped = await em.find(SyncMapping, { tenantId, closedAt: null, ...(state === 'NONE' ? {} : { state }) }, { fields: ['appointmentId'] });
      const ids = [...new Set(mapped.map((m) => m.appointmentId))];
      where.id = state === 'NONE' ? { $nin: ids } : { $in: ids };
    }
    return paginate(em, Appointment, where, page);
  }

  /** The pair states of an appointment (live pairs first). */
  mappingsOf(appointmentId: HubId<'appointment'>): Promise<SyncMapping[]> {
    return this.deps.orm.em.fork().find(SyncMapping, { appointmentId }, { orderBy: { closedAt: 'asc', id: 'asc' } });
  }

  /** The state of the appointment's live pair; NONE when it has none (no primary calendar, or it predates the link). */
  async syncStateOf(a: Pick<Appointment, 'id'>): Promise<AppointmentSyncState> {
    const live = await this.deps.orm.em.fork().find(SyncMapping, { appointmentId: a.id, closedAt: null }, { orderBy: { id: 'desc' } });
    return live[0]?.state ?? 'NONE';
  }

  private async find(em: EntityManager, caller: Caller, args: { id?: string | null; hostAppointmentId?: string | null; tenantId?: string | null }): Promise<Appointment> {
    if (args.id && args.hostAppointmentId) throw new ValidationError('hostAppointmentId', 'give either id or hostAppointmentId, not both');
    if (args.id) {
      const id = parseId('appointment', args.id);
      const a = id ? await loadAppointment(em, { id, ...tenantFilter(caller) }) : null;
      if (!a) throw new NotFoundError('Appointment', args.id);
      return a;
    }
    if (!args.hostAppointmentId) throw new ValidationError('id', 'give id or hostAppointmentId');
    const tenantId = await resolveTenantId(em, caller, args.tenantId);
    const a = await em.findOne(Appointment, { tenantId, hostKey: `host:${args.hostAppointmentId}` }, { disableIdentityMap: true });
    if (!a) throw new NotFoundError('Appointment', args.hostAppointmentId);
    return a;
  }

  private async matchAttendees(em: EntityManager, tenantId: HubId<'tenant'>, attendees: Attendee[]): Promise<Attendee[]> {
    if (attendees.length === 0) return attendees;
    const users = await em.find(HostUser, { tenantId, email: { $in: attendees.map((a) => a.email) } }, { fields: ['id', 'email'] });
    const byEmail = new Map(users.map((u) => [u.email!, u.id]));
    return attendees.map((a) => ({ ...a, hostUserId: byEmail.get(a.email) ?? null }));
  }

  /**
   * After the appointment is stored: its pairs go PENDING (a new pair with the owner's primary
   * calendar when there is none yet), the owner counts as active, the change is announced and the
   * links with something to write are woken.
   */
  private async afterHostWrite(em: EntityManager, a: Appointment, owner: HostUser | null, kind: AppointmentChangeKind | null): Promise<void> {
    const now = new Date();
    const wake = new Set<HubId<'connection'>>();
    const live = await em.find(SyncMapping, { appointmentId: a.id, closedAt: null });
    const primary = a.deleted ? null : await em.findOne(Calendar, { tenantId: a.tenantId, userId: a.ownerId, role: 'PRIMARY', removedAt: null });
    const statusOf = new Map<string, string>();
    const linkStatus = async (connectionId: HubId<'connection'>) => {
      let s = statusOf.get(connectionId);
      if (s === undefined) {
        s = (await em.findOne(Connection, { id: connectionId }, { fields: ['status'] }))?.status ?? 'REVOKED';
        statusOf.set(connectionId, s);
      }
      return s;
    };
    const pendingState = async (connectionId: HubId<'connection'>): Promise<MappingState | null> => {
      const s = await linkStatus(connectionId);
      if (s === 'ACTIVE') return 'PENDING';
      if (s === 'NEEDS_REAUTH' || s === 'ERROR') return 'WAITING';
      return null;
    };
    for (const m of live) {
      const state = await pendingState(m.connectionId);
      if (!state) continue;
      // A pair held for a manual choice stays held; the new host version is part of that choice.
      await em.nativeUpdate(SyncMapping, { id: m.id, state: { $ne: 'CONFLICT' } }, { state, updatedAt: now });
      if (state === 'PENDING') wake.add(m.connectionId);
    }
    if (primary && !live.some((m) => m.calendarId === primary.id)) {
      const state = await pendingState(primary.connectionId);
      if (state) {
        const closed = await em.findOne(SyncMapping, { appointmentId: a.id, calendarId: primary.id });
        if (closed) {
          closed.reopen(state);
        } else {
          const m = new SyncMapping({ tenantId: a.tenantId, appointmentId: a.id, calendarId: primary.id, connectionId: primary.connectionId });
          m.state = state;
          em.persist(m);
        }
        await em.flush();
        if (state === 'PENDING') wake.add(primary.connectionId);
      }
    }
    if (owner) await em.nativeUpdate(HostUser, { id: owner.id }, { lastHostActivityAt: now });
    if (kind) await this.announce(a, kind);
    for (const connectionId of wake) {
      await this.deps.requestOutbound(connectionId).catch((err: unknown) => this.deps.logger.error({ err, connectionId }, 'queueing an outbound sync failed; the next poll writes it'));
    }
  }

  private async announce(a: Appointment, kind: AppointmentChangeKind): Promise<void> {
    await announce(this.deps, TOPICS.APPOINTMENT_CHANGED, {
        tenantId: a.tenantId as HubId<'tenant'>,
        appointmentId: a.id as HubId<'appointment'>,
        userId: a.ownerId as HubId<'hostUser'>,
        kind,
        source: 'HOST',
        at: new Date().toISOString(),
      }, { appointmentId: a.id });
  }
}
