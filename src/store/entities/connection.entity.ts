import { BeforeCreate, BeforeUpdate, Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { ConnectionStatus, ProviderSlug } from '../../domain/model.js';
import type { ConnectionProviderState } from '../../domain/provider-state.js';
import type { StoredError } from '../../domain/stored-error.js';
import { BaseEntity } from './base.entity.js';

/**
 * One linked external account of a host user.
 *
 * Uniqueness rules (enforced by the database on both drivers):
 * - one Connection per (tenant, user, provider);
 * - one provider account linked to at most one user per tenant: `accountKey` is
 *   `<provider>:<accountId>` while the link is live, and `revoked:<id>` once it is revoked, so a
 *   revoked link does not block the account from being linked again (by anyone).
 */
@Entity({ tableName: 'connections' })
@Unique({ properties: ['tenantId', 'userId', 'provider'] })
@Unique({ properties: ['tenantId', 'accountKey'] })
export class Connection extends BaseEntity<'connection'> {
  @Property({ type: 'string' })
  @Index()
  tenantId: HubId<'tenant'>;

  /** `HostUser.id` of the owner. */
  @Property({ type: 'string' })
  @Index()
  userId: HubId<'hostUser'>;

  @Property({ type: 'string' })
  provider: ProviderSlug;

  /** The provider's stable account id (Microsoft `oid`, Google `sub`). */
  @Property({ type: 'string' })
  @Index()
  accountId: string;

  @Property({ type: 'string', nullable: true })
  accountEmail: string | null = null;

  /** Sentinel for the per-tenant account uniqueness; derived in `deriveKeys`. */
  @Property({ type: 'string' })
  accountKey!: string;

  /** Encrypted token envelope (see the token vault); never stored or logged in clear. */
  @Property({ type: 'text', nullable: true, lazy: false })
  tokens: string | null = null;

  @Property({ type: 'json' })
  grantedScopes: string[] = [];

  @Property({ type: 'string' })
  @Index()
  status: ConnectionStatus = 'ACTIVE';

  /** A sentence a user can read about why the link is not ACTIVE. */
  @Property({ type: 'text', nullable: true })
  statusReason: string | null = null;

  @Property({ type: 'boolean' })
  twoWay = true;

  /** Only appointments starting after this sync, unless edited later (product-behaviours.md). */
  @Property({ type: 'Date', nullable: true })
  activatedAt: Date | null = null;

  @Property({ type: 'Date', nullable: true })
  lastSyncAt: Date | null = null;

  @Property({ type: 'Date', nullable: true })
  nextSyncAt: Date | null = null;

  @Property({ type: 'integer' })
  consecutiveFailures = 0;

  @Property({ type: 'json', nullable: true })
  lastError: StoredError | null = null;

  @Property({ type: 'json', nullable: true })
  providerState: ConnectionProviderState | null = null;

  @Property({ type: 'Date', nullable: true })
  revokedAt: Date | null = null;

  /**
   * The per-link lease: one worker at a time reads or writes this link's pairs (src/sync/link-lease.ts).
   * `leaseOwner` is a random id per run; a lease past `leaseExpiresAt` belongs to nobody.
   */
  @Property({ type: 'string', nullable: true })
  leaseOwner: string | null = null;

  @Property({ type: 'Date', nullable: true })
  leaseExpiresAt: Date | null = null;

  /** Deletions a read wanted to apply but the mass-deletion guard held (null when none are held). */
  @Property({ type: 'integer', nullable: true })
  deletionsHeld: number | null = null;

  constructor(args: { tenantId: HubId<'tenant'>; userId: HubId<'hostUser'>; provider: ProviderSlug; accountId: string; accountEmail?: string | null }) {
    super();
    this.id = newId('connection');
    this.tenantId = args.tenantId;
    this.userId = args.userId;
    this.provider = args.provider;
    this.accountId = args.accountId;
    this.accountEmail = args.accountEmail ?? null;
    this.deriveKeys();
  }

  @BeforeCreate()
  @BeforeUpdate()
  deriveKeys(): void {
    this.accountKey = this.status === 'REVOKED' ? `revoked:${this.id}` : `${this.provider}:${this.accountId}`;
  }
}
