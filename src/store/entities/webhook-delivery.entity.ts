import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import { BaseEntity } from './base.entity.js';

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint. `webhookId` is the Standard Webhooks `webhook-id`: the same on every
 * attempt and redelivery, so the receiver can drop duplicates. `payload` is the exact JSON body
 * that is signed and sent. Deliveries with the same `orderingKey` (an appointment, a link, an
 * issue) go to an endpoint one after the other, in creation order.
 */
@Entity({ tableName: 'webhook_deliveries' })
@Unique({ properties: ['endpointId', 'webhookId'] })
@Index({ properties: ['endpointId', 'orderingKey', 'status'] })
export class WebhookDelivery extends BaseEntity<'webhookDelivery'> {
  @Property({ type: 'string' })
  @Index()
  tenantId: HubId<'tenant'>;

  @Property({ type: 'string' })
  endpointId: HubId<'webhookEndpoint'>;

  @Property({ type: 'string' })
  webhookId: string;

  @Property({ type: 'string' })
  eventType: string;

  @Property({ type: 'text' })
  payload: string;

  @Property({ type: 'string', nullable: true })
  orderingKey: string | null = null;

  @Property({ type: 'string' })
  status: WebhookDeliveryStatus = 'PENDING';

  /** Every attempt, over retries and redeliveries. */
  @Property({ type: 'integer' })
  attempts = 0;

  /** Attempts since the delivery (or its last redelivery) started: the place in the retry schedule. */
  @Property({ type: 'integer' })
  roundAttempts = 0;

  @Property({ type: 'integer', nullable: true })
  lastResponseCode: number | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  /** When the next attempt is due; null once DELIVERED or FAILED. */
  @Property({ type: 'Date', nullable: true })
  nextAttemptAt: Date | null = new Date();

  @Property({ type: 'Date', nullable: true })
  lastAttemptAt: Date | null = null;

  @Property({ type: 'Date', nullable: true })
  deliveredAt: Date | null = null;

  constructor(args: { tenantId: HubId<'tenant'>; endpointId: HubId<'webhookEndpoint'>; webhookId: string; eventType: string; payload: string; orderingKey: string | null }) {
    super();
    this.id = newId('webhookDelivery');
    this.tenantId = args.tenantId;
    this.endpointId = args.endpointId;
    this.webhookId = args.webhookId;
    this.eventType = args.eventType;
    this.payload = args.payload;
    this.orderingKey = args.orderingKey;
  }
}
