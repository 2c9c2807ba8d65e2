import { providerDisplayName } from '../domain/sync-issue.js';
import { announce, type EventPublisher } from '../events/event-publisher.js';
import { TOPICS } from '../events/pubsub-topics.js';
import type { Logger } from '../logger.js';
import { isProviderError, type CalendarProvider, type ProviderCalendarId, type ProviderEventId } from '../providers/calendar-provider.js';
import type { RequestMeter } from '../providers/provider-module.js';
import { isProviderUnavailableError } from '../providers/registry.js';
import { parseHubTag } from '../domain/sync/hub-tag.js';
import { Calendar, type Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import type { ConnectionGuard } from '../connections/connection-guard.js';
import { isConnectionNotActiveError } from '../connections/connections.errors.js';
import type { SyncMappingService } from './sync-mapping.service.js';

export type CleanupStatus = 'COMPLETED' | 'PARTIAL' | 'NOT_RUN';

export interface CleanupFailure {
  /** The hub's calendar id. */
  calendarId: string;
  /** The provider's event id, or null when the whole calendar could not be read. */
  eventId: string | null;
  message: string;
}

export interface CleanupOutcome {
  status: CleanupStatus;
  eventsDeleted: number;
  eventsFailed: number;
  /** The first failures (at most `MAX_REPORTED_FAILURES`). */
  failures: CleanupFailure[];
  /** Why the cleanup did not run or stopped early; null when it completed. */
  reason: string | null;
}

export const MAX_REPORTED_FAILURES = 50;
/** Events deleted per step (and per `CLEANUP_PROGRESS` event); Graph batches hold 20 requests. */
const DELETE_CHUNK = 20;

/**
 * Deletes every event the hub created in a link's calendars (found by the hub's tag, so events the
 * user made are never touched), publishing `CLEANUP_PROGRESS` as it goes, then closes the link's
 * mappings. Host data is kept. It runs through the guard without marking the link: it is used on
 * the way out (revoke), where a dead grant only means the cleanup cannot run — which the outcome
 * says.
 */
export class CleanupService {
  constructor(private readonly deps: { orm: Orm; guard: ConnectionGuard; mappings: SyncMappingService; pubsub: EventPublisher; logger: Logger }) {}

  async run(link: Connection, options: { meter?: RequestMeter; onProgress?: (deleted: number, failed: number) => Promise<void> } = {}): Promise<CleanupOutcome> {
    const calendars = await this.deps.orm.em.fork().find(Calendar, { connectionId: link.id, removedAt: null }, { orderBy: { id: 'asc' } });
    const deleted = new Set<string>();
    const failures: CleanupFailure[] = [];
    let failed = 0;
    const recordFailure = (failure: CleanupFailure) => {
      failed += 1;
      if (failures.length < MAX_REPORTED_FAILURES) failures.push(failure);
    };
    let reason: string | null = null;

    try {
      // Not retried as a whole: a retry re-finds only what is left, but counts would blur; the adapters retry single calls.
      await this.deps.guard.run(
        link.id,
        'deleting the events the hub created',
        async (provider) => {
          for (const calendar of calendars) {
            await this.cleanCalendar(provider, link, calendar, deleted, recordFailure, async () => options.onProgress?.(deleted.size, failed));
          }
        },
        { allowStatuses: ['ACTIVE', 'NEEDS_REAUTH', 'ERROR'], onAuthRevoked: 'report', retry: false, ...(options.meter ? { meter: options.meter } : {}) },
      );
    } catch (err) {
      if (isConnectionNotActiveError(err)) reason = `the link is ${err.status}, so its calendars cannot be reached`;
      else if (isProviderError(err) && err.code === 'AUTH_REVOKED')
        reason = `${providerDisplayName(link.provider)} no longer accepts the hub's access to this account, so the events the hub created could not be deleted. Delete them in the calendar itself if needed.`;
      else if (isProviderError(err)) reason = `${providerDisplayName(link.provider)} failed during the cleanup: ${err.message}`;
      else if (isProviderUnavailableError(err)) reason = err.message;
      else throw err;
      this.deps.logger.warn({ connectionId: link.id, reason }, 'cleanup stopped');
    }

    const ran = reason === null || deleted.size > 0;
    if (ran) await this.deps.mappings.closeForConnection(link.id, new Date());
    await this.progress(link, deleted.size + failed, true);
    const status = reason === null && failed === 0 ? 'COMPLETED' : ran ? 'PARTIAL' : 'NOT_RUN';
    this.deps.logger.info({ connectionId: link.id, status, eventsDeleted: deleted.size, eventsFailed: failed }, 'cleanup finished');
    return { status, eventsDeleted: deleted.size, eventsFailed: failed, failures, reason: reason ?? (failed > 0 ? `${failed} event(s) could not be deleted` : null) };
  }

  private async cleanCalendar(
    provider: CalendarProvider,
    link: Connection,
    calendar: Calendar,
    deleted: Set<string>,
    recordFailure: (failure: CleanupFailure) => void,
    onProgress: () => Promise<void>,
  ): Promise<void> {
    const calendarId = calendar.providerCalendarId as ProviderCalendarId;
    // Collected first: deleting while paging could make the provider's paging skip events.
    const found = new Set<string>();
    // Only what the hub wrote for this calendar: the same account may be linked in another tenant,
    // whose hub events carry that tenant's calendar in their tag.
    for await (const batch of provider.findHubEvents(calendarId)) {
      for (const event of batch) if (parseHubTag(event.hubTag)?.calendarId === calendar.id) found.add(event.id);
    }
    // A series is deleted through its master; its tagged exceptions go with it (404 counts as done).
    const pending = [...found].filter((id) => !deleted.has(`${calendar.id}:${id}`)) as ProviderEventId[];
    for (let i = 0; i < pending.length; i += DELETE_CHUNK) {
      const ids = pending.slice(i, i + DELETE_CHUNK);
      if (provider.deleteEvents) {
        const results = await provider.deleteEvents(calendarId, ids);
        for (const r of results) {
          if (r.error && r.error.code === 'AUTH_REVOKED') throw r.error;
          if (r.error === null || r.error.code === 'NOT_FOUND') deleted.add(`${calendar.id}:${r.eventId}`);
          else recordFailure({ calendarId: calendar.id, eventId: r.eventId, message: r.error.message });
        }
      } else {
        for (const eventId of ids) {
          try {
            await provider.deleteEvent({ calendarId, eventId, ifMatch: null });
            deleted.add(`${calendar.id}:${eventId}`);
          } catch (err) {
            if (!isProviderError(err) || err.code === 'AUTH_REVOKED') throw err;
            if (err.code === 'NOT_FOUND') deleted.add(`${calendar.id}:${eventId}`);
            else recordFailure({ calendarId: calendar.id, eventId, message: err.message });
          }
        }
      }
      await this.progress(link, deleted.size, false);
      await onProgress();
    }
  }

  private progress(link: Connection, processed: number, done: boolean): Promise<void> {
    return announce(
      this.deps,
      TOPICS.CLEANUP_PROGRESS,
      { tenantId: link.tenantId, connectionId: link.id, processed, total: null, done, at: new Date().toISOString() },
      { connectionId: link.id },
    );
  }
}
