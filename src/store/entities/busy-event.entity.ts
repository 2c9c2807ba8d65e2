import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import type { EventTiming, Recurrence, ShowAs } from '../../domain/appointment.js';
import { newId, type HubId } from '../../domain/ids.js';
import { BaseEntity } from './base.entity.js';

/** How a cached event takes part in a series. */
export type BusyEventKind = 'SINGLE' | 'SERIES_MASTER' | 'EXCEPTION';

/**
 * The busy-time cache: what the incremental reads of a calendar (PRIMARY or CONFLICT_CHECK) last
 * saw of one provider event — times and free/busy only, never its content. A series is its master
 * (expanded at query time) plus its exceptions; a cancelled occurrence is a row with `cancelled`.
 * `startsAt`/`endsAt` bound what the row can cover (a master: its first start to the end of time).
 */
@Entity({ tableName: 'busy_events' })
@Unique({ properties: ['calendarId', 'externalEventId'] })
@Index({ properties: ['calendarId', 'startsAt'] })
export class BusyEvent extends BaseEntity<'busyEvent'> {
  @Property({ type: 'string' })
  tenantId: HubId<'tenant'>;

  @Property({ type: 'string' })
  calendarId: HubId<'calendar'>;

  /** The provider's event id (for a cancelled occurrence Graph never names: `cancelled:<master>:<original start>`). */
  @Property({ type: 'string' })
  externalEventId: string;

  @Property({ type: 'string' })
  kind: BusyEventKind;

  /** EXCEPTION rows: the provider id of their series' master. */
  @Property({ type: 'string', nullable: true })
  @Index()
  seriesMasterId: string | null = null;

  /** EXCEPTION rows: the start of the occurrence they replace (ISO instant, or date for all-day series). */
  @Property({ type: 'string', nullable: true })
  originalStart: string | null = null;

  @Property({ type: 'json' })
  timing!: EventTiming;

  @Property({ type: 'json', nullable: true })
  recurrence: Recurrence | null = null;

  /** What the time counts as for the calendar's owner (FREE when they declined it). */
  @Property({ type: 'string' })
  showAs: ShowAs = 'BUSY';

  /** A cancelled occurrence of a series: it only removes that occurrence. */
  @Property({ type: 'boolean' })
  cancelled = false;

  @Property({ type: 'Date' })
  startsAt!: Date;

  @Property({ type: 'Date' })
  endsAt!: Date;

  constructor(args: { tenantId: HubId<'tenant'>; calendarId: HubId<'calendar'>; externalEventId: string; kind: BusyEventKind }) {
    super();
    this.id = newId('busyEvent');
    this.tenantId = args.tenantId;
    this.calendarId = args.calendarId;
    this.externalEventId = args.externalEventId;
    this.kind = args.kind;
  }
}
