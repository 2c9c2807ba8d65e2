import { BeforeCreate, BeforeUpdate, Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { MappingState } from '../../domain/model.js';
import { BaseEntity } from './base.entity.js';
import type { StoredError } from '../../domain/stored-error.js';

/**
 * One linked pair: an appointment ↔ an event in one calendar, with the version of each side seen
 * at the last successful sync. `externalKey` is the provider event id once known, and
 * `pending:<id>` before the event exists, so (calendar, event id) stays unique on both drivers.
 */
@Entity({ tableName: 'sync_mappings' })
@Unique({ properties: ['appointmentId', 'calendarId'] })
@Unique({ properties: ['calendarId', 'externalKey'] })
@Index({ properties: ['connectionId', 'state'] })
export class SyncMapping extends BaseEntity<'syncMapping'> {
  @Property({ type: 'string' })
  @Index()
  tenantId: HubId<'tenant'>;

  @Property({ type: 'string' })
  appointmentId: HubId<'appointment'>;

  @Property({ type: 'string' })
  calendarId: HubId<'calendar'>;

  @Property({ type: 'string' })
  connectionId: HubId<'connection'>;

  @Property({ type: 'string', nullable: true })
  externalEventId: string | null = null;

  @Property({ type: 'string' })
  externalKey!: string;

  /** Secondary key that survives id changes (Graph ids change when events move). */
  @Property({ type: 'string', nullable: true })
  @Index()
  iCalUid: string | null = null;

  @Property({ type: 'integer', nullable: true })
  hostVersion: number | null = null;

  /** Provider etag / changeKey seen at the last sync. */
  @Property({ type: 'string', nullable: true })
  providerVersion: string | null = null;

  /** Hash of the normalised content last written or read, to recognise echoes. */
  @Property({ type: 'string', nullable: true })
  contentHash: string | null = null;

  @Property({ type: 'string' })
  state: MappingState = 'PENDING';

  @Property({ type: 'json', nullable: true })
  lastError: StoredError | null = null;

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'Date', nullable: true })
  lastSyncedAt: Date | null = null;

  /** Set when the pair no longer syncs (cleanup, revoke); host data is kept. */
  @Property({ type: 'Date', nullable: true })
  closedAt: Date | null = null;

  constructor(args: { tenantId: HubId<'tenant'>; appointmentId: HubId<'appointment'>; calendarId: HubId<'calendar'>; connectionId: HubId<'connection'> }) {
    super();
    this.id = newId('syncMapping');
    this.tenantId = args.tenantId;
    this.appointmentId = args.appointmentId;
    this.calendarId = args.calendarId;
    this.connectionId = args.connectionId;
    this.deriveKeys();
  }

  @BeforeCreate()
  @BeforeUpdate()
  deriveKeys(): void {
    this.externalKey = this.externalEventId ?? `pending:${this.id}`;
  }
}
