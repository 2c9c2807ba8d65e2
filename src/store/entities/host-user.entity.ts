import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import { BaseEntity } from './base.entity.js';

/** A user of the host application, identified by the host's own id within a tenant. */
@Entity({ tableName: 'host_users' })
@Unique({ properties: ['tenantId', 'hostUserId'] })
export class HostUser extends BaseEntity<'hostUser'> {
  @Property({ type: 'string' })
  @Index()
  tenantId: HubId<'tenant'>;

  /** The host's id for this user (unique per tenant). */
  @Property({ type: 'string' })
  hostUserId: string;

  @Property({ type: 'string', nullable: true })
  @Index()
  email: string | null;

  @Property({ type: 'string', nullable: true })
  name: string | null;

  @Property({ type: 'boolean' })
  active = true;

  /** IANA zone used when the host sends local times without a zone. */
  @Property({ type: 'string', nullable: true })
  timeZone: string | null = null;

  /** Last time the host created or changed one of this user's appointments (drives polling cadence). */
  @Property({ type: 'Date', nullable: true })
  lastHostActivityAt: Date | null = null;

  constructor(args: { tenantId: HubId<'tenant'>; hostUserId: string; email?: string | null; name?: string | null }) {
    super();
    this.id = newId('hostUser');
    this.tenantId = args.tenantId;
    this.hostUserId = args.hostUserId;
    this.email = args.email ?? null;
    this.name = args.name ?? null;
  }
}
