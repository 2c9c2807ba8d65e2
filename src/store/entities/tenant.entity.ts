import { Entity, Property } from '@mikro-orm/core';
import { newId } from '../../domain/ids.js';
import type { TenantSettingsPatch } from '../../domain/tenant-settings.js';
import { BaseEntity } from './base.entity.js';

/** One customer organisation (or location) of the host. */
@Entity({ tableName: 'tenants' })
export class Tenant extends BaseEntity<'tenant'> {
  @Property({ type: 'string' })
  name: string;

  /** Only the values that differ from `DEFAULT_TENANT_SETTINGS`; read through `mergeTenantSettings`. */
  @Property({ type: 'json', nullable: true })
  settings: TenantSettingsPatch | null = null;

  constructor(name: string) {
    super();
    this.id = newId('tenant');
    this.name = name;
  }
}
