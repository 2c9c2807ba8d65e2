import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { ApiKeyRole } from '../../domain/model.js';
import { BaseEntity } from './base.entity.js';

/**
 * An API key. Only a SHA-256 hash of the whole key is stored (keys are 32 random bytes, so a slow
 * hash adds nothing); `prefix` is the part shown after creation. `ADMIN` keys act on every
 * tenant; `TENANT` keys only on `tenantId`.
 */
@Entity({ tableName: 'api_keys' })
export class ApiKey extends BaseEntity<'apiKey'> {
  @Property({ type: 'string', nullable: true })
  @Index()
  tenantId: HubId<'tenant'> | null;

  @Property({ type: 'string' })
  name: string;

  @Property({ type: 'string' })
  role: ApiKeyRole;

  @Property({ type: 'string' })
  prefix: string;

  @Property({ type: 'string' })
  @Unique()
  hash: string;

  @Property({ type: 'Date', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'Date', nullable: true })
  revokedAt: Date | null = null;

  constructor(args: { tenantId: HubId<'tenant'> | null; name: string; role: ApiKeyRole; prefix: string; hash: string }) {
    super();
    this.id = newId('apiKey');
    this.tenantId = args.tenantId;
    this.name = args.name;
    this.role = args.role;
    this.prefix = args.prefix;
    this.hash = args.hash;
  }
}
