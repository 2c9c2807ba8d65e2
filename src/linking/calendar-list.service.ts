import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { parseId, type HubId } from '../domain/ids.js';
import { providerDisplayName, relinkRequired } from '../domain/sync-issue.js';
import type { Logger } from '../logger.js';
import { isProviderError, type ProviderCalendar } from '../providers/calendar-provider.js';
import { Calendar, Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { tenantFilter, type Caller } from '../tenancy/caller.js';
import type { ConnectionGuard } from '../connections/connection-guard.js';
import { isConnectionNotActiveError } from '../connections/connections.errors.js';

export interface CalendarListChange {
  calendars: Calendar[];
  added: number;
  removed: number;
}

/**
 * Keeps a link's `Calendar` rows in step with the provider's calendar list: rows are matched by the
 * provider's calendar id, so hub ids and roles survive refreshes and relinks; a calendar that is no
 * longer listed keeps its row with `removedAt` set and loses its role. A calendar that became
 * read-only cannot stay PRIMARY.
 */
export class CalendarListService {
  constructor(private readonly deps: { orm: Orm; guard: ConnectionGuard; logger: Logger }) {}

  /** Applies a listing to the link's rows in `em` (the caller flushes). */
  async apply(em: EntityManager, link: Connection, listed: readonly ProviderCalendar[], now: Date): Promise<CalendarListChange> {
    const rows = await em.find(Calendar, { connectionId: link.id });
    const byProviderId = new Map(rows.map((row) => [row.providerCalendarId, row]));
    const seen = new Set<string>();
    let added = 0;
    let removed = 0;
    for (const item of listed) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      let row = byProviderId.get(item.id);
      if (!row) {
        row = new Calendar({ tenantId: link.tenantId, connectionId: link.id, userId: link.userId, providerCalendarId: item.id, name: item.name });
        em.persist(row);
        rows.push(row);
        added += 1;
      }
      row.name = item.name;
      row.color = item.color;
      row.canEdit = item.canEdit;
      row.isDefault = item.isDefault;
      row.timeZone = item.timeZone;
      row.removedAt = null;
      if (!row.canEdit && row.role === 'PRIMARY') row.role = 'NONE';
      row.deriveKeys();
    }
    for (const row of rows) {
      if (seen.has(row.providerCalendarId) || row.removedAt !== null) continue;
      row.removedAt = now;
      row.role = 'NONE';
      row.deriveKeys();
      removed += 1;
    }
    return { calendars: rows.filter((row) => row.removedAt === null), added, removed };
  }

  /**
   * Makes the link's default calendar the user's PRIMARY when the user has no primary calendar on
   * any link. Separate from the link's own write: when two links of one user finish at the same
   * moment, the unique primary key lets one win and the other simply stays without a primary.
   */
  async choosePrimaryIfNone(link: Connection): Promise<Calendar | null> {
    const em = this.deps.orm.em.fork();
    const existing = await em.count(Calendar, { tenantId: link.tenantId, userId: link.userId, role: 'PRIMARY', removedAt: null });
    if (existing > 0) return null;
    const candidate = await em.findOne(Calendar, { connectionId: link.id, isDefault: true, canEdit: true, removedAt: null });
    if (!candidate) return null;
    candidate.role = 'PRIMARY';
    candidate.deriveKeys();
    try {
      await em.flush();
      return candidate;
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) return null;
      throw err;
    }
  }

  /** Re-reads the link's calendars from the provider (through the guard) and records the contact. */
  async refresh(connectionId: HubId<'connection'>): Promise<CalendarListChange> {
    return this.deps.guard.run(connectionId, 'refreshing the calendar list', async (provider) => {
      const listed = await provider.listCalendars();
      const em = this.deps.orm.em.fork();
      const link = await em.findOneOrFail(Connection, { id: connectionId });
      const now = new Date();
      const change = await this.apply(em, link, listed, now);
      link.lastSyncAt = now;
      await em.flush();
      return change;
    });
  }

  /**
   * `refreshCalendars` of the API: the caller must see the link, and the link must be ACTIVE.
   * Provider failures become CONFLICT errors that say what happened and what to do.
   */
  async refreshForCaller(caller: Caller, connectionId: string): Promise<Connection> {
    const id = parseId('connection', connectionId);
    const link = id ? await this.deps.orm.em.fork().findOne(Connection, { id, ...tenantFilter(caller) }) : null;
    if (!link) throw new NotFoundError('Connection', connectionId);
    const name = providerDisplayName(link.provider);
    try {
      await this.refresh(link.id);
    } catch (err) {
      if (isConnectionNotActiveError(err) || (isProviderError(err) && err.code === 'AUTH_REVOKED')) {
        const fresh = await this.deps.orm.em.fork().findOneOrFail(Connection, { id: link.id });
        if (fresh.status === 'REVOKED') throw new ConflictError(`The ${name} link was revoked.`, 'Link the calendar again with linkCalendar.');
        const notice = relinkRequired({ provider: link.provider, accountEmail: link.accountEmail, reason: fresh.statusReason ?? 'the link needs re-authorisation' });
        throw new ConflictError(notice.message, notice.tip ?? '');
      }
      if (isProviderError(err)) {
        throw new ConflictError(
          `${name} did not return the calendar list: ${err.message}`,
          err.retryable ? 'Try again in a minute; the hub also refreshes the list on its own.' : 'Try again later; if it keeps failing, relink the calendar.',
        );
      }
      throw err;
    }
    return this.deps.orm.em.fork().findOneOrFail(Connection, { id: link.id });
  }

  /** The job's entry: a link that is not ACTIVE is skipped; AUTH_REVOKED was handled by the guard. */
  async refreshFromJob(connectionId: HubId<'connection'>): Promise<void> {
    try {
      const change = await this.refresh(connectionId);
      if (change.added > 0 || change.removed > 0) this.deps.logger.info({ connectionId, added: change.added, removed: change.removed }, 'calendar list changed');
    } catch (err) {
      if (isConnectionNotActiveError(err)) {
        this.deps.logger.info({ connectionId, status: err.status }, 'skipped the calendar refresh of a link that is not active');
        return;
      }
      if (isProviderError(err) && err.code === 'AUTH_REVOKED') return;
      throw err;
    }
  }
}
