import { Entity, Index, Property } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import { BaseEntity } from './base.entity.js';

/**
 * An HTTPS endpoint of the host that receives signed webhooks (Standard Webhooks) for the event
 * types it subscribed to. `secret` is the signing secret (`whsec_…`), sealed by the token vault;
 * it is shown once, when the endpoint is created.
 */
@Entity({ tableName: 'webhook_endpoints' })
@Index({ properties: ['tenantId', 'enabled'] })
export class WebhookEndpoint extends BaseEntity<'webhookEndpoint'> {
  @Property({ type: 'string' })
  tenantId: HubId<'tenant'>;

  @Property({ type: 'text' })
  url: string;

  /** Event types (`appointment.changed`, …) this endpoint receives. */
  @Property({ type: 'json' })
  events: string[];

  /** Vault envelope of the signing secret (vaultContext.webhookSecret). */
  @Property({ type: 'text', hidden: true })
  secret: string;

  @Property({ type: 'boolean' })
  enabled = true;

  /** Why the hub disabled the endpoint (its deliveries kept failing); null when enabled or disabled by the host. */
  @Property({ type: 'text', nullable: true })
  disabledReason: string | null = null;

  @Property({ type: 'Date', nullable: true })
  disabledAt: Date | null = null;

  /** The last delivery the endpoint accepted. */
  @Property({ type: 'Date', nullable: true })
  lastSuccessAt: Date | null = null;

  constructor(args: { id?: HubId<'webhookEndpoint'>; tenantId: HubId<'tenant'>; url: string; events: string[]; secret: string }) {
    super();
    this.id = args.id ?? newId('webhookEndpoint');
    this.tenantId = args.tenantId;
    this.url = args.url;
    this.events = args.events;
    this.secret = args.secret;
  }
}
