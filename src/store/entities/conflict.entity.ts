import { Entity, Index, Property } from '@mikro-orm/core';
import type { EventData } from '../../domain/appointment.js';
import { newId, type HubId } from '../../domain/ids.js';
import type { ConflictChoice, ConflictPolicy, ConflictStatus } from '../../domain/model.js';
import type { ConflictKind } from '../../domain/sync/decision.js';
import { BaseEntity } from './base.entity.js';

/** Both sides changed since the last sync: both versions, and what the policy (or a person) chose. */
@Entity({ tableName: 'conflicts' })
@Index({ properties: ['tenantId', 'status'] })
export class Conflict extends BaseEntity<'conflict'> {
  @Property({ type: 'string' })
  tenantId: HubId<'tenant'>;

  @Property({ type: 'string' })
  @Index()
  mappingId: HubId<'syncMapping'>;

  @Property({ type: 'string' })
  appointmentId: HubId<'appointment'>;

  @Property({ type: 'string' })
  @Index()
  connectionId: HubId<'connection'>;

  /** What moved on each side: an edit on both, or a deletion on one and an edit on the other. */
  @Property({ type: 'string' })
  kind: ConflictKind;

  /** When the host changed its side (its change time, not the hub's read time). */
  @Property({ type: 'Date', nullable: true })
  hostChangedAt: Date | null = null;

  /** The provider's own last-modified time of its side; null for a deletion (providers do not tell when). */
  @Property({ type: 'Date', nullable: true })
  providerChangedAt: Date | null = null;

  /** Why the decision was taken (e.g. "the calendar changed last (LATEST_WINS)"). */
  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  /** `null` on a side means that side deleted the item. */
  @Property({ type: 'json', nullable: true })
  hostSnapshot: EventData | null;

  @Property({ type: 'json', nullable: true })
  providerSnapshot: EventData | null;

  @Property({ type: 'string' })
  policy: ConflictPolicy;

  @Property({ type: 'string', nullable: true })
  decision: ConflictChoice | null = null;

  @Property({ type: 'string' })
  status: ConflictStatus = 'OPEN';

  @Property({ type: 'Date', nullable: true })
  resolvedAt: Date | null = null;

  /** `POLICY`, or the id of the API key that chose. */
  @Property({ type: 'string', nullable: true })
  resolvedBy: string | null = null;

  constructor(args: {
    tenantId: HubId<'tenant'>;
    mappingId: HubId<'syncMapping'>;
    appointmentId: HubId<'appointment'>;
    connectionId: HubId<'connection'>;
    kind: ConflictKind;
    hostSnapshot: EventData | null;
    providerSnapshot: EventData | null;
    policy: ConflictPolicy;
  }) {
    super();
    this.id = newId('conflict');
    this.tenantId = args.tenantId;
    this.mappingId = args.mappingId;
    this.appointmentId = args.appointmentId;
    this.connectionId = args.connectionId;
    this.kind = args.kind;
    this.hostSnapshot = args.hostSnapshot;
    this.providerSnapshot = args.providerSnapshot;
    this.policy = args.policy;
  }
}
