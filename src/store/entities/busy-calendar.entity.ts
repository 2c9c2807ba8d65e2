import { Entity, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { ProviderCursor } from '../../domain/provider-state.js';
import type { StoredError } from '../../domain/stored-error.js';
import { BaseEntity } from './base.entity.js';

/**
 * The busy-time cache's state of one calendar. A primary calendar is fed by the sync engine's own
 * reads; every other read (conflict-check calendars, a primary the engine does not read, a first
 * fill) uses `cursor`, kept apart from `Calendar.cursor` so that the engine's reads never skip what
 * the cache read (a conflict-check calendar can become the primary one).
 */
@Entity({ tableName: 'busy_calendars' })
export class BusyCalendar extends BaseEntity<'busyCalendar'> {
  @Property({ type: 'string' })
  tenantId: HubId<'tenant'>;

  @Property({ type: 'string' })
  @Unique()
  calendarId: HubId<'calendar'>;

  @Property({ type: 'json', nullable: true })
  cursor: ProviderCursor | null = null;

  /** When a complete read first filled the cache (incremental reads alone are not enough before). */
  @Property({ type: 'Date', nullable: true })
  filledAt: Date | null = null;

  /** When the cache last took in a read of the calendar: how fresh availability is. */
  @Property({ type: 'Date', nullable: true })
  asOf: Date | null = null;

  /** Why the last own read failed (cleared by the next good one). */
  @Property({ type: 'json', nullable: true })
  lastError: StoredError | null = null;

  constructor(args: { tenantId: HubId<'tenant'>; calendarId: HubId<'calendar'> }) {
    super();
    this.id = newId('busyCalendar');
    this.tenantId = args.tenantId;
    this.calendarId = args.calendarId;
  }
}
