import { BeforeCreate, BeforeUpdate, Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import { BaseEntity } from './base.entity.js';

/**
 * A user's subscribe-only ICS feed. Only a SHA-256 hash of the secret token in its URL is stored.
 * At most one live feed per user: `liveKey` is `live:<tenant>:<user>` until the feed is revoked
 * (or replaced), then `revoked:<id>`.
 */
@Entity({ tableName: 'ics_feeds' })
export class IcsFeed extends BaseEntity<'icsFeed'> {
  @Property({ type: 'string' })
  @Index()
  tenantId: HubId<'tenant'>;

  /** `HostUser.id` whose appointments the feed serves. */
  @Property({ type: 'string' })
  userId: HubId<'hostUser'>;

  @Property({ type: 'string' })
  @Unique()
  tokenHash: string;

  @Property({ type: 'string' })
  @Unique()
  liveKey!: string;

  @Property({ type: 'Date', nullable: true })
  revokedAt: Date | null = null;

  /** Refreshed at most once a minute, so serving the feed stays a read. */
  @Property({ type: 'Date', nullable: true })
  lastFetchedAt: Date | null = null;

  constructor(args: { tenantId: HubId<'tenant'>; userId: HubId<'hostUser'>; tokenHash: string }) {
    super();
    this.id = newId('icsFeed');
    this.tenantId = args.tenantId;
    this.userId = args.userId;
    this.tokenHash = args.tokenHash;
    this.deriveKeys();
  }

  @BeforeCreate()
  @BeforeUpdate()
  deriveKeys(): void {
    this.liveKey = this.revokedAt === null ? `live:${this.tenantId}:${this.userId}` : `revoked:${this.id}`;
  }
}
