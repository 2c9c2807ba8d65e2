import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { WEBHOOK_DELIVERY_STATUSES, type WebhookDeliveryStatus } from '../../store/entities/webhook-delivery.entity.js';
import { enumFrom } from '../enums.js';
import { ConnectionType } from '../pagination/connection.type.js';

export const WebhookDeliveryStatusEnum = enumFrom(WEBHOOK_DELIVERY_STATUSES);
registerEnumType(WebhookDeliveryStatusEnum, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING: being sent or waiting for its next attempt; DELIVERED: the endpoint answered 2xx; FAILED: every attempt failed, or the endpoint was disabled.',
});

@ObjectType('WebhookEndpoint', { description: "A host's HTTPS endpoint that receives signed webhooks (Standard Webhooks). The signing secret is only returned by createWebhookEndpoint, once." })
export class WebhookEndpointType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => String)
  url!: string;

  @Field(() => [String], { description: 'Event types it receives: appointment.changed, sync_issue.raised, sync_issue.resolved, conflict.detected, connection.status_changed, sync_run.finished.' })
  events!: string[];

  @Field(() => Boolean, { description: 'false when disabled by the host, or by the hub after a day of failed deliveries (see disabledReason).' })
  enabled!: boolean;

  @Field(() => String, { nullable: true, description: 'Why the hub disabled the endpoint.' })
  disabledReason!: string | null;

  @Field(() => DateTimeResolver, { nullable: true })
  disabledAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'The last delivery the endpoint accepted.' })
  lastSuccessAt!: Date | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;
}

@ObjectType('WebhookEndpointConnection')
export class WebhookEndpointConnection extends ConnectionType('WebhookEndpoint', WebhookEndpointType) {}

@ObjectType('CreateWebhookEndpointPayload')
export class CreateWebhookEndpointPayload {
  @Field(() => WebhookEndpointType)
  endpoint!: WebhookEndpointType;

  @Field(() => String, { description: 'The signing secret (whsec_…), for verifying webhook-signature. Store it now: it is not shown again.' })
  secret!: string;
}

@ObjectType('WebhookDelivery', { description: 'One event sent to one endpoint, with its attempts.' })
export class WebhookDeliveryType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  endpointId!: string;

  @Field(() => String, { description: 'The webhook-id header: the same on every attempt and redelivery (deduplicate on it).' })
  webhookId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => WebhookDeliveryStatusEnum)
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: 'Attempts made, over retries and redeliveries.' })
  attempts!: number;

  @Field(() => Int, { nullable: true, description: "The HTTP status of the last attempt; null when it got no answer (see lastError)." })
  lastResponseCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When the next attempt is due; null once DELIVERED or FAILED.' })
  nextAttemptAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}

@ObjectType('WebhookDeliveryConnection')
export class WebhookDeliveryConnection extends ConnectionType('WebhookDelivery', WebhookDeliveryType) {}
