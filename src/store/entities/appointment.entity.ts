import { BeforeCreate, BeforeUpdate, Entity, Index, Property, Unique } from '@mikro-orm/core';
import type {
  Attendee,
  EventBody,
  EventTiming,
  Recurrence,
  Reminder,
  Sensitivity,
  ShowAs,
} from '../../domain/appointment.js';
import { newId, type HubId } from '../../domain/ids.js';
import type { AppointmentOrigin } from '../../domain/model.js';
import { BaseEntity } from './base.entity.js';

/**
 * The host-side record of an appointment. `timing` is canonical; `startsAt`/`endsAt` are the same
 * instants as indexed columns for window queries (all-day: midnight UTC of the dates).
 *
 * `hostKey` makes the host's id unique per tenant while allowing appointments the host has not
 * given an id yet (created in a calendar): it is `host:<hostAppointmentId>` or `hub:<id>`.
 */
@Entity({ tableName: 'appointments' })
@Unique({ properties: ['tenantId', 'hostKey'] })
@Index({ properties: ['tenantId', 'ownerId', 'startsAt'] })
export class Appointment extends BaseEntity<'appointment'> {
  @Property({ type: 'string' })
  @Index()
  tenantId: HubId<'tenant'>;

  /** `HostUser.id` the appointment is assigned to; only the owner's own appointments sync. */
  @Property({ type: 'string' })
  ownerId: HubId<'hostUser'>;

  @Property({ type: 'string', nullable: true })
  hostAppointmentId: string | null = null;

  @Property({ type: 'string' })
  hostKey!: string;

  /** Id used in the tenant's record-link template (e.g. the lead the appointment belongs to). */
  @Property({ type: 'string', nullable: true })
  hostRecordId: string | null = null;

  @Property({ type: 'text', nullable: true })
  subject: string | null = null;

  @Property({ type: 'json', nullable: true })
  body: EventBody | null = null;

  @Property({ type: 'json' })
  timing!: EventTiming;

  @Property({ type: 'Date' })
  startsAt!: Date;

  @Property({ type: 'Date' })
  endsAt!: Date;

  @Property({ type: 'text', nullable: true })
  location: string | null = null;

  @Property({ type: 'json' })
  attendees: Attendee[] = [];

  /** Rooms/resources booked in the host; written to the location field outside. */
  @Property({ type: 'json' })
  resources: string[] = [];

  @Property({ type: 'json', nullable: true })
  reminders: Reminder[] | null = null;

  @Property({ type: 'json', nullable: true })
  recurrence: Recurrence | null = null;

  /** For an exception (moved/edited occurrence): the series master's `Appointment.id`. */
  @Property({ type: 'string', nullable: true })
  @Index()
  seriesMasterId: HubId<'appointment'> | null = null;

  /** For an exception: the original start of the occurrence (ISO instant or date). */
  @Property({ type: 'string', nullable: true })
  originalStart: string | null = null;

  @Property({ type: 'string' })
  showAs: ShowAs = 'BUSY';

  @Property({ type: 'string' })
  sensitivity: Sensitivity = 'NORMAL';

  /** Host-only flags (e.g. "visible for all users"); never sent outside. */
  @Property({ type: 'json', nullable: true })
  hostOnly: Record<string, unknown> | null = null;

  /** Incremented on every host-side content change; mappings remember the version they synced. */
  @Property({ type: 'integer' })
  version = 1;

  @Property({ type: 'boolean' })
  deleted = false;

  @Property({ type: 'Date', nullable: true })
  deletedAt: Date | null = null;

  @Property({ type: 'string' })
  origin: AppointmentOrigin = 'HOST';

  /** When the content last changed on either side (drives LATEST_WINS). */
  @Property({ type: 'Date' })
  contentChangedAt: Date = new Date();

  constructor(args: { tenantId: HubId<'tenant'>; ownerId: HubId<'hostUser'>; timing: EventTiming; hostAppointmentId?: string | null }) {
    super();
    this.id = newId('appointment');
    this.tenantId = args.tenantId;
    this.ownerId = args.ownerId;
    this.hostAppointmentId = args.hostAppointmentId ?? null;
    this.setTiming(args.timing);
    this.deriveKeys();
  }

  setTiming(timing: EventTiming): void {
    this.timing = timing;
    if (timing.allDay) {
      this.startsAt = new Date(`${timing.startDate}T00:00:00.000Z`);
      this.endsAt = new Date(`${timing.endDate}T00:00:00.000Z`);
    } else {
      this.startsAt = new Date(timing.start);
      this.endsAt = new Date(timing.end);
    }
  }

  @BeforeCreate()
  @BeforeUpdate()
  deriveKeys(): void {
    this.hostKey = this.hostAppointmentId !== null ? `host:${this.hostAppointmentId}` : `hub:${this.id}`;
  }
}
