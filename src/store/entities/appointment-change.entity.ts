import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { AppointmentChangeKind, ProviderSlug } from '../../domain/model.js';
import { BaseEntity } from './base.entity.js';

/**
 * One change the hub applied to a host appointment from the provider side: the rows behind
 * `appointmentChanges`, the change feed a host pages through. `seq` is a per-tenant sequence
 * number allocated in the same transaction as the row (src/sync/change-feed.service.ts), so the
 * feed has a total order that does not depend on clocks or on which instance wrote a row.
 */
@Entity({ tableName: 'appointment_changes' })
@Unique({ properties: ['tenantId', 'seq'] })
export class AppointmentChange extends BaseEntity<'appointmentChange'> {
  @Property({ type: 'string' })
  tenantId: HubId<'tenant'>;

  @Property({ type: 'integer' })
  seq: number;

  @Property({ type: 'string' })
  @Index()
  appointmentId: HubId<'appointment'>;

  /** The appointment's owner (HostUser id). */
  @Property({ type: 'string' })
  userId: HubId<'hostUser'>;

  @Property({ type: 'string' })
  kind: AppointmentChangeKind;

  /** The provider the change came from. */
  @Property({ type: 'string' })
  provider: ProviderSlug;

  @Property({ type: 'string' })
  connectionId: HubId<'connection'>;

  @Property({ type: 'Date' })
  at: Date;

  constructor(args: {
    tenantId: HubId<'tenant'>;
    seq: number;
    appointmentId: HubId<'appointment'>;
    userId: HubId<'hostUser'>;
    kind: AppointmentChangeKind;
    provider: ProviderSlug;
    connectionId: HubId<'connection'>;
    at: Date;
  }) {
    super();
    this.id = newId('appointmentChange');
    this.tenantId = args.tenantId;
    this.seq = args.seq;
    this.appointmentId = args.appointmentId;
    this.userId = args.userId;
    this.kind = args.kind;
    this.provider = args.provider;
    this.connectionId = args.connectionId;
    this.at = args.at;
  }
}
