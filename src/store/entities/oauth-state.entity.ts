import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { ProviderSlug } from '../../domain/model.js';
import { BaseEntity } from './base.entity.js';

/**
 * A pending OAuth authorisation: random, single-use (`usedAt`), short-lived (`expiresAt`), bound
 * to tenant + user + provider. Only a hash of the `state` value is stored; the PKCE verifier is
 * stored encrypted. Once used, it remembers which callback used it and what that callback showed,
 * so reloading the result page (the same callback URL) shows the same result instead of an error.
 */
@Entity({ tableName: 'oauth_states' })
export class OAuthState extends BaseEntity<'oauthState'> {
  @Property({ type: 'string' })
  @Unique()
  stateHash: string;

  @Property({ type: 'string' })
  tenantId: HubId<'tenant'>;

  @Property({ type: 'string' })
  userId: HubId<'hostUser'>;

  @Property({ type: 'string' })
  provider: ProviderSlug;

  @Property({ type: 'text' })
  codeVerifier: string;

  @Property({ type: 'text', nullable: true })
  returnTo: string | null = null;

  @Property({ type: 'Date' })
  @Index()
  expiresAt: Date;

  @Property({ type: 'Date', nullable: true })
  usedAt: Date | null = null;

  /** SHA-256 of the callback's parameters (state, code, error) that used it. */
  @Property({ type: 'string', nullable: true })
  callbackHash: string | null = null;

  /** The outcome that callback showed (JSON written by the linking flow), once known. */
  @Property({ type: 'text', nullable: true })
  outcome: string | null = null;

  constructor(args: {
    stateHash: string;
    tenantId: HubId<'tenant'>;
    userId: HubId<'hostUser'>;
    provider: ProviderSlug;
    codeVerifier: string;
    expiresAt: Date;
    returnTo?: string | null;
  }) {
    super();
    this.id = newId('oauthState');
    this.stateHash = args.stateHash;
    this.tenantId = args.tenantId;
    this.userId = args.userId;
    this.provider = args.provider;
    this.codeVerifier = args.codeVerifier;
    this.expiresAt = args.expiresAt;
    this.returnTo = args.returnTo ?? null;
  }
}
