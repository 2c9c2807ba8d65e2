import { ArgsType, Field, ID, InputType } from 'type-graphql';

@InputType('CreateWebhookEndpointInput')
export class CreateWebhookEndpointInput {
  @Field(() => ID, { nullable: true, description: 'Required with an ADMIN key; TENANT keys: their own tenant.' })
  tenantId?: string | null;

  @Field(() => String, { description: 'https URL (http only to localhost outside production); private network addresses are refused in production.' })
  url!: string;

  @Field(() => [String], { description: 'At least one of appointment.changed, sync_issue.raised, sync_issue.resolved, conflict.detected, connection.status_changed, sync_run.finished.' })
  events!: string[];
}

@InputType('UpdateWebhookEndpointInput', { description: 'Fields left out stay as they are.' })
export class UpdateWebhookEndpointInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [String], { nullable: true })
  events?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'true enables an endpoint the hub disabled after failed deliveries (and resolves its notice).' })
  enabled?: boolean | null;
}

@ArgsType()
export class WebhookEndpointsArgs {
  @Field(() => ID, { nullable: true, description: 'ADMIN: only this tenant (default: every tenant). TENANT: own tenant only.' })
  tenantId?: string | null;
}
