import { BeforeCreate, BeforeUpdate, Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { CalendarRole } from '../../domain/model.js';
import type { ProviderCursor, PushChannel } from '../../domain/provider-state.js';
import { BaseEntity } from './base.entity.js';

/**
 * A calendar of a connection. At most one PRIMARY per host user over all links: `primaryKey`
 * is `primary:<tenant>:<user>` for the primary calendar and `cal:<id>` otherwise.
 */
@Entity({ tableName: 'calendars' })
@Unique({ properties: ['connectionId', 'providerCalendarId'] })
export class Calendar extends BaseEntity<'calendar'> {
  @Property({ type: 'string' })
  @Index()
  tenantId: HubId<'tenant'>;

  @Property({ type: 'string' })
  @Index()
  connectionId: HubId<'connection'>;

  /** `HostUser.id` of the connection's owner (denormalised for the primary rule). */
  @Property({ type: 'string' })
  @Index()
  userId: HubId<'hostUser'>;

  @Property({ type: 'string' })
  providerCalendarId: string;

  @Property({ type: 'string' })
  name: string;

  @Property({ type: 'string', nullable: true })
  color: string | null = null;

  @Property({ type: 'boolean' })
  canEdit = true;

  /** The provider's default calendar of the account. */
  @Property({ type: 'boolean' })
  isDefault = false;

  @Property({ type: 'string', nullable: true })
  timeZone: string | null = null;

  @Property({ type: 'string' })
  role: CalendarRole = 'NONE';

  @Property({ type: 'string' })
  @Unique()
  primaryKey!: string;

  /** Where incremental reads resume; opaque to everything but the adapter that wrote it. */
  @Property({ type: 'json', nullable: true })
  cursor: ProviderCursor | null = null;

  @Property({ type: 'json', nullable: true })
  /** Push channel state (Graph subscription or Google watch channel). */
  push: PushChannel | null = null;

  /** Set when the calendar no longer appears at the provider. */
  @Property({ type: 'Date', nullable: true })
  removedAt: Date | null = null;

  @Property({ type: 'Date', nullable: true })
  lastSyncedAt: Date | null = null;

  /**
   * When the owner's appointments that predate this calendar's first sync were queued for it (once
   * per calendar, after its first complete read; see SyncEngine.backfill).
   */
  @Property({ type: 'Date', nullable: true })
  backfilledAt: Date | null = null;

  constructor(args: {
    tenantId: HubId<'tenant'>;
    connectionId: HubId<'connection'>;
    userId: HubId<'hostUser'>;
    providerCalendarId: string;
    name: string;
    canEdit?: boolean;
    isDefault?: boolean;
    color?: string | null;
    timeZone?: string | null;
  }) {
    super();
    this.id = newId('calendar');
    this.tenantId = args.tenantId;
    this.connectionId = args.connectionId;
    this.userId = args.userId;
    this.providerCalendarId = args.providerCalendarId;
    this.name = args.name;
    this.canEdit = args.canEdit ?? true;
    this.isDefault = args.isDefault ?? false;
    this.color = args.color ?? null;
    this.timeZone = args.timeZone ?? null;
    this.deriveKeys();
  }

  @BeforeCreate()
  @BeforeUpdate()
  deriveKeys(): void {
    this.primaryKey = this.role === 'PRIMARY' ? `primary:${this.tenantId}:${this.userId}` : `cal:${this.id}`;
  }
}
