import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { parseId, type HubId } from '../domain/ids.js';
import { providerDisplayName } from '../domain/sync-issue.js';
import type { Logger } from '../logger.js';
import { Calendar, Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { tenantFilter, type Caller } from '../tenancy/caller.js';

export const MAX_CONFLICT_CALENDARS = 100;

/**
 * The roles of a user's calendars:
 * - PRIMARY: the one calendar appointments are written to and read from — at most one per host
 *   user over all their links (the `primaryKey` unique index), writable, on a link that is not
 *   revoked. Moving it demotes the old primary to NONE in the same transaction.
 * - CONFLICT_CHECK: read only, for busy times; any number per link, read-only calendars allowed.
 * A calendar holds one role. The primary calendar is always part of conflict checking (its events
 * are the user's own), so it is not accepted in the CONFLICT_CHECK set; making a CONFLICT_CHECK
 * calendar the primary takes it out of the set.
 */
export class CalendarRolesService {
  constructor(
    private readonly deps: {
      orm: Orm;
      logger: Logger;
      /** A calendar became a user's primary: its first read and the move of the user's appointments start now. */
      primaryChanged?: (calendar: Calendar) => Promise<void>;
    },
  ) {}

  async setPrimary(caller: Caller, calendarId: string): Promise<{ calendar: Calendar; previousPrimary: Calendar | null }> {
    if (typeof calendarId !== 'string' || calendarId.trim() === '') throw new ValidationError('calendarId', 'must not be empty');
    const em = this.deps.orm.em.fork();
    const id = parseId('calendar', calendarId);
    const calendar = id ? await em.findOne(Calendar, { id, ...tenantFilter(caller) }) : null;
    if (!calendar) throw new NotFoundError('Calendar', calendarId);
    const link = await em.findOneOrFail(Connection, { id: calendar.connectionId });
    assertLinkNotRevoked(link);
    if (calendar.removedAt !== null) throw new ValidationError('calendarId', `is no longer listed by ${providerDisplayName(link.provider)} (removed or unshared)`);
    if (!calendar.canEdit) throw new ValidationError('calendarId', 'is a read-only calendar; the primary calendar must be writable (read-only calendars can be conflict-check calendars)');
    if (calendar.role === 'PRIMARY') return { calendar, previousPrimary: null };

    let previousId: HubId<'calendar'> | null;
    try {
      previousId = await inTransaction(em, async (tx) => {
        const target = await tx.findOneOrFail(Calendar, { id: calendar.id });
        const previous = await tx.findOne(Calendar, { tenantId: target.tenantId, userId: target.userId, role: 'PRIMARY' });
        if (previous) {
          previous.role = 'NONE';
          previous.deriveKeys();
          await tx.flush();
        }
        target.role = 'PRIMARY';
        target.deriveKeys();
        await tx.flush();
        return previous?.id ?? null;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw new ConflictError('The primary calendar of this user was changed by another request at the same moment.', 'Reload the calendars and choose the primary calendar again.');
      }
      throw err;
    }
    this.deps.logger.info({ tenantId: calendar.tenantId, hostUserId: calendar.userId, calendarId: calendar.id, previousPrimaryId: previousId }, 'primary calendar moved');
    await this.deps.primaryChanged?.(calendar).catch((err: unknown) => this.deps.logger.error({ err, calendarId: calendar.id }, 'starting the sync of the new primary calendar failed; its next poll does it'));
    const fresh = this.deps.orm.em.fork();
    return {
      calendar: await fresh.findOneOrFail(Calendar, { id: calendar.id }),
      previousPrimary: previousId ? await fresh.findOneOrFail(Calendar, { id: previousId }) : null,
    };
  }

  /** Replaces the link's CONFLICT_CHECK set with `calendarIds` (an empty list clears it). */
  async setConflictCalendars(caller: Caller, connectionId: string, calendarIds: readonly string[]): Promise<Connection> {
    if (typeof connectionId !== 'string' || connectionId.trim() === '') throw new ValidationError('connectionId', 'must not be empty');
    if (!Array.isArray(calendarIds)) throw new ValidationError('calendarIds', 'must be a list of calendar ids');
    if (calendarIds.length > MAX_CONFLICT_CALENDARS) throw new ValidationError('calendarIds', `must hold at most ${MAX_CONFLICT_CALENDARS} ids`);
    const em = this.deps.orm.em.fork();
    const id = parseId('connection', connectionId);
    const link = id ? await em.findOne(Connection, { id, ...tenantFilter(caller) }) : null;
    if (!link) throw new NotFoundError('Connection', connectionId);
    assertLinkNotRevoked(link);
    const calendars = await em.find(Calendar, { connectionId: link.id, removedAt: null });
    const byId = new Map<string, Calendar>(calendars.map((c) => [c.id, c]));
    const wanted = new Set<string>();
    calendarIds.forEach((id, index) => {
      const calendar = byId.get(id);
      if (!calendar) throw new ValidationError(`calendarIds[${index}]`, 'is not a listed calendar of this link');
      if (calendar.role === 'PRIMARY') {
        throw new ValidationError(`calendarIds[${index}]`, 'is the primary calendar, which is always checked for conflicts; leave it out of the conflict-check set');
      }
      wanted.add(id);
    });
    for (const calendar of calendars) {
      if (calendar.role === 'PRIMARY') continue;
      calendar.role = wanted.has(calendar.id) ? 'CONFLICT_CHECK' : 'NONE';
      calendar.deriveKeys();
    }
    await em.flush();
    this.deps.logger.info({ connectionId: link.id, conflictCheck: wanted.size }, 'conflict-check calendars set');
    return link;
  }
}

function assertLinkNotRevoked(link: Connection): void {
  if (link.status === 'REVOKED') {
    throw new ConflictError(`The ${providerDisplayName(link.provider)} link of this calendar was revoked.`, 'Link the calendar again (linkCalendar); its calendars come back with it.');
  }
}

/**
 * SQLite: one transaction. MongoDB: MikroORM's transactions need a replica set, which a single
 * embedded-style server lacks; there the writes run in sequence and the unique primary key still
 * guarantees at most one primary (a failure between them leaves the user without one).
 */
async function inTransaction<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>): Promise<T> {
  if (em.getPlatform().usesImplicitTransactions()) return em.transactional(work);
  return work(em);
}
