import { BeforeCreate, BeforeUpdate, Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { MappingState } from '../../domain/model.js';
import { BaseEntity } from './base.entity.js';
import type { StoredError } from '../../domain/stored-error.js';
import type { ProviderSeriesState } from '../../domain/sync/series.js';

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

  /**
   * Hash of the host's normalised content at the last sync (src/domain/sync/content.ts): the host
   * side counts as changed only when its version moved AND its hash differs from this.
   */
  @Property({ type: 'string', nullable: true })
  hostHash: string | null = null;

  /**
   * Hash of the provider event's content (as the host would receive it) at the last sync, from the
   * answer to the hub's own write or the last read: an inbound item with this hash is the echo.
   */
  @Property({ type: 'string', nullable: true })
  providerHash: string | null = null;

  /** The provider's own last-modified time of the event at the last sync (LATEST_WINS reads the current one). */
  @Property({ type: 'Date', nullable: true })
  providerUpdatedAt: Date | null = null;

  /**
   * For a series: the calendar's own recurrence, first occurrence, cancelled instances kept outside
   * the rule (Google) and the occurrences the host was not given, at the last sync
   * (docs/sync.md#series). Null for single events and occurrences.
   */
  @Property({ type: 'json', nullable: true })
  providerSeries: ProviderSeriesState | null = null;

  /**
   * Moves on when the hub has to write a fresh event for this pair (the previous one was deleted at
   * the provider and the host won); part of the hub tag, so the new event gets a new idempotency key.
   */
  @Property({ type: 'integer' })
  generation = 0;

  /** When a failed item (ERROR) is tried again. */
  @Property({ type: 'Date', nullable: true })
  nextAttemptAt: Date | null = null;

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

  /**
   * Brings a closed pair back (the host saved the appointment again, or a relinked calendar
   * receives it again). Its old event is not trusted to exist: the next write creates the event
   * under the pair's tag, which finds the old one again where the provider still has it (the
   * create is idempotent on the tag).
   */
  reopen(state: MappingState): void {
    this.closedAt = null;
    this.state = state;
    this.externalEventId = null;
    this.providerVersion = null;
    this.providerHash = null;
    this.providerUpdatedAt = null;
    this.providerSeries = null;
    this.lastError = null;
    this.attempts = 0;
    this.nextAttemptAt = null;
    this.deriveKeys();
  }

  @BeforeCreate()
  @BeforeUpdate()
  deriveKeys(): void {
    this.externalKey = this.externalEventId ?? `pending:${this.id}`;
  }
}
