import { Entity, Index, Property } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { AppointmentOrigin, IssueSeverity } from '../../domain/model.js';
import { BaseEntity } from './base.entity.js';

/**
 * A notice to a user about an item or a link: a stable `code`, a readable message, a concrete tip.
 * `dedupeKey` identifies "the same problem on the same item" so a repeat bumps `occurrences`
 * instead of adding a row.
 */
@Entity({ tableName: 'sync_issues' })
@Index({ properties: ['tenantId', 'dedupeKey'] })
@Index({ properties: ['tenantId', 'resolvedAt'] })
export class SyncIssue extends BaseEntity<'syncIssue'> {
  @Property({ type: 'string' })
  tenantId: HubId<'tenant'>;

  @Property({ type: 'string', nullable: true })
  @Index()
  userId: HubId<'hostUser'> | null = null;

  @Property({ type: 'string', nullable: true })
  @Index()
  connectionId: HubId<'connection'> | null = null;

  @Property({ type: 'string', nullable: true })
  appointmentId: HubId<'appointment'> | null = null;

  @Property({ type: 'string', nullable: true })
  mappingId: HubId<'syncMapping'> | null = null;

  /** The calendar event the notice is about, when it came from a calendar (it may never have become an appointment). */
  @Property({ type: 'string', nullable: true })
  externalEventId: string | null = null;

  /** Where the item came from: HOST, or the provider of the link (null for notices about a link, not an item). */
  @Property({ type: 'string', nullable: true })
  side: AppointmentOrigin | null = null;

  @Property({ type: 'string' })
  code: string;

  @Property({ type: 'text' })
  message: string;

  @Property({ type: 'text', nullable: true })
  tip: string | null = null;

  @Property({ type: 'string' })
  severity: IssueSeverity;

  @Property({ type: 'json', nullable: true })
  details: Record<string, unknown> | null = null;

  @Property({ type: 'string' })
  dedupeKey: string;

  @Property({ type: 'integer' })
  occurrences = 1;

  @Property({ type: 'Date' })
  lastSeenAt: Date = new Date();

  @Property({ type: 'Date', nullable: true })
  resolvedAt: Date | null = null;

  constructor(args: { tenantId: HubId<'tenant'>; code: string; message: string; severity: IssueSeverity; dedupeKey: string; tip?: string | null }) {
    super();
    this.id = newId('syncIssue');
    this.tenantId = args.tenantId;
    this.code = args.code;
    this.message = args.message;
    this.severity = args.severity;
    this.dedupeKey = args.dedupeKey;
    this.tip = args.tip ?? null;
  }
}
